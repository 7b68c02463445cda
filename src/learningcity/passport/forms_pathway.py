"""Forms of the pathway builder: the pathway's details, and the three kinds of step."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import City, Opportunity, Organisation
from learningcity.catalogue.selectors import OpportunityFilters, opportunity_list
from learningcity.passport.models import Achievement, Pathway, PathwayStep, StepKind, StepRule
from learningcity.passport.pathway_builder import MAX_STEPS, PathwayDetails, StepDetails

CITY_ISSUER = "city"
LISTINGS_SHOWN = 50  # a city may publish thousands of listings: the select shows a search's matches


class AchievementChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Achievements named with their issuer, since two issuers may use the same name."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.issuer_name()}"


class ListingChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} — {obj.organisation.name}"


def _rule_fields() -> dict[str, forms.Field]:
    return {
        "rule": forms.ChoiceField(
            label=_("To complete it"), choices=StepRule.choices, initial=StepRule.ALL, widget=forms.RadioSelect
        ),
        "required_count": forms.IntegerField(
            label=_("How many (for “a number of these”)"), required=False, min_value=1, max_value=MAX_STEPS
        ),
    }


class PathwayForm(forms.Form):
    """A pathway's names, goals, rule and the achievement it leads to; the issuer when it is new."""

    issuer = forms.ChoiceField(label=_("Issued by"))
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    goal_fr = forms.CharField(
        label=_("Goal (French)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goal_en = forms.CharField(
        label=_("Goal (English)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    completion_achievement = AchievementChoiceField(
        label=_("Awarded on completion"),
        queryset=Achievement.objects.none(),
        required=False,
        empty_label=_("Nothing"),
        help_text=_("One of the issuer's achievements, awarded automatically to whoever completes the pathway."),
    )

    def __init__(self, *args: Any, city: City, issuers: list[Organisation | None] | None = None, **kwargs: Any) -> None:
        """`issuers`: the issuers to choose from (a new pathway); None when editing (`initial` names it)."""
        super().__init__(*args, **kwargs)
        self.fields.update(_rule_fields())
        self.order_fields(["issuer", "name_fr", "name_en", "goal_fr", "goal_en", "rule", "required_count"])
        self.issuers = issuers
        achievements = Achievement.objects.filter(city=city, active=True).select_related("organisation", "city")
        if issuers is None:
            del self.fields["issuer"]
            organisation = self.initial.get("organisation")
            achievements = achievements.filter(organisation=organisation)
        else:
            self.fields["issuer"].choices = [_issuer_choice(city, i) for i in issuers]  # type: ignore[attr-defined]
            achievements = achievements.filter(_issued_by(issuers))
        self.fields["completion_achievement"].queryset = achievements  # type: ignore[attr-defined]

    def chosen_issuer(self) -> Organisation | None:
        """The chosen issuer (a new pathway; after is_valid)."""
        chosen = self.cleaned_data["issuer"]
        return next((issuer for issuer in self.issuers or [] if issuer is not None and str(issuer.pk) == chosen), None)

    def details(self) -> PathwayDetails:
        data = self.cleaned_data
        return PathwayDetails(
            name_fr=data["name_fr"],
            name_en=data["name_en"],
            goal_fr=data["goal_fr"],
            goal_en=data["goal_en"],
            rule=data["rule"],
            required_count=data.get("required_count"),
            completion_achievement=data.get("completion_achievement"),
        )


def _issuer_choice(city: City, issuer: Organisation | None) -> tuple[str, str]:
    if issuer is None:
        return CITY_ISSUER, str(_("The city: %(name)s") % {"name": city.name})
    return str(issuer.pk), issuer.name


def _issued_by(issuers: list[Organisation | None]) -> Q:
    condition = Q(organisation_id__in=[issuer.pk for issuer in issuers if issuer is not None])
    if None in issuers:
        condition |= Q(organisation__isnull=True)
    return condition


def pathway_initial(pathway: Pathway) -> dict[str, Any]:
    """The details form's initial values for an existing pathway."""
    return {
        "organisation": pathway.organisation,
        "name_fr": pathway.name_fr,
        "name_en": pathway.name_en,
        "goal_fr": pathway.goal_fr,
        "goal_en": pathway.goal_en,
        "rule": pathway.rule,
        "required_count": pathway.required_count,
        "completion_achievement": pathway.completion_achievement_id,
    }


class _StepForm(forms.Form):
    """A step inside one of the pathway's groups, or at the top level."""

    kind = ""

    parent = forms.ModelChoiceField(
        label=_("Where"), queryset=PathwayStep.objects.none(), required=False, empty_label=_("At the top level")
    )

    def __init__(self, *args: Any, pathway: Pathway, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = pathway.steps.filter(kind=StepKind.GROUP, parent__isnull=True)
        self.fields["parent"].queryset = groups  # type: ignore[attr-defined]
        self.fields["parent"].label_from_instance = _group_label  # type: ignore[attr-defined]
        if not groups.exists():
            del self.fields["parent"]

    def details(self) -> StepDetails:
        raise NotImplementedError


def _offer(field: forms.ModelChoiceField[Any], items: Iterable[Any], taken: set[Any]) -> None:
    """Show only what can still be added (the field still accepts, and the service explains, anything else)."""
    field.widget.choices = [("", "---------")] + [
        (item.pk, field.label_from_instance(item)) for item in items if item.pk not in taken
    ]


def _group_label(group: PathwayStep) -> str:
    return str(_("In the group “%(name)s”") % {"name": group.title or _("without a title")})


class AchievementStepForm(_StepForm):
    """Hold one of the city's achievements."""

    kind = StepKind.ACHIEVEMENT

    def __init__(self, *args: Any, pathway: Pathway, **kwargs: Any) -> None:
        super().__init__(*args, pathway=pathway, **kwargs)
        achievements = Achievement.objects.filter(city_id=pathway.city_id, active=True).select_related(
            "organisation", "city"
        )
        field = AchievementChoiceField(label=_("Achievement"), queryset=achievements)
        taken = {*pathway.steps.values_list("achievement_id", flat=True), pathway.completion_achievement_id}
        _offer(field, achievements, taken)
        self.fields["achievement"] = field
        self.order_fields(["achievement", "parent"])

    def details(self) -> StepDetails:
        return StepDetails(
            kind=StepKind.ACHIEVEMENT,
            achievement=self.cleaned_data["achievement"],
            parent=self.cleaned_data.get("parent"),
        )


class ListingStepForm(_StepForm):
    """Attend one of the city's published listings (the select shows a search's matches)."""

    kind = StepKind.OPPORTUNITY

    def __init__(self, *args: Any, pathway: Pathway, search: str = "", **kwargs: Any) -> None:
        super().__init__(*args, pathway=pathway, **kwargs)
        listings = Opportunity.objects.published().filter(city_id=pathway.city_id).select_related("organisation")
        field = ListingChoiceField(label=_("Listing"), queryset=listings)
        _offer(field, shown_listings(pathway, search), set(pathway.steps.values_list("opportunity_id", flat=True)))
        self.fields["opportunity"] = field
        self.order_fields(["opportunity", "parent"])

    def details(self) -> StepDetails:
        return StepDetails(
            kind=StepKind.OPPORTUNITY,
            opportunity=self.cleaned_data["opportunity"],
            parent=self.cleaned_data.get("parent"),
        )


def shown_listings(pathway: Pathway, search: str) -> list[Opportunity]:
    """Listings offered in the select: a search's matches, or else the issuer's own (by title)."""
    listings: QuerySet[Opportunity] = opportunity_list(
        filters=OpportunityFilters(text=search.strip()[:200]), city=pathway.city
    )
    if not search.strip() and pathway.organisation_id is not None:
        listings = listings.filter(organisation_id=pathway.organisation_id)
    return list(listings.order_by("title_fr", "title_en", "id")[:LISTINGS_SHOWN])


class GroupStepForm(forms.Form):
    """A group of steps with its own rule (steps are added into it afterwards)."""

    kind = StepKind.GROUP

    title_fr = forms.CharField(label=_("Title of the group (French)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title of the group (English)"), max_length=200, required=False)

    def __init__(self, *args: Any, pathway: Pathway, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_rule_fields())

    def details(self) -> StepDetails:
        data = self.cleaned_data
        return StepDetails(
            kind=StepKind.GROUP,
            title_fr=data["title_fr"],
            title_en=data["title_en"],
            rule=data["rule"],
            required_count=data.get("required_count"),
        )


STEP_FORMS: dict[str, type[AchievementStepForm] | type[ListingStepForm] | type[GroupStepForm]] = {
    StepKind.ACHIEVEMENT: AchievementStepForm,
    StepKind.OPPORTUNITY: ListingStepForm,
    StepKind.GROUP: GroupStepForm,
}


class StepActionForm(forms.Form):
    """Move a step up or down, or remove it."""

    action = forms.ChoiceField(choices=[("up", "up"), ("down", "down"), ("remove", "remove")])


class PublicationForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", "publish"), ("withdraw", "withdraw")])

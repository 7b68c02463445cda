"""Forms of the festival pages: the festival itself, submissions, decisions and the programme's filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.forms import OpportunityForm
from learningcity.catalogue.models import BuildingBlock, District, Kind, Opportunity, Organisation
from learningcity.festival.models import Festival
from learningcity.festival.selectors import ProgrammeFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FestivalForm(forms.ModelForm[Festival]):
    """What a coordinator fills in to open a festival and its call for events."""

    class Meta:
        model = Festival
        fields = [
            "name_fr", "name_en", "theme_fr", "theme_en", "starts_on", "ends_on", "call_opens_on", "call_closes_on",
        ]  # fmt: skip
        widgets = dict.fromkeys(("starts_on", "ends_on", "call_opens_on", "call_closes_on"), DATE_INPUT)
        help_texts = {
            "call_closes_on": _("Providers submit events until this day; it must be no later than the last day."),
        }

    def _post_clean(self) -> None:
        # The model's rules run in the service, with the city set; here only field checks.
        pass


class SubmissionForm(forms.Form):
    """A provider picks one of their listings to submit as a festival event."""

    opportunity = forms.IntegerField(label=_("Opportunity"), widget=forms.Select)
    note = forms.CharField(
        label=_("Note to the coordinator (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, opportunities: list[Opportunity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("Choose an opportunity"))]
        choices += [(item.pk, f"{item.title} — {item.organisation.name} ({item.get_status_display()})")
                    for item in opportunities]  # fmt: skip
        self.fields["opportunity"].widget.choices = choices
        self.fields["opportunity"].error_messages["required"] = _("Choose the opportunity to submit.")


class NewEventForm(OpportunityForm):
    """A new listing described and submitted in one go, with its session during the festival."""

    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(
        label=_("Note to the coordinator (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    SESSION_FIELDS = ("organisation", "date", "start_time", "end_time", "note")

    def __init__(self, *args: Any, festival: Festival, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, city_id=festival.city_id, **kwargs)
        self.festival = festival
        self.organisations = {organisation.pk: organisation for organisation in organisations}
        if len(organisations) > 1:
            self.fields["organisation"] = forms.TypedChoiceField(
                label=_("Organisation"), coerce=int, choices=[(o.pk, o.name) for o in organisations]
            )
            self.order_fields(["organisation"])
        if not self.is_bound:
            self.initial.setdefault("kind", Kind.FESTIVAL_EVENT)
            self.initial.setdefault("date", festival.starts_on)
        self.fields["date"].help_text = _("A day of the festival, from %(first)s to %(last)s.") % {
            "first": formats.date_format(festival.starts_on, "DATE_FORMAT"),
            "last": formats.date_format(festival.ends_on, "DATE_FORMAT"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day: date | None = data.get("date")
        if day is not None and not self.festival.starts_on <= day <= self.festival.ends_on:
            self.add_error("date", str(self.fields["date"].help_text))
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The end must be after the start."))
        return data

    def organisation(self) -> Organisation:
        """The organisation the event is for (call after is_valid)."""
        if len(self.organisations) == 1:
            return next(iter(self.organisations.values()))
        return self.organisations[self.cleaned_data["organisation"]]

    def split(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Plain fields and many-to-many relations of the listing, for the services (without the session)."""
        fields, relations = super().split()
        for name in self.SESSION_FIELDS:
            fields.pop(name, None)
        return fields, relations


class DecisionForm(forms.Form):
    """A coordinator's decision on a submitted event."""

    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    message = forms.CharField(
        label=_("Message to the provider"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgrammeForm(forms.Form):
    """The programme's filters (GET)."""

    label_suffix = ""

    day = forms.TypedChoiceField(label=_("Day"), required=False, coerce=date.fromisoformat, empty_value=None)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), to_field_name="code", required=False,
        empty_label=_("All"),
    )  # fmt: skip
    age = forms.IntegerField(label=_("Age of the learner"), required=False, min_value=0, max_value=120)
    block = forms.ModelChoiceField(
        label=_("Building block"), queryset=BuildingBlock.objects.all(), to_field_name="code", required=False,
        empty_label=_("All"),
    )  # fmt: skip
    free = forms.BooleanField(label=_("Free only"), required=False)

    def __init__(self, *args: Any, festival: Festival, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days: list[tuple[str, Any]] = [("", _("Every day"))]
        days += [(day.isoformat(), formats.date_format(day, "l j F")) for day in festival.days()]
        self.fields["day"].choices = days  # type: ignore[attr-defined]
        self.fields["district"].queryset = District.objects.filter(city_id=festival.city_id)  # type: ignore[attr-defined]
        self.fields["age"].widget.attrs.update({"inputmode": "numeric"})

    def filters(self) -> ProgrammeFilters:
        """The selector filters (call after is_valid)."""
        data = self.cleaned_data
        return ProgrammeFilters(
            day=data.get("day"),
            district=data["district"].code if data.get("district") else "",
            age=data.get("age"),
            building_block=data["block"].code if data.get("block") else "",
            free=bool(data.get("free")),
        )

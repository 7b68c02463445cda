"""Forms of the catalogue pages: filters, listings, sessions, review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import (
    AudienceLabel,
    BuildingBlock,
    District,
    Kind,
    Language,
    Mode,
    Opportunity,
    Topic,
    Venue,
)
from learningcity.catalogue.selectors import OpportunityFilters


class FilterForm(forms.Form):
    """Filters of the public opportunity list (GET)."""

    label_suffix = ""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    block = forms.ModelChoiceField(
        label=_("Building block"),
        queryset=BuildingBlock.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Kind.choices], required=False)
    age = forms.IntegerField(label=_("Age of the learner"), required=False, min_value=0, max_value=120)
    mode = forms.ChoiceField(label=_("Where"), choices=[("", _("All")), *Mode.choices], required=False)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    free = forms.BooleanField(label=_("Free only"), required=False)

    def filters(self) -> OpportunityFilters:
        """The selector filters for valid input (call after is_valid)."""
        data = self.cleaned_data
        return OpportunityFilters(
            text=data.get("q") or "",
            building_block=data["block"].code if data.get("block") else "",
            kind=data.get("kind") or "",
            age=data.get("age"),
            mode=data.get("mode") or "",
            district=data["district"].code if data.get("district") else "",
            free=bool(data.get("free")),
        )


RELATION_FIELDS = ("building_blocks", "topics", "audience_labels", "languages")


class OpportunityForm(forms.ModelForm[Opportunity]):
    """What a provider fills in to publish an opportunity, in French and English."""

    building_blocks = forms.ModelMultipleChoiceField(
        label=_("Building blocks"), queryset=BuildingBlock.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.all(), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    audience_labels = forms.ModelMultipleChoiceField(
        label=_("Audiences"),
        queryset=AudienceLabel.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages"), queryset=Language.objects.all(), widget=forms.SelectMultiple(attrs={"size": 4})
    )

    class Meta:
        model = Opportunity
        fields = [
            "title_fr", "title_en", "description_fr", "description_en", "kind", "building_blocks", "topics",
            "age_min", "age_max", "audience_labels", "languages", "is_free", "price", "reduced_price",
            "reduced_price_conditions_fr", "reduced_price_conditions_en", "mode", "venue", "online_url",
            "capacity", "registration_required", "booked_as_series", "credential_fr", "credential_en",
        ]  # fmt: skip
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.filter(city_id=city_id)  # type: ignore[attr-defined]
        if not self.initial.get("languages") and not self.instance.pk:
            self.initial["languages"] = ["fr"]

    def split(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Plain fields and many-to-many relations, for the services."""
        data = dict(self.cleaned_data)
        relations = {name: data.pop(name) for name in RELATION_FIELDS}
        return data, relations

    def _post_clean(self) -> None:
        # The model's clean() runs in the service, with the organisation set; here only field checks.
        pass


class SessionForm(forms.Form):
    """One session, or a repeating series of sessions."""

    REPEAT_CHOICES = [
        ("", _("Does not repeat")),
        ("WEEKLY", _("Every week")),
        ("DAILY", _("Every day")),
        ("MONTHLY", _("Every month")),
    ]
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, required=False)
    occurrences = forms.IntegerField(label=_("Number of sessions"), min_value=1, max_value=366, required=False)
    capacity = forms.IntegerField(label=_("Places (if different)"), min_value=0, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The end must be after the start."))
        if data.get("repeat") and not data.get("occurrences"):
            self.add_error("occurrences", _("Say how many sessions the series has."))
        return data

    def recurrence_rule(self) -> str:
        """The RFC 5545 RRULE for the chosen repetition."""
        repeat = self.cleaned_data.get("repeat")
        if not repeat:
            return ""
        return f"FREQ={repeat};COUNT={self.cleaned_data['occurrences']}"


class ReviewForm(forms.Form):
    """A coordinator's decision on a submitted listing."""

    decision = forms.ChoiceField(
        choices=[("publish", _("Publish")), ("return", _("Send back")), ("archive", _("Archive"))]
    )
    note = forms.CharField(label=_("Note to the provider"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

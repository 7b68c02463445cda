"""The coordinator's learning-desert form: what to measure, for whom, and what if."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from analytics.indicators import load_framework
from learningcity.catalogue.models import BuildingBlock, City, Venue
from learningcity.monitoring.access import AccessQuery, VenueChange
from learningcity.monitoring.city_framework import computations
from learningcity.monitoring.inputs import SupplyFilters
from learningcity.monitoring.models import CityIndicator, Outcome, ReportSection, Source


class AccessForm(forms.Form):
    """Filters of the access map (GET), including an optional what-if change."""

    label_suffix = ""
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[
            ("2sfca", _("Places within reach per 1,000 inhabitants (2SFCA)")),
            ("e2sfca", _("Same, closer places weigh more (enhanced 2SFCA)")),
            ("gravity", _("Gravity model")),
            ("nearest", _("Distance to the nearest place of learning")),
        ],
        initial="2sfca",
        required=False,
    )
    max_cost = forms.IntegerField(
        label=_("Walking distance (metres)"), min_value=100, max_value=5000, initial=800, required=False
    )
    block = forms.ModelChoiceField(
        label=_("Building block"), queryset=BuildingBlock.objects.all(), to_field_name="code", required=False,
        empty_label=_("All"),
    )  # fmt: skip
    age = forms.IntegerField(label=_("Age of the learner"), min_value=0, max_value=120, required=False)
    free = forms.BooleanField(label=_("Free only"), required=False)
    time = forms.ChoiceField(
        label=_("When"),
        choices=[("", _("Any time")), ("weekday_evening", _("Weekday evenings")), ("weekend", _("Weekends"))],
        required=False,
    )
    weight = forms.ChoiceField(
        label=_("Supply counted as"), choices=[("capacity", _("Places")), ("hours", _("Hours offered"))],
        initial="capacity", required=False,
    )  # fmt: skip
    open_latitude = forms.FloatField(label=_("Open a venue at latitude"), min_value=-90, max_value=90, required=False)
    open_longitude = forms.FloatField(label=_("and longitude"), min_value=-180, max_value=180, required=False)
    open_supply = forms.IntegerField(label=_("with places (or hours)"), min_value=1, max_value=100000, required=False)
    close_venue = forms.ModelChoiceField(
        label=_("Close this venue"), queryset=Venue.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["close_venue"].queryset = Venue.objects.filter(city_id=city_id).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opening = [data.get("open_latitude"), data.get("open_longitude"), data.get("open_supply")]
        if any(value is not None for value in opening) and not all(value is not None for value in opening):
            raise forms.ValidationError(_("To open a venue, give its latitude, longitude and places."))
        return data

    def query(self) -> AccessQuery:
        """The analysis asked for (call after is_valid)."""
        data = self.cleaned_data
        change = None
        if data.get("open_latitude") is not None or data.get("close_venue"):
            change = VenueChange(
                open_at=None if data.get("open_latitude") is None else (data["open_latitude"], data["open_longitude"]),
                open_supply=float(data.get("open_supply") or 0),
                close_venue_id=data["close_venue"].pk if data.get("close_venue") else None,
            )  # fmt: skip
        supply = SupplyFilters(
            building_block=data["block"].code if data.get("block") else "", age=data.get("age"),
            free_only=bool(data.get("free")), time_of_week=data.get("time") or "",
            weight=data.get("weight") or "capacity",
        )  # fmt: skip
        return AccessQuery(
            measure=data.get("measure") or "2sfca", max_cost=float(data.get("max_cost") or 800), supply=supply,
            change=change,
        )  # fmt: skip


class AreasUploadForm(forms.Form):
    """A coordinator's own small areas (e.g. census areas) and venues, analysed without touching the catalogue."""

    areas = forms.FileField(
        label=_("Areas (GeoJSON)"),
        help_text=_("A FeatureCollection of polygons in WGS84, each with its population as a property."),
    )
    population_property = forms.CharField(label=_("Population property"), initial="population", max_length=100)
    supply_property = forms.CharField(
        label=_("Supply property of the areas"), required=False, max_length=100,
        help_text=_("Or give venues below."),
    )  # fmt: skip
    venues = forms.FileField(
        label=_("Venues (CSV: longitude, latitude, supply)"),
        required=False,
    )
    measure = AccessForm.base_fields["measure"]
    max_cost = AccessForm.base_fields["max_cost"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("venues")) == bool(data.get("supply_property")):
            raise forms.ValidationError(_("Give either a venues file or a supply property, not both."))
        for name in ("areas", "venues"):
            upload = data.get(name)
            if upload is not None and upload.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                self.add_error(name, _("This file is larger than the limit of %(size)s.")
                               % {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})  # fmt: skip
        return data


class FeedbackForm(forms.Form):
    """A rating from 1 to 5 and an optional comment."""

    rating = forms.TypedChoiceField(
        label=_("How useful was it?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 — very useful")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 — not useful"))],
    )  # fmt: skip
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea)


class FollowUpForm(forms.Form):
    """What the learning led to."""

    outcome = forms.ChoiceField(label=_("What did it lead to?"), choices=Outcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea)


BREAKDOWN_LABELS = {
    "age_band": _("Age band"), "sex": _("Sex"), "district": _("District"),
    "building_block": _("Building block"), "sector": _("Sector"), "year": _("Year"),
}  # fmt: skip


class IndicatorForm(forms.ModelForm):  # type: ignore[type-arg]
    """A city's indicator, as a coordinator adds or edits it (the code is fixed once created)."""

    computed_like = forms.ChoiceField(
        label=_("Computation"), required=False,
        help_text=_("For an indicator computed from the platform: which default computation it uses."),
    )  # fmt: skip
    breakdowns = forms.MultipleChoiceField(
        label=_("Breakdowns"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(BREAKDOWN_LABELS.items()),
    )  # fmt: skip

    class Meta:
        model = CityIndicator
        fields = [
            "code", "sub_area", "name_fr", "name_en", "definition_fr", "definition_en", "unit", "direction",
            "source", "computed_like", "breakdowns", "target", "goalpost_low", "goalpost_high",
        ]  # fmt: skip
        help_texts = {
            "code": _("Lower-case letters, digits and hyphens, e.g. adult-literacy. It cannot be changed later."),
            "goalpost_low": _("The value the index scores 0, whatever the direction."),
            "goalpost_high": _("The value the index scores 100, whatever the direction."),
        }
        widgets = {
            "definition_fr": forms.Textarea(attrs={"rows": 3}),
            "definition_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city
        framework = load_framework()
        language = (get_language() or "fr")[:2]
        self.computations = {indicator.code: indicator for indicator in computations()}
        self.fields["sub_area"] = forms.ChoiceField(
            label=_("Sub-area"),
            choices=[(sub.code, f"{sub.code} {getattr(sub.name, language)}") for sub in framework.sub_areas],
        )
        self.fields["unit"] = forms.ChoiceField(
            label=_("Unit"), choices=[(code, getattr(unit.name, language)) for code, unit in framework.units.items()]
        )
        self.fields["computed_like"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (code, getattr(indicator.name, language)) for code, indicator in self.computations.items()
        ]
        self.fields["target"].required = True
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["computed_like"] = self._computed_like(self.instance)
        else:
            self.initial["direction"] = self.initial.get("direction") or "higher"

    def _computed_like(self, row: CityIndicator) -> str:
        for code, indicator in self.computations.items():
            if indicator.method == row.method and dict(indicator.parameters) == dict(row.parameters or {}):
                return code
        return ""

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"])
        if not self.instance.pk and CityIndicator.objects.filter(city=self.city, code=code).exists():
            raise forms.ValidationError(_("The city already has an indicator with this code (perhaps retired)."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("goalpost_low"), data.get("goalpost_high")
        if low is not None and high is not None and low >= high:
            self.add_error("goalpost_high", _("The upper goalpost must be above the lower one."))
        if data.get("source") == Source.PLATFORM:
            self._clean_computation(data)
        else:
            self._clean_imported(data)
        return data

    def _clean_imported(self, data: dict[str, Any]) -> None:
        if data.get("computed_like"):
            self.add_error("computed_like", _("Only indicators computed from the platform have a computation."))
        if set(data.get("breakdowns") or []) - {"district", "year"}:
            self.add_error(
                "breakdowns", _("Imported statistics and surveys are broken down by district and year only.")
            )

    def _clean_computation(self, data: dict[str, Any]) -> None:
        like = self.computations.get(data.get("computed_like") or "")
        if like is None:
            self.add_error("computed_like", _("Choose how the platform computes this indicator."))
            return
        unsupported = [key for key in data.get("breakdowns") or [] if key not in like.breakdowns]
        if unsupported:
            names = ", ".join(str(BREAKDOWN_LABELS[key]) for key in unsupported)
            self.add_error("breakdowns", _("This computation cannot be broken down by: %(names)s.") % {"names": names})

    def computation(self) -> tuple[str, dict[str, Any]]:
        """The method and parameters to store (call after is_valid)."""
        like = self.computations.get(self.cleaned_data.get("computed_like") or "")
        if self.cleaned_data["source"] != Source.PLATFORM or like is None:
            return "statistic", {}
        return like.method, dict(like.parameters)


class ReportTextsForm(forms.Form):
    """The report's narrative sections, each in French and English (all optional)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section, label in ReportSection.choices:
            for language, name in [("fr", _("French")), ("en", _("English"))]:
                self.fields[f"{section}_{language}"] = forms.CharField(
                    label=_("%(section)s (%(language)s)") % {"section": label, "language": name},
                    required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 6, "lang": language}),
                )  # fmt: skip


class ReminderPreferenceForm(forms.Form):
    """Whether to receive the follow-up question by e-mail."""

    follow_up_emails = forms.BooleanField(
        label=_("E-mail me the follow-up question after sessions I attend"), required=False
    )

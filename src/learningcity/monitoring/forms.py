"""The coordinator's learning-desert form: what to measure, for whom, and what if."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import BuildingBlock, Venue
from learningcity.monitoring.access import AccessQuery, VenueChange
from learningcity.monitoring.inputs import SupplyFilters
from learningcity.monitoring.models import Outcome


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

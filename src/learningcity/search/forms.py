"""The one reader of search parameters, shared by the page, the API and saved searches.

Every parameter is checked; a bad value is reported with its name and the reason, and never
reaches the database. Several values of one filter widen it (`kind=course&kind=workshop`);
different filters narrow each other.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import BuildingBlock, City, District, Kind, Language, Mode, Sector, Topic, Venue
from learningcity.search import query as q
from learningcity.search.facets import ACCESS_LABELS, DAY_LABELS, TIME_LABELS, cached
from learningcity.search.indexing import ACCESS_FEATURES, TIMES_OF_DAY
from learningcity.search.selectors import Near, SearchParams

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_RADIUS_KM = 3
MAX_RADIUS_KM = 50
MAX_PAGE = 500
MAX_DATE_SPAN_DAYS = 731
MULTIPLE = ("block", "kind", "topic", "day", "time", "language", "mode", "access", "district", "sector")
SORT_LABELS = {"relevance": _("Relevance"), "date": _("Date"), "distance": _("Distance")}


class SearchForm(forms.Form):
    """Search parameters (GET). Use `params()` after `is_valid()`."""

    q = forms.CharField(label=_("What would you like to learn?"), required=False, max_length=q.MAX_QUERY_LENGTH)
    block = forms.MultipleChoiceField(label=_("Building block"), required=False)
    kind = forms.MultipleChoiceField(label=_("Kind"), required=False, choices=Kind.choices)
    topic = forms.MultipleChoiceField(label=_("Topic"), required=False)
    age = forms.IntegerField(label=_("Age of the learner"), required=False, min_value=0, max_value=120)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("Until"), required=False)
    day = forms.MultipleChoiceField(
        label=_("Day of the week"), required=False, choices=list(zip(DAY_CODES, DAY_LABELS, strict=True))
    )
    time = forms.MultipleChoiceField(
        label=_("Time of day"), required=False, choices=[(part, TIME_LABELS[part]) for part in TIMES_OF_DAY]
    )
    free = forms.BooleanField(label=_("Free only"), required=False)
    max_price = forms.DecimalField(
        label=_("Maximum price (EUR)"), required=False, min_value=Decimal(0), max_value=Decimal(10000), decimal_places=2
    )
    language = forms.MultipleChoiceField(label=_("Language"), required=False)
    mode = forms.MultipleChoiceField(label=_("Where"), required=False, choices=Mode.choices)
    access = forms.MultipleChoiceField(
        label=_("Accessibility"), required=False, choices=[(code, ACCESS_LABELS[code]) for code in ACCESS_FEATURES]
    )
    district = forms.MultipleChoiceField(label=_("District"), required=False)
    sector = forms.MultipleChoiceField(label=_("Provider sector"), required=False, choices=Sector.choices)
    places = forms.BooleanField(label=_("Places left"), required=False)
    near = forms.CharField(
        label=_("Near a point (latitude,longitude)"), required=False, max_length=60, widget=forms.HiddenInput
    )
    near_venue = forms.IntegerField(label=_("Near a place"), required=False, min_value=1, widget=forms.HiddenInput)
    near_district = forms.ChoiceField(label=_("Near the centre of"), required=False)
    radius = forms.DecimalField(
        label=_("Within (km)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal(MAX_RADIUS_KM),
        decimal_places=1,
    )
    past = forms.BooleanField(label=_("Include past opportunities"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORT_LABELS.items()))
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, city: City, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, **kwargs)
        self.city = city
        fields = self.fields
        choices = cached(("form-choices", city.pk), lambda: _choices(city))
        for name in ("block", "topic", "language", "district"):
            fields[name].choices = choices[name]  # type: ignore[attr-defined]
        fields["near_district"].choices = [("", _("Anywhere")), *choices["district"]]  # type: ignore[attr-defined]

    def clean_q(self) -> str:
        text: str = self.cleaned_data.get("q") or ""
        try:
            q.parse(text)
        except q.QueryError as error:
            messages = {
                "too_long": _("The search text is too long: at most %(limit)s characters."),
                "too_many_words": _("Too many words: at most %(limit)s."),
            }
            raise ValidationError(messages[error.code], code=error.code, params={"limit": error.limit}) from error
        return text

    def clean_near(self) -> tuple[float, float] | None:
        value: str = (self.cleaned_data.get("near") or "").strip()
        if not value:
            return None
        parts = value.split(",")
        try:
            latitude, longitude = (float(part) for part in parts)
        except ValueError:
            raise ValidationError(_("Give the point as latitude,longitude in degrees."), code="near") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError(_("Latitude goes from -90 to 90 and longitude from -180 to 180."), code="near")
        return latitude, longitude

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date must be on or after the start date."))
            elif end - start > timedelta(days=MAX_DATE_SPAN_DAYS):
                self.add_error("date_to", _("Search at most two years at a time."))
        points = [name for name in ("near", "near_venue", "near_district") if data.get(name)]
        if len(points) > 1:
            self.add_error(None, _("Search near one place at a time."))
        if data.get("near_venue") and not Venue.objects.filter(pk=data["near_venue"], city=self.city).exists():
            self.add_error("near_venue", _("There is no such place in this city."))
        place_refused = any(name in self.errors for name in ("near", "near_venue", "near_district"))
        if data.get("sort") == "distance" and not points and not place_refused:
            self.add_error("sort", _("Choose a place to sort by distance."))
        if data.get("radius") is not None and not points and not place_refused:
            self.add_error("radius", _("Choose a place to search around."))
        return data

    def params(self) -> SearchParams:
        """The search the valid input asks for."""
        data = self.cleaned_data
        topics = dict(Topic.objects.filter(code__in=data.get("topic") or []).values_list("code", "pk"))
        districts = dict(
            District.objects.filter(city=self.city, code__in=data.get("district") or []).values_list("code", "pk")
        )
        return SearchParams(
            text=data.get("q") or "",
            blocks=tuple(data.get("block") or ()),
            kinds=tuple(data.get("kind") or ()),
            topics=tuple(topics[code] for code in data.get("topic") or ()),
            age=data.get("age"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            days=tuple(DAY_CODES.index(day) for day in data.get("day") or ()),
            times=tuple(data.get("time") or ()),
            free=bool(data.get("free")),
            max_price=data.get("max_price"),
            languages=tuple(data.get("language") or ()),
            modes=tuple(data.get("mode") or ()),
            access=tuple(data.get("access") or ()),
            districts=tuple(districts[code] for code in data.get("district") or ()),
            sectors=tuple(data.get("sector") or ()),
            places=bool(data.get("places")),
            near=self._near(),
            include_past=bool(data.get("past")),
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
        )

    def _near(self) -> Near | None:
        data = self.cleaned_data
        radius = float(data.get("radius") or DEFAULT_RADIUS_KM)
        if data.get("near"):
            latitude, longitude = data["near"]
            return Near(latitude, longitude, radius)
        if data.get("near_venue"):
            venue = Venue.objects.get(pk=data["near_venue"])
            return Near(venue.latitude, venue.longitude, radius)
        if data.get("near_district"):
            return district_centre(District.objects.get(city=self.city, code=data["near_district"]), radius)
        return None

    def errors_by_field(self) -> list[dict[str, str | None]]:
        """Errors as `{"field", "message"}` pairs (the API's `details`)."""
        return [
            {"field": None if name == "__all__" else name, "message": str(message)}
            for name, messages in self.errors.items()
            for message in messages
        ]


def _choices(city: City) -> dict[str, list[tuple[str, str]]]:
    """The reference values a search may name, with labels in the active language."""
    return {
        "block": [(block.code, block.name) for block in BuildingBlock.objects.order_by("position")],
        "topic": [(topic.code, topic.name) for topic in Topic.objects.order_by("name_fr")],
        "language": [(language.code, language.name) for language in Language.objects.all()],
        "district": list(District.objects.filter(city=city).values_list("code", "name")),
    }


def district_centre(district: District, radius_km: float) -> Near:
    """The middle of a district: of its boundary's bounding box, else of its venues, else the city centre."""
    points = list(_coordinates(district.boundary or {}))
    if not points:
        points = [(venue.longitude, venue.latitude) for venue in district.venues.all()[:500]]
    if not points:
        return Near(district.city.latitude, district.city.longitude, radius_km)
    longitudes = [point[0] for point in points]
    latitudes = [point[1] for point in points]
    return Near((min(latitudes) + max(latitudes)) / 2, (min(longitudes) + max(longitudes)) / 2, radius_km)


def _coordinates(geometry: Any) -> Any:
    """Every (longitude, latitude) pair of a GeoJSON geometry."""
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else geometry
    if (
        isinstance(coordinates, list)
        and len(coordinates) >= 2
        and all(isinstance(v, int | float) for v in coordinates[:2])
    ):
        yield float(coordinates[0]), float(coordinates[1])
    elif isinstance(coordinates, list):
        for part in coordinates:
            yield from _coordinates(part)

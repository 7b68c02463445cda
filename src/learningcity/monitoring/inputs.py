"""Reads that turn the catalogue into the demand and supply of a spatial-access analysis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import numpy as np
import pandas as pd
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from learningcity.catalogue.models import City, District, Opportunity, PopulationCount, Session, Venue

AGE_BANDS: list[tuple[str, int, int]] = [
    ("0-5", 0, 5), ("6-10", 6, 10), ("11-17", 11, 17), ("18-24", 18, 24), ("25-44", 25, 44),
    ("45-64", 45, 64), ("65-79", 65, 79), ("80+", 80, 120),
]  # fmt: skip
DEFAULT_PLACES = 15  # an opportunity that states no capacity counts as a small group
TimeOfWeek = Literal["", "weekday_evening", "weekend"]


@dataclass(frozen=True)
class SupplyFilters:
    """Which opportunities count as supply."""

    building_block: str = ""
    age: int | None = None
    free_only: bool = False
    time_of_week: TimeOfWeek = ""
    weight: Literal["capacity", "hours"] = "capacity"
    horizon_days: int = 56


def band_shares(age_min: int, age_max: int) -> list[tuple[int, str, float]]:
    """(column, band, fraction) of a census age range in each of our bands, by the years it covers."""
    years = age_max - age_min + 1
    shares = []
    for column, (band, low, high) in enumerate(AGE_BANDS):
        overlap = min(high, age_max) - max(low, age_min) + 1
        if overlap > 0:
            shares.append((column, band, overlap / years))
    return shares


def population_by_band(city: City, year: int | None = None) -> tuple[list[District], pd.DataFrame]:
    """Districts and their inhabitants by age band (rows aligned with the districts), both sexes."""
    districts = list(city.districts.order_by("code"))
    counts = PopulationCount.objects.filter(district__city=city)
    if year is None:  # the latest census year (none at all: everyone counts as zero)
        year = counts.order_by("-year").values_list("year", flat=True).first() or 0
    position = {district.pk: index for index, district in enumerate(districts)}
    values = np.zeros((len(districts), len(AGE_BANDS)))
    for row in counts.filter(year=year).values("district_id", "age_min", "age_max", "count"):
        for column, _band, share in band_shares(row["age_min"], row["age_max"]):
            values[position[row["district_id"]], column] += row["count"] * share
    frame = pd.DataFrame(values, index=[d.pk for d in districts], columns=[band for band, _, _ in AGE_BANDS])
    return districts, frame


def bands_admitting(age: int | None) -> list[str]:
    """The age bands a learner of `age` belongs to (all bands when no age is given)."""
    if age is None:
        return [band for band, _, _ in AGE_BANDS]
    return [band for band, low, high in AGE_BANDS if low <= age <= high]


def venue_supply(city: City, filters: SupplyFilters) -> pd.DataFrame:
    """Venues with their supply: places (capacity) or hours offered over the coming weeks."""
    opportunities = Opportunity.objects.published().filter(city=city, venue__isnull=False).exclude(mode="online")
    if filters.building_block:
        opportunities = opportunities.filter(building_blocks__code=filters.building_block)
    if filters.age is not None:
        opportunities = opportunities.filter(age_min__lte=filters.age, age_max__gte=filters.age)
    if filters.free_only:
        opportunities = opportunities.filter(is_free=True)
    sessions = _sessions_in_horizon(filters).filter(opportunity__in=opportunities)
    if filters.weight == "hours":
        supply = _hours_by_venue(sessions)
    else:
        supply = _places_by_venue(opportunities, sessions, filters)
    rows = list(Venue.objects.filter(city=city).values("id", "name", "latitude", "longitude", "district_id"))
    venues = pd.DataFrame(rows, columns=["id", "name", "latitude", "longitude", "district_id"]).set_index("id")
    venues["supply"] = pd.Series(supply, dtype=float).reindex(venues.index).fillna(0.0)
    return venues


def _sessions_in_horizon(filters: SupplyFilters) -> QuerySet[Session]:
    now = timezone.now()
    sessions = Session.objects.filter(start__gte=now, start__lt=now + timedelta(days=filters.horizon_days))
    if filters.time_of_week == "weekend":
        sessions = sessions.filter(start__week_day__in=[1, 7])  # Django: 1 is Sunday, 7 is Saturday
    elif filters.time_of_week == "weekday_evening":
        sessions = sessions.filter(start__week_day__in=[2, 3, 4, 5, 6], start__hour__gte=17)
    return sessions


def _hours_by_venue(sessions: QuerySet[Session]) -> dict[int, float]:
    hours: dict[int, float] = {}
    for venue_id, start, end in sessions.values_list("opportunity__venue_id", "start", "end"):
        hours[venue_id] = hours.get(venue_id, 0.0) + (end - start).total_seconds() / 3600
    return hours


def _places_by_venue(
    opportunities: QuerySet[Opportunity], sessions: QuerySet[Session], filters: SupplyFilters
) -> dict[int, float]:
    if filters.time_of_week:
        # Only opportunities that actually meet at that time of the week count.
        opportunities = opportunities.filter(pk__in=sessions.values("opportunity_id"))
    rows = (
        opportunities.values("venue_id")
        .annotate(places=Sum("capacity"), missing=Count("id", filter=Q(capacity__isnull=True)))
        .values_list("venue_id", "places", "missing")
    )
    return {venue_id: float((places or 0) + DEFAULT_PLACES * (missing or 0)) for venue_id, places, missing in rows}

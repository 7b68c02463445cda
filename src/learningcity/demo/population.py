"""Districts of the demo city and who lives there, by five-year age band and sex.

The age structure follows France's (INSEE estimates, early 2020s): women outnumber men from the
fifties onwards and make up about two thirds of the over-85s. Each district bends that structure
according to its profile: student quarters are full of twenty-somethings, the historic centre is
older, the peripheral estates are young and large.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from learningcity.demo.names import CITY_LATITUDE, CITY_LONGITUDE, DISTRICTS, DistrictName

AGE_BANDS: list[tuple[int, int]] = [(low, low + 4) for low in range(0, 85, 5)] + [(85, 120)]

# Share of the French population in each band (per cent) and share of women in it.
FRANCE_SHARES = [5.3, 5.9, 6.2, 6.2, 5.7, 5.5, 5.9, 6.2, 6.2, 6.3, 6.7, 6.6, 6.3, 5.9, 5.6, 4.1, 2.9, 3.2]
FEMALE_SHARES = [
    0.488,
    0.488,
    0.488,
    0.489,
    0.493,
    0.503,
    0.509,
    0.511,
    0.508,
    0.505,
    0.507,
    0.513,
    0.520,
    0.528,
    0.537,
    0.563,
    0.594,
    0.676,
]
PROFILE_FACTORS: dict[str, list[float]] = {
    "balanced": [1.0] * 18,
    "families": [1.3, 1.35, 1.3, 1.1, 0.8, 0.9, 1.2, 1.3, 1.25, 1.1, 1.0, 0.9, 0.85, 0.8, 0.75, 0.7, 0.7, 0.7],
    "older": [0.7, 0.7, 0.75, 0.8, 0.9, 0.9, 0.85, 0.85, 0.9, 0.95, 1.05, 1.15, 1.3, 1.45, 1.55, 1.6, 1.7, 1.8],
    "students": [0.6, 0.55, 0.6, 1.3, 3.0, 2.0, 1.2, 0.9, 0.8, 0.75, 0.75, 0.75, 0.75, 0.7, 0.65, 0.6, 0.6, 0.6],
    "estate": [1.5, 1.5, 1.45, 1.35, 1.2, 1.1, 1.1, 1.1, 1.05, 1.0, 0.95, 0.9, 0.85, 0.75, 0.65, 0.55, 0.5, 0.45],
}

# How many venues a zone gets per inhabitant, relative to the city average, and how readily its
# residents take part in learning. Peripheral estates are under-served and take part less.
VENUE_FACTORS = {"centre": 2.0, "ring": 1.0, "periphery": 0.3}
PARTICIPATION_FACTORS = {"centre": 1.1, "ring": 1.0, "periphery": 0.45}

TOTAL_INHABITANTS = 250_000
LATITUDE_STEP = 0.0135  # about 1.5 km
LONGITUDE_STEP = 0.02  # about 1.5 km at 47° N
COLUMNS, ROWS = 5, 4


@dataclass(frozen=True)
class DistrictPlan:
    """A district as planned: identity, zone, profile, bounding box and size."""

    index: int
    code: str
    name: str
    of: str
    zone: str
    profile: str
    south: float
    north: float
    west: float
    east: float
    inhabitants: int
    postcode: str

    @property
    def venue_factor(self) -> float:
        """Relative venue density of this district's zone."""
        return VENUE_FACTORS[self.zone]

    @property
    def participation(self) -> float:
        """Relative propensity of residents to take part in learning."""
        return PARTICIPATION_FACTORS[self.zone]


def zone_of(column: int, row: int) -> str:
    """Corners are the periphery, the six inner cells the centre, the rest a ring between."""
    if column in (0, COLUMNS - 1) and row in (0, ROWS - 1):
        return "periphery"
    if 0 < column < COLUMNS - 1 and 0 < row < ROWS - 1:
        return "centre"
    return "ring"


def plan_districts(total: int = TOTAL_INHABITANTS) -> list[DistrictPlan]:
    """The twenty districts on a 5 x 4 grid centred on the city centre."""
    size_sum = sum(district.size for district in DISTRICTS)
    return [
        _plan_district(index, district, round(total * district.size / size_sum))
        for index, district in enumerate(DISTRICTS)
    ]


def _plan_district(index: int, district: DistrictName, inhabitants: int) -> DistrictPlan:
    north = CITY_LATITUDE + (ROWS / 2 - district.row) * LATITUDE_STEP
    west = CITY_LONGITUDE + (district.column - COLUMNS / 2) * LONGITUDE_STEP
    postcode = {0: "37100", ROWS - 1: "37200"}.get(district.row, "37000")
    return DistrictPlan(
        index=index,
        code=f"Q{index + 1:02d}",
        name=district.name,
        of=district.of,
        zone=zone_of(district.column, district.row),
        profile=district.profile,
        south=round(north - LATITUDE_STEP, 6),
        north=round(north, 6),
        west=round(west, 6),
        east=round(west + LONGITUDE_STEP, 6),
        inhabitants=inhabitants,
        postcode=postcode,
    )


def boundary(district: DistrictPlan) -> dict[str, Any]:
    """The district's rectangle as a GeoJSON Polygon (longitude first, ring closed)."""
    ring = [
        [district.west, district.south],
        [district.east, district.south],
        [district.east, district.north],
        [district.west, district.north],
        [district.west, district.south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def population_bands(district: DistrictPlan, rng: random.Random) -> list[tuple[int, int, str, int]]:
    """(age_min, age_max, sex, count) for every band and sex, summing to about the district's size."""
    factors = PROFILE_FACTORS[district.profile]
    weights = [share * factor for share, factor in zip(FRANCE_SHARES, factors, strict=True)]
    total_weight = sum(weights)
    rows: list[tuple[int, int, str, int]] = []
    for (low, high), weight, female_share in zip(AGE_BANDS, weights, FEMALE_SHARES, strict=True):
        band_total = district.inhabitants * weight / total_weight * rng.uniform(0.97, 1.03)
        women = round(band_total * female_share)
        rows.append((low, high, "F", women))
        rows.append((low, high, "M", round(band_total) - women))
    return rows


def random_point(district: DistrictPlan, rng: random.Random) -> tuple[float, float]:
    """A (latitude, longitude) inside the district, away from its edges."""
    margin_lat = (district.north - district.south) * 0.08
    margin_lon = (district.east - district.west) * 0.08
    latitude = rng.uniform(district.south + margin_lat, district.north - margin_lat)
    longitude = rng.uniform(district.west + margin_lon, district.east - margin_lon)
    return round(latitude, 6), round(longitude, 6)

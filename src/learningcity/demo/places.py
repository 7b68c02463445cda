"""Providers and places: organisations of every sector and type, and the venues where they teach.

Venues are spread over districts in proportion to inhabitants times the zone's venue factor
(see `population.VENUE_FACTORS`), which leaves the peripheral estates under-served.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any, TypeVar

from django.utils.text import slugify

from learningcity.demo import names
from learningcity.demo.population import DistrictPlan, random_point
from learningcity.demo.timeslots import Clock

T = TypeVar("T")

# Share of organisations of each type, and the sectors each type belongs to (with weights).
TYPE_WEIGHTS: dict[str, float] = {
    "association": 26,
    "school": 12,
    "employer": 12,
    "community_centre": 8,
    "sports": 8,
    "vocational": 7,
    "cultural": 7,
    "city_service": 6,
    "library": 5,
    "museum": 3,
    "university": 3,
    "online_platform": 3,
}
SECTORS: dict[str, tuple[tuple[str, float], ...]] = {
    "school": (("formal", 1.0),),
    "university": (("formal", 1.0),),
    "vocational": (("formal", 0.7), ("non_formal", 0.3)),
    "library": (("informal", 0.6), ("non_formal", 0.4)),
    "museum": (("informal", 0.7), ("non_formal", 0.3)),
    "cultural": (("informal", 0.5), ("non_formal", 0.5)),
    "association": (("non_formal", 0.8), ("informal", 0.2)),
    "community_centre": (("non_formal", 0.7), ("informal", 0.3)),
    "city_service": (("non_formal", 0.8), ("informal", 0.2)),
    "sports": (("non_formal", 1.0),),
    "employer": (("non_formal", 0.5), ("informal", 0.5)),
    "online_platform": (("non_formal", 0.6), ("informal", 0.4)),
}
# Types that run several sites get extra venues more often.
EXTRA_VENUE_WEIGHTS: dict[str, float] = {"library": 3, "community_centre": 3, "city_service": 2, "association": 1}

ORGANISATION_COLUMNS = (
    "id",
    "city_id",
    "name",
    "sector",
    "type",
    "description_fr",
    "description_en",
    "email",
    "phone",
    "website",
    "siret",
    "verified",
    "created_at",
    "updated_at",
)
VENUE_COLUMNS = (
    "id",
    "city_id",
    "organisation_id",
    "name",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "district_id",
    "opening_hours",
    "step_free_access",
    "accessible_toilets",
    "hearing_loop",
    "sign_language",
    "easy_read",
)


@dataclass
class OrganisationPlan:
    """An organisation as planned: what the catalogue generator needs to know about it."""

    id: int
    name: str
    type: str
    district: DistrictPlan
    slug: str
    topics: tuple[str, ...] = ()
    venue_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class VenuePlan:
    """A venue as planned, with the place sentences descriptions will use."""

    id: int
    name: str
    address: str
    district: DistrictPlan


def organisation_count(size: int) -> int:
    """About one organisation per 20 opportunities, at least one of each type, at most 5,000."""
    return max(len(TYPE_WEIGHTS) + 2, min(size // 20, 5_000))


def venue_count(size: int, organisations: int) -> int:
    """About 0.075 venues per opportunity, one and a half per organisation at least, at most 10,000."""
    return min(max(round(size * 0.075), organisations + organisations // 2), 10_000)


def district_weights(districts: list[DistrictPlan]) -> list[float]:
    """Cumulative weights that place providers: inhabitants times the zone's venue factor."""
    return list(accumulate(district.inhabitants * district.venue_factor for district in districts))


def pick(rng: random.Random, items: Sequence[T], cumulative: list[float]) -> T:
    """A weighted choice from precomputed cumulative weights."""
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def weighted_choice(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """A weighted choice among a few (value, weight) pairs."""
    return pick(rng, [value for value, _ in options], list(accumulate(weight for _, weight in options)))


def siret(rng: random.Random) -> str:
    """A 14-digit SIRET whose SIREN (first 9 digits) and whole number both pass the Luhn check."""
    siren = _luhn_complete("".join(str(rng.randrange(10)) for _ in range(8)))
    return _luhn_complete(siren + "".join(str(rng.randrange(10)) for _ in range(4)))


def _luhn_complete(digits: str) -> str:
    """Append the check digit that makes the number pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char) * (1 if index % 2 else 2)
        total += digit - 9 if digit > 9 else digit
    return digits + str((10 - total % 10) % 10)


def phone(rng: random.Random) -> str:
    """A plausible Centre-Val de Loire landline number."""
    return "02 47 " + " ".join(f"{rng.randrange(100):02d}" for _ in range(3))


class NameMaker:
    """Fills name templates and keeps names unique within the city."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def make(self, templates: list[tuple[str, str]], district: DistrictPlan) -> tuple[str, str]:
        """(name, topics) from one of the templates, preferring a name not used yet."""
        template, topics = self.rng.choice(templates)
        name = self._fill(template, district)
        for _ in range(12):
            if name not in self.seen:
                break
            template, topics = self.rng.choice(templates)
            name = self._fill(template, district)
        return self.unique(name, district), topics

    def unique(self, name: str, district: DistrictPlan) -> str:
        """The name, or if taken the name with its district, then with a number."""
        if name in self.seen:
            name = f"{name} ({district.name})"
        base, number = name, 2
        while name in self.seen:
            name, number = f"{base} {number}", number + 1
        self.seen.add(name)
        return name

    def _fill(self, template: str, district: DistrictPlan) -> str:
        rng = self.rng
        return template.format(
            person=rng.choice(names.PEOPLE),
            of=district.of,
            surname=rng.choice(names.SURNAMES),
            subject=rng.choice(names.SUBJECTS),
            trade=rng.choice(names.TRADES),
            sport=rng.choice(names.SPORTS),
            cinema=rng.choice(names.CINEMAS),
            care_home=rng.choice(names.CARE_HOMES),
        )


def plan_organisations(
    rng: random.Random, districts: list[DistrictPlan], count: int, first_id: int
) -> list[OrganisationPlan]:
    """The organisations: the two demo providers first, then one of each type, then weighted draws."""
    maker = NameMaker(rng)
    by_name = {district.name: district for district in districts}
    plans: list[OrganisationPlan] = []
    for name, type_, district_name in (names.ORGANISATION_A, names.ORGANISATION_B):
        maker.seen.add(name)
        plans.append(OrganisationPlan(first_id + len(plans), name, type_, by_name[district_name], slugify(name)))
    types = list(TYPE_WEIGHTS)
    type_weights = list(accumulate(TYPE_WEIGHTS.values()))
    cumulative = district_weights(districts)
    while len(plans) < count:
        position = len(plans) - 2
        type_ = types[position] if position < len(types) else pick(rng, types, type_weights)
        district = pick(rng, districts, cumulative)
        name, topics = maker.make(names.ORGANISATION_NAMES[type_], district)
        slug = slugify(name)[:40].strip("-")
        plans.append(OrganisationPlan(first_id + len(plans), name, type_, district, slug, tuple(topics.split())))
    return plans


def organisation_row(plan: OrganisationPlan, rng: random.Random, city_id: int, clock: Clock) -> tuple[Any, ...]:
    """The database row of an organisation."""
    description_fr, description_en = names.ORGANISATION_DESCRIPTIONS[plan.type]
    has_siret = plan.type != "online_platform" and rng.random() < 0.7
    created_day = -rng.randrange(400, 3000)
    return (
        plan.id,
        city_id,
        plan.name,
        weighted_choice(rng, SECTORS[plan.type]),
        plan.type,
        description_fr.format(district=plan.district.name),
        description_en.format(district=plan.district.name),
        f"contact@{plan.slug}.{names.EMAIL_DOMAIN}",
        phone(rng),
        f"https://{plan.slug}.{names.WEB_DOMAIN}/" if rng.random() < 0.6 else "",
        siret(rng) if has_siret else "",
        rng.random() < 0.85,
        clock.moment(created_day, 540 + rng.randrange(32) * 15),
        clock.moment(-rng.randrange(1, 400), 540 + rng.randrange(32) * 15),
    )


def plan_venues(
    rng: random.Random,
    districts: list[DistrictPlan],
    organisations: list[OrganisationPlan],
    count: int,
    first_id: int,
) -> list[tuple[VenuePlan, OrganisationPlan | None]]:
    """Each organisation's main site, then annexes and public halls until `count` venues exist."""
    venues: list[tuple[VenuePlan, OrganisationPlan | None]] = []
    for organisation in organisations:
        if organisation.type != "online_platform" and len(venues) < count:
            venues.append((_venue(rng, first_id + len(venues), organisation.name, organisation.district), organisation))
    hosts = [organisation for organisation in organisations if organisation.type in EXTRA_VENUE_WEIGHTS]
    host_weights = list(accumulate(EXTRA_VENUE_WEIGHTS[host.type] for host in hosts))
    cumulative = district_weights(districts)
    maker = NameMaker(rng)
    maker.seen.update(venue.name for venue, _ in venues)
    while len(venues) < count:
        district = pick(rng, districts, cumulative)
        if rng.random() < 0.3:
            name, _ = maker.make([(template, "") for template in names.PUBLIC_VENUES], district)
            venues.append((_venue(rng, first_id + len(venues), name, district), None))
            continue
        host = pick(rng, hosts, host_weights)
        venue = _venue(rng, first_id + len(venues), "", district)
        street = venue.address.split(" ", 1)[1].removeprefix("bis ")
        annex = f"annexe {district.of}" if district is not host.district else f"site {street}"
        venues.append((replace(venue, name=maker.unique(f"{host.name} — {annex}", district)), host))
    for venue, owner in venues:
        if owner is not None:
            owner.venue_ids.append(venue.id)
    return venues


def _venue(rng: random.Random, venue_id: int, name: str, district: DistrictPlan) -> VenuePlan:
    number = rng.randrange(1, 180)
    suffix = " bis" if rng.random() < 0.05 else ""
    address = f"{number}{suffix} {rng.choice(names.STREETS)}"
    return VenuePlan(venue_id, name, address, district)


def venue_row(
    venue: VenuePlan,
    organisation: OrganisationPlan | None,
    rng: random.Random,
    city_id: int,
    district_ids: list[int],
) -> tuple[Any, ...]:
    """The database row of a venue, with opening hours and accessibility features."""
    latitude, longitude = random_point(venue.district, rng)
    type_ = organisation.type if organisation else ""
    step_free = rng.random() < (0.65 if venue.district.zone == "centre" else 0.8)
    welcoming = type_ in ("library", "museum", "cultural", "city_service")
    return (
        venue.id,
        city_id,
        organisation.id if organisation else None,
        venue.name,
        venue.address,
        venue.district.postcode,
        latitude,
        longitude,
        district_ids[venue.district.index],
        rng.choice(names.OPENING_HOURS[type_]),
        step_free,
        step_free and rng.random() < 0.8,
        rng.random() < (0.4 if welcoming else 0.1),
        rng.random() < (0.15 if welcoming else 0.03),
        rng.random() < (0.25 if welcoming else 0.08),
    )

"""Build the demo learning city, Villeneuve-sur-Loire, deterministically from a seed.

`build_demo_city(size=8000, seed=1)` creates, in one transaction: 20 districts with population
counts by age band and sex (about 250,000 inhabitants), about `size / 20` organisations of every
sector and type, `size * 0.075` venues, `size` opportunities with natural French and English
titles and descriptions, their sessions (from two months before the anchor date to six months
after), `residents` resident accounts with registrations, and six demo logins (`DEMO_LOGINS`,
password `DEMO_PASSWORD`). The same seed, size and anchor always give exactly the same rows.

Inequalities built in on purpose, so that analytics have something true to find:

- Venues: the four peripheral districts (Les Hauts-de-Loire, Le Val-Fleuri, La Croix-Blanche,
  Les Peupliers: large, young social-housing estates on the grid's corners) get venues at 0.3
  times the city's rate per inhabitant, the six central districts at 2 times, so the centre has
  several times more venues (and listings) per 1,000 inhabitants than the periphery.
- Participation: residents of the peripheral districts join 0.45 times as many opportunities;
  men aged 25 to 54 half as many as the base rate, women 1.15 times as many; people aged 60-74
  1.2 times as many, over-75s 0.4 times as many (see `people.participation_rate`).
- Step-free access is rarer in the old central buildings (65 %) than elsewhere (80 %).
- Age structure: French national shares bent per district: older in the centre, students in
  Les Halles, Quartier Latin and Le Campus, young families on the estates; women outnumber men
  from age 50 and make up two thirds of the over-85s.
- Self-paced resources have no sessions (as the review workflow allows); everything else has 1 to 10.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.catalogue.models import (
    AudienceLabel,
    BuildingBlock,
    City,
    District,
    Opportunity,
    Organisation,
    PopulationCount,
    Session,
    Topic,
    Venue,
)
from learningcity.catalogue.reference import load_reference_data
from learningcity.demo import bulk, places
from learningcity.demo.catalogue import (
    OPPORTUNITY_COLUMNS,
    SESSION_COLUMNS,
    CatalogueContext,
    CataloguePlanner,
    PoolEntry,
)
from learningcity.demo.festival import build_demo_festival
from learningcity.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, PERSONAS, create_personas
from learningcity.demo.names import CITY_LATITUDE, CITY_LONGITUDE, CITY_NAME, CITY_SLUG, CITY_TIME_ZONE, EMAIL_DOMAIN
from learningcity.demo.offers import OfferCatalogue, ReferenceIds, all_topics
from learningcity.demo.passport import build_demo_passport
from learningcity.demo.people import (
    REGISTRATION_COLUMNS,
    USER_COLUMNS,
    Band,
    RegistrationPlanner,
    participation_rate,
    plan_residents,
    resident_row,
)
from learningcity.demo.pipeline import produce_ahead
from learningcity.demo.population import DistrictPlan, boundary, plan_districts, population_bands
from learningcity.demo.timeslots import Clock
from learningcity.demo.vocabulary import PARENT_TOPICS
from learningcity.enrolment.models import Registration
from learningcity.passport.models import Award, Pathway

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DemoCityError", "DemoSummary", "build_demo_city", "demo_city_loaded"]

CHUNK_SIZE = 20_000
POOL_SIZE = 8_000  # opportunities residents choose from, whatever the catalogue's size
Progress = Callable[[str], None]


class DemoCityError(RuntimeError):
    """The demo city (or its accounts) already exists."""


@dataclass(frozen=True)
class DemoSummary:
    """How much the build created, and how long it took."""

    districts: int
    inhabitants: int
    organisations: int
    venues: int
    opportunities: int
    sessions: int
    residents: int
    registrations: int
    seconds: float


@dataclass(frozen=True)
class _Build:
    """What every step of one build shares."""

    seed: int
    size: int
    clock: Clock
    city: City
    districts: list[DistrictPlan]
    district_ids: list[int]
    report: Progress

    def rng(self, stream: str) -> random.Random:
        """An independent, seeded generator per step, so one step's size never shifts another's draws."""
        return random.Random(f"{self.seed}:{stream}")


def demo_city_loaded() -> bool:
    """True if the demo city exists (identified by its slug)."""
    return City.objects.filter(slug=CITY_SLUG).exists()


def build_demo_city(
    *,
    size: int = 8000,
    seed: int = 1,
    anchor: date | None = None,
    residents: int = 2000,
    progress: Progress | None = None,
    search_index: bool = True,
) -> DemoSummary:
    """Create the demo city with `size` opportunities and `residents` residents; raise if it exists."""
    if size < 1 or residents < 0:
        raise ValueError("size must be at least 1 and residents at least 0")
    _ensure_absent()
    report = progress or _silent
    started = time.perf_counter()
    with transaction.atomic(), bulk.sqlite_tuned():
        counts = _build(size=size, seed=seed, anchor=anchor or timezone.localdate(), residents=residents, report=report)
        if search_index:
            from learningcity.search.indexing import rebuild

            indexed = time.perf_counter()
            listed = rebuild(City.objects.get(slug=CITY_SLUG))
            report(f"search index: {listed:,} published listings in {time.perf_counter() - indexed:.1f} s")
    seconds = round(time.perf_counter() - started, 3)
    report(f"done in {seconds:.1f} s")
    return DemoSummary(**counts, seconds=seconds)


def demo_city_remove() -> None:
    """Delete the demo city and every demo account (for tests and `--reset`)."""
    with transaction.atomic():
        Pathway.objects.filter(city__slug=CITY_SLUG).delete()  # steps protect achievements and listings
        Award.objects.filter(achievement__city__slug=CITY_SLUG).delete()  # awards protect achievements
        Opportunity.objects.filter(city__slug=CITY_SLUG).delete()
        City.objects.filter(slug=CITY_SLUG).delete()
        User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").delete()


def _silent(message: str) -> None:
    """Progress sink that ignores messages."""


def _ensure_absent() -> None:
    if demo_city_loaded():
        raise DemoCityError(f"The demo city {CITY_NAME!r} (slug {CITY_SLUG!r}) already exists.")
    if User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").exists():
        raise DemoCityError(f"Accounts @{EMAIL_DOMAIN} already exist; remove them before building the demo city.")


def _build(*, size: int, seed: int, anchor: date, residents: int, report: Progress) -> dict[str, int]:
    zone = ZoneInfo(CITY_TIME_ZONE)
    clock = Clock(anchor, zone, *bulk.value_adapters())
    city = City.objects.create(
        id=bulk.next_id(City),
        name=CITY_NAME,
        slug=CITY_SLUG,
        country_code="FR",
        time_zone=CITY_TIME_ZONE,
        latitude=CITY_LATITUDE,
        longitude=CITY_LONGITUDE,
    )
    districts = plan_districts()
    district_ids = list(range(bulk.next_id(District), bulk.next_id(District) + len(districts)))
    build = _Build(seed, size, clock, city, districts, district_ids, report)
    inhabitants, bands = _write_districts(build)
    organisations, venues = _write_places(build)
    opportunities, sessions, pool = _write_catalogue(build, organisations, venues)
    accounts, registrations = _write_people(build, residents, bands, pool, organisations)
    build_demo_festival(city=city, anchor=anchor, seed=seed)
    bulk.reset_sequences([City, District, PopulationCount, Organisation, Venue, Opportunity, Session, User])
    awards = build_demo_passport(city=city)
    build.report(f"passport: {awards:,} credentials signed")
    bulk.analyze(_loaded_tables())
    return {
        "districts": len(districts),
        "inhabitants": inhabitants,
        "organisations": len(organisations),
        "venues": len(venues),
        "opportunities": opportunities,
        "sessions": sessions,
        "residents": accounts,
        "registrations": registrations,
    }


def _loaded_tables() -> list[type[models.Model]]:
    """Every table the build fills in bulk, many-to-many tables included."""
    relations = ("building_blocks", "topics", "audience_labels", "languages")
    throughs = [Opportunity._meta.get_field(name).remote_field.through for name in relations]  # type: ignore[union-attr]
    return [District, PopulationCount, Organisation, Venue, Opportunity, Session, *throughs, User, Registration]


def _write_districts(build: _Build) -> tuple[int, list[tuple[Band, int]]]:
    """Districts with their boundaries, then population counts for the year before the anchor."""
    rng = build.rng("population")
    bulk.TableWriter(District, ("id", "city_id", "name", "code", "boundary")).write(
        [
            (
                build.district_ids[plan.index],
                build.city.pk,
                plan.name,
                plan.code,
                bulk.adapt_json(District, "boundary", boundary(plan)),
            )
            for plan in build.districts
        ]
    )
    year = build.clock.anchor.year - 1
    bands = [
        ((plan, low, high, sex), count)
        for plan in build.districts
        for low, high, sex, count in population_bands(plan, rng)
    ]
    first = bulk.next_id(PopulationCount)
    bulk.TableWriter(PopulationCount, ("id", "district_id", "age_min", "age_max", "sex", "count", "year")).write(
        [
            (first + number, build.district_ids[plan.index], low, high, sex, count, year)
            for number, ((plan, low, high, sex), count) in enumerate(bands)
        ]
    )
    inhabitants = sum(count for _, count in bands)
    build.report(f"districts: {len(build.districts)}, inhabitants: {inhabitants:,}")
    return inhabitants, bands


def _write_places(
    build: _Build,
) -> tuple[list[places.OrganisationPlan], list[tuple[places.VenuePlan, places.OrganisationPlan | None]]]:
    """Organisations and venues."""
    rng = build.rng("places")
    count = places.organisation_count(build.size)
    organisations = places.plan_organisations(rng, build.districts, count, bulk.next_id(Organisation))
    bulk.TableWriter(Organisation, places.ORGANISATION_COLUMNS).write(
        [places.organisation_row(plan, rng, build.city.pk, build.clock) for plan in organisations]
    )
    venues = places.plan_venues(
        rng, build.districts, organisations, places.venue_count(build.size, count), bulk.next_id(Venue)
    )
    bulk.TableWriter(Venue, places.VENUE_COLUMNS).write(
        [places.venue_row(venue, owner, rng, build.city.pk, build.district_ids) for venue, owner in venues]
    )
    build.report(f"organisations: {len(organisations):,}, venues: {len(venues):,}")
    return organisations, venues


def _reference_ids() -> ReferenceIds:
    """Topics (created or updated, so another city reuses them), building blocks and audiences by code."""
    load_reference_data()  # normally there from the migration, but a flushed test database lacks it
    parents = {}
    for code, name_fr, name_en, formacode in PARENT_TOPICS:
        parents[code], _ = Topic.objects.update_or_create(
            code=code, defaults={"name_fr": name_fr, "name_en": name_en, "formacode": formacode, "parent": None}
        )
    topics = {code: parent.pk for code, parent in parents.items()}
    for spec in all_topics():
        topic, _ = Topic.objects.update_or_create(
            code=spec.code,
            defaults={
                "name_fr": spec.name_fr,
                "name_en": spec.name_en,
                "formacode": spec.formacode,
                "parent": parents[spec.parent],
            },
        )
        topics[spec.code] = topic.pk
    return ReferenceIds(
        topics=topics,
        blocks=dict(BuildingBlock.objects.values_list("code", "pk")),
        audiences=dict(AudienceLabel.objects.values_list("code", "pk")),
    )


def _write_catalogue(
    build: _Build,
    organisations: list[places.OrganisationPlan],
    venues: list[tuple[places.VenuePlan, places.OrganisationPlan | None]],
) -> tuple[int, int, list[PoolEntry]]:
    """Opportunities, sessions and relations, streamed in chunks of `CHUNK_SIZE`."""
    context = CatalogueContext(
        city_id=build.city.pk,
        organisations=organisations,
        venues={venue.id: venue for venue, _ in venues},
        offers=OfferCatalogue(_reference_ids()),
        clock=build.clock,
        first_opportunity_id=bulk.next_id(Opportunity),
        first_session_id=bulk.next_id(Session),
        pool_stride=max(1, build.size // POOL_SIZE),
    )
    planner = CataloguePlanner(context, build.rng("catalogue"))
    writers = _catalogue_writers()
    sizes = [min(CHUNK_SIZE, build.size - start) for start in range(0, build.size, CHUNK_SIZE)]
    done = 0
    for chunk in produce_ahead(planner.chunk, sizes):
        for name, writer in writers.items():
            writer.write(getattr(chunk, name))
        done += len(chunk.opportunities)
        build.report(f"opportunities: {done:,}/{build.size:,}")
    return done, planner.next_session_id - context.first_session_id, planner.pool


def _catalogue_writers() -> dict[str, bulk.TableWriter]:
    """One writer per chunk attribute, in foreign-key order."""
    writers = {
        "opportunities": bulk.TableWriter(Opportunity, OPPORTUNITY_COLUMNS),
        "sessions": bulk.TableWriter(Session, SESSION_COLUMNS),
    }
    for attribute, field_name in (
        ("blocks", "building_blocks"),
        ("topics", "topics"),
        ("audiences", "audience_labels"),
        ("languages", "languages"),
    ):
        relation = Opportunity._meta.get_field(field_name)
        through = relation.remote_field.through  # type: ignore[union-attr]
        source = through._meta.get_field(relation.m2m_field_name()).attname  # type: ignore[union-attr]
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname  # type: ignore[union-attr]
        writers[attribute] = bulk.TableWriter(through, (source, target))
    return writers


def _write_people(
    build: _Build,
    residents: int,
    bands: list[tuple[Band, int]],
    pool: list[PoolEntry],
    organisations: list[places.OrganisationPlan],
) -> tuple[int, int]:
    """Demo logins, residents and everyone's registrations."""
    rng = build.rng("people")
    personas = create_personas(
        rng=rng,
        clock=build.clock,
        city=build.city,
        district_ids={plan.name: build.district_ids[plan.index] for plan in build.districts},
        organisation_ids={plan.name: plan.id for plan in organisations},
    )
    plans = plan_residents(rng, bands, residents, bulk.next_id(User))
    bulk.TableWriter(User, USER_COLUMNS).write(
        [resident_row(plan, rng, build.clock, build.district_ids) for plan in plans]
    )
    build.report(f"residents: {len(plans):,}")
    registrations = RegistrationPlanner(build.rng("registrations"), pool, build.clock)
    rows = []
    for plan in plans:
        rate = participation_rate(plan.age, plan.sex, plan.district)
        rows.extend(registrations.registrations(plan.id, plan.age, plan.district.index, rate))
    by_name = {plan.name: plan for plan in build.districts}
    for persona in PERSONAS[3:5]:
        district = by_name[persona.district]
        age = build.clock.anchor.year - (persona.year_of_birth or 1980)
        rows.extend(registrations.registrations(personas[persona.email].pk, age, district.index, 6.0))
    written = bulk.TableWriter(Registration, REGISTRATION_COLUMNS).write(rows)
    build.report(f"registrations: {written:,}")
    return len(plans), written

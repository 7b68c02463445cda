"""A festival in the test city, with events accepted, declined and waiting, and helpers to build more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.accounts.services import coordinator_appoint
from learningcity.catalogue.models import BuildingBlock, District, Opportunity, Organisation, Session, Venue
from learningcity.festival.models import Festival, Submission, SubmissionStatus
from tests.factories import World, make_city, make_opportunity, make_user

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    """Live counters are cached by festival id, and ids are reused between tests."""
    cache.clear()


def today() -> date:
    return timezone.localdate()


def make_festival(world: World, *, starts_in: int = 2, days: int = 7, call: tuple[int, int] = (-5, 1)) -> Festival:
    """A festival of `days` days starting `starts_in` days from today; the call runs over `call` (days from today)."""
    first = today() + timedelta(days=starts_in)
    return Festival.objects.create(
        city=world.city, slug=f"learning-festival-{first.year}", name_fr="Fête du savoir", name_en="Learning fair",
        theme_fr="Apprendre ensemble", theme_en="Learning together", starts_on=first,
        ends_on=first + timedelta(days=days - 1), call_opens_on=today() + timedelta(days=call[0]),
        call_closes_on=today() + timedelta(days=call[1]),
    )  # fmt: skip


def at(festival: Festival, day: int, hour: int) -> datetime:
    """`hour` o'clock on the festival's day number `day` (0: the first day), in Paris."""
    local = festival.starts_on + timedelta(days=day)
    return datetime(local.year, local.month, local.day, hour, tzinfo=PARIS)


def event(organisation: Organisation, *starts: datetime, **fields: Any) -> Opportunity:
    """A published listing whose only sessions start at `starts` (two hours each)."""
    opportunity = make_opportunity(organisation, **fields)
    opportunity.sessions.all().delete()
    for start in starts:
        Session.objects.create(opportunity=opportunity, start=start, end=start + timedelta(hours=2))
    return opportunity


def submitted(festival: Festival, opportunity: Opportunity, status: str = SubmissionStatus.PENDING) -> Submission:
    """A submission as the services leave it (decided now unless pending)."""
    decided = None if status == SubmissionStatus.PENDING else timezone.now()
    return Submission.objects.create(festival=festival, opportunity=opportunity, status=status, decided_at=decided)


def other_coordinator() -> User:
    """The coordinator of another city."""
    return coordinator_appoint(user=make_user("coordinator@elsewhere.test"), city=make_city("elsewhere"))


@dataclass
class Programme:
    """A festival with two accepted events in two districts, one declined and one waiting."""

    world: World
    festival: Festival
    robotics: Opportunity  # day 0, 10:00, Centre, 8-14, free, families-communities
    climate: Opportunity  # day 1, 18:00, Les Rives, 16+, 5 €, culture-of-learning (and a session after the festival)
    declined: Opportunity
    waiting: Opportunity


def make_programme(world: World) -> Programme:
    festival = make_festival(world)
    rives = District.objects.get(city=world.city, code="02")
    quay = Venue.objects.create(city=world.city, organisation=world.org_b, name="Quai des Rives", address="9 quai Nord",
                                latitude=47.40, longitude=0.70, district=rives)  # fmt: skip
    robotics = event(world.org_a, at(festival, 0, 10), title_fr="Atelier de robotique", title_en="Robotics workshop",
                     age_min=8, age_max=14)  # fmt: skip
    robotics.building_blocks.set([BuildingBlock.objects.get(code="families-communities")])
    climate = event(world.org_b, at(festival, 1, 18), at(festival, 20, 18), title_fr="Conférence sur le climat",
                    title_en="Climate talk", age_min=16, venue=quay, is_free=False, price=Decimal("5.00"))  # fmt: skip
    declined = event(world.org_a, at(festival, 2, 15), title_fr="Atelier refusé", title_en="Declined workshop")
    waiting = event(world.org_b, at(festival, 3, 15), title_fr="Visite en attente", title_en="Waiting tour")
    submitted(festival, robotics, SubmissionStatus.ACCEPTED)
    submitted(festival, climate, SubmissionStatus.ACCEPTED)
    submitted(festival, declined, SubmissionStatus.DECLINED)
    submitted(festival, waiting)
    return Programme(world, festival, robotics, climate, declined, waiting)


@pytest.fixture
def festival(world: World) -> Festival:
    """A festival starting in two days, lasting a week, whose call for events is open until tomorrow."""
    return make_festival(world)


@pytest.fixture
def programme(world: World) -> Programme:
    return make_programme(world)

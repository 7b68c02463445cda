"""Shared pieces of the enrolment tests: verified personas, an opportunity that takes registrations, the worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from learningcity.accounts.models import User
from learningcity.catalogue.models import Opportunity, Session
from tests.factories import World, make_opportunity, make_user


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Tests read English messages and open /en/ pages (people's own languages are tested explicitly)."""
    with translation.override("en"):
        yield


def verified(user: User | None) -> User:
    """The persona, with a verified e-mail address (registering needs one)."""
    assert user is not None
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def resident(email: str, **fields: Any) -> User:
    """A new resident with a verified address."""
    return verified(make_user(email, **fields))


def bookable(world: World, *, capacity: int | None = 2, days: int = 3, **fields: Any) -> Session:
    """The only session of a published opportunity of provider A that takes registrations."""
    opportunity = make_opportunity(
        world.org_a, title_fr="Atelier reliure", title_en="Bookbinding workshop", registration_required=True,
        capacity=capacity, **fields,
    )  # fmt: skip
    session = opportunity.sessions.get()
    start = timezone.now() + timedelta(days=days)
    session.start, session.end = start, start + timedelta(hours=2)
    session.save()
    return session


def series(world: World, *, count: int = 3, capacity: int = 2) -> list[Session]:
    """A course of `count` weekly sessions booked as one series."""
    opportunity: Opportunity = make_opportunity(
        world.org_a, title_fr="Cours de poterie", title_en="Pottery course", registration_required=True,
        booked_as_series=True, capacity=capacity, kind="course",
    )  # fmt: skip
    opportunity.sessions.all().delete()
    first = timezone.now() + timedelta(days=5)
    return [
        Session.objects.create(
            opportunity=opportunity, start=first + timedelta(weeks=week), end=first + timedelta(weeks=week, hours=2),
            series_key="pottery-series",
        )
        for week in range(count)
    ]  # fmt: skip


@pytest.fixture
def alice(world: World) -> User:
    return verified(world.users["resident"])


@pytest.fixture
def bob(world: World) -> User:
    return verified(world.users["other_resident"])


def run_worker() -> None:
    """Run every queued task, as `learningcity worker` does."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

"""Learning credit fixtures: a priced listing, residents of the test city, schemes and credit given to them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from learningcity.accounts.models import User
from learningcity.catalogue.models import City, Opportunity
from learningcity.credits import services
from learningcity.credits.models import Account, GrantRun, Scheme
from learningcity.enrolment.models import Registration
from tests.factories import World, make_user


def scheme_fields(**fields: Any) -> dict[str, Any]:
    """A scheme open since yesterday for a year: 30 € each, 10,000 € in all, for everyone."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "name_fr": "Pass formation", "name_en": "Learning pass", "amount": Decimal("30.00"),
        "budget": Decimal("10000.00"), "valid_from": today - timedelta(days=1),
        "valid_until": today + timedelta(days=365),
    }  # fmt: skip
    values.update(fields)
    return values


def make_scheme(world: World, districts: list[Any] | None = None, **fields: Any) -> Scheme:
    """A scheme of the test city, opened by its coordinator."""
    return services.scheme_create(
        city=world.city, by=world.users["coordinator"], fields=scheme_fields(**fields), districts=districts or []
    )


def grant_now(world: World, scheme: Scheme, *, today: date | None = None, batch_size: int = 500) -> GrantRun:
    """Run a grant in this process, as the worker would (for tests that need no task queue)."""
    run = GrantRun.objects.create(scheme=scheme, started_by=coordinator(world))
    return services.grant_run_execute(run_id=run.pk, batch_size=batch_size, today=today)


def coordinator(world: World) -> User:
    """The city's coordinator persona."""
    user = world.users["coordinator"]
    assert user is not None
    return user


def resident_of(city: City, email: str, **fields: Any) -> User:
    """A resident living in the city's first district."""
    return make_user(email, district=city.districts.first(), **fields)


def check_identity(world: World, user: User) -> None:
    """A coordinator has seen this person's identity card."""
    services.identity_check_record(
        city=world.city, by=world.users["coordinator"], user=user, document_kind="identity_card"
    )


def register(user: User, opportunity: Opportunity) -> Registration:
    """A registration to the listing's first session."""
    session = opportunity.sessions.first()
    assert session is not None
    return Registration.objects.create(user=user, session=session)


def balance(user: User, scheme: Scheme) -> Decimal:
    """The stored balance of this person's account in the scheme."""
    return Account.objects.get(user=user, scheme=scheme).balance


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Tests read English messages and URLs (/en/); a test switches to French where it checks French."""
    with translation.override("en"):
        yield


@pytest.fixture
def priced(world: World) -> Opportunity:
    """The published listing, now at 20 € (8 € reduced for students)."""
    opportunity = world.published
    opportunity.is_free = False
    opportunity.price = Decimal("20.00")
    opportunity.reduced_price = Decimal("8.00")
    opportunity.reduced_price_conditions_fr = "Étudiants"
    opportunity.reduced_price_conditions_en = "Students"
    opportunity.save()
    return opportunity


@pytest.fixture
def residents(world: World) -> World:
    """The two resident personas live in the city (schemes grant to residents of its districts)."""
    for role in ("resident", "other_resident"):
        user = world.users[role]
        assert user is not None
        user.district = world.city.districts.first()
        user.save()
    return world


@pytest.fixture
def credited(residents: World) -> Scheme:
    """A 30 € scheme granted to both residents; the first resident's identity is checked."""
    scheme = make_scheme(residents)
    grant_now(residents, scheme)
    check_identity(residents, residents.users["resident"])  # type: ignore[arg-type]
    return scheme

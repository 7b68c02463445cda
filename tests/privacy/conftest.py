"""Privacy fixtures: a household (a guardian, her child) that took part, a neighbour who did too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation

from learningcity.accounts.models import FamilyMember, User
from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from learningcity.monitoring.models import Feedback
from tests.factories import World


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Tests read English pages (/en/)."""
    with translation.override("en"):
        yield


def persona(world: World, role: str) -> User:
    """A persona's account (every role but anonymous has one)."""
    user = world.users[role]
    assert user is not None
    return user


@dataclass
class Household:
    """Alice (born 1985, a woman, district 01) and her daughter Zoé attended a past session; so did Bob."""

    world: World
    alice: User
    bob: User
    child: FamilyMember
    session: Session
    registration: Registration
    child_registration: Registration

    @property
    def year(self) -> int:
        return timezone.localtime(self.session.start).year


def past_session(world: World, start: datetime) -> Session:
    """A session of the published listing that has happened."""
    return Session.objects.create(opportunity=world.published, start=start, end=start + timedelta(hours=2))


@pytest.fixture
def household(world: World) -> Household:
    district = world.city.districts.order_by("code").first()
    alice = persona(world, "resident")
    bob = persona(world, "other_resident")
    User.objects.filter(pk=alice.pk).update(year_of_birth=1985, sex="F", district=district)
    User.objects.filter(pk=bob.pk).update(year_of_birth=1950, sex="M", district=district)
    alice.refresh_from_db()
    child = FamilyMember.objects.create(account=alice, name="Zoé", year_of_birth=2016)
    session = past_session(world, timezone.now() - timedelta(days=2))
    mine = Registration.objects.create(user=alice, session=session, attended=True)
    childs = Registration.objects.create(user=alice, session=session, family_member=child, attended=True)
    Registration.objects.create(user=bob, session=session, attended=False)
    Feedback.objects.create(registration=mine, rating=4, comment="Alice loved the teacher, Mr Durand.")
    return Household(world, alice, bob, child, session, mine, childs)

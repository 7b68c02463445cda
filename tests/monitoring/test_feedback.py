"""Learners rate what they attended, and say later what it led to; nobody else can, or can see it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from learningcity.monitoring.models import Feedback, FollowUp
from tests.conftest import ROLES
from tests.factories import World


def attended(world: World, *, days_ago: int = 2, came: bool | None = True) -> Registration:
    """Alice's registration to a session of the published opportunity that ended `days_ago` days ago."""
    end = timezone.now() - timedelta(days=days_ago)
    session = Session.objects.create(opportunity=world.published, start=end - timedelta(hours=2), end=end)
    resident = world.users["resident"]
    assert resident is not None
    return Registration.objects.create(user=resident, session=session, attended=came)


@pytest.mark.parametrize("page", ["feedback", "follow-up"])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_shows_the_form_only_to_the_learner(
    world: World, client_for: Callable[[str], Client], page: str, role_index: int
) -> None:
    registration = attended(world, days_ago=40)
    url = f"/en/feedback/{registration.pk}/" + ("follow-up/" if page == "follow-up" else "")
    expected = [302, 200, 404, 404, 404, 404][role_index]
    assert client_for(ROLES[role_index]).get(url).status_code == expected


def test_it_records_a_rating_once(world: World, client_for: Callable[[str], Client]) -> None:
    registration = attended(world)
    client = client_for("resident")
    assert "Rate" in client.get("/en/accounts/me/").content.decode()
    response = client.post(f"/en/feedback/{registration.pk}/", {"rating": "4", "comment": "Très bien"})
    assert response.status_code == 302
    again = client.post(f"/en/feedback/{registration.pk}/", {"rating": "1"})
    assert "already gave your feedback" in again.content.decode()
    assert Feedback.objects.get().rating == 4


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_it_refuses_ratings_outside_one_to_five(world: World, client_for: Callable[[str], Client], rating: str) -> None:
    registration = attended(world)
    response = client_for("resident").post(f"/en/feedback/{registration.pk}/", {"rating": rating})
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.content.decode()
    assert not Feedback.objects.exists()


def test_it_opens_feedback_only_to_people_who_came(world: World, client_for: Callable[[str], Client]) -> None:
    registration = attended(world, came=False)
    response = client_for("resident").post(f"/en/feedback/{registration.pk}/", {"rating": "5"})
    assert "open to people who attended" in response.content.decode()
    assert not Feedback.objects.exists()


def test_it_refuses_someone_elses_registration_without_revealing_it(
    world: World, client_for: Callable[[str], Client]
) -> None:
    registration = attended(world)
    response = client_for("other_resident").post(f"/en/feedback/{registration.pk}/", {"rating": "1"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_it_asks_what_it_led_to_after_the_configured_weeks(
    world: World, client_for: Callable[[str], Client], settings: Any
) -> None:
    settings.FOLLOW_UP_AFTER_DAYS = 35
    recent, old = attended(world, days_ago=30), attended(world, days_ago=40)
    client = client_for("resident")
    early = client.post(f"/en/feedback/{recent.pk}/follow-up/", {"outcome": "job"})
    assert "opens 35 days after the session" in early.content.decode()
    assert client.post(f"/en/feedback/{old.pk}/follow-up/", {"outcome": "job"}).status_code == 302
    assert FollowUp.objects.get().outcome == "job"
    assert client.post(f"/en/feedback/{old.pk}/follow-up/", {"outcome": "astronaut"}).status_code == 200
    assert FollowUp.objects.count() == 1

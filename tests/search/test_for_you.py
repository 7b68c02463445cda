"""Suggestions "for you": off until asked for, each with its reason, from the person's own record only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.accounts.models import User
from learningcity.catalogue.models import Opportunity, Session, Status, Topic, Venue
from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.search import for_you
from learningcity.search.models import SearchPreference
from tests.factories import World, make_opportunity


def url() -> str:
    with translation.override("en"):
        return reverse("search:for-you")


def attend(user: User, opportunity: Opportunity) -> None:
    """The person came to a session of `opportunity` last month."""
    start = timezone.now() - timedelta(days=30)
    session = Session.objects.create(opportunity=opportunity, start=start, end=start + timedelta(hours=2))
    Registration.objects.create(user=user, session=session, attended=True)


@pytest.fixture
def alice(world: World) -> User:
    """A resident of Les Rives, about 70, who attended a theatre workshop."""
    user = world.users["resident"]
    assert user is not None
    user.district = world.city.districts.get(code="02")
    user.year_of_birth = timezone.localdate().year - 70
    user.save()
    return user


@pytest.fixture
def catalogue(world: World, alice: User) -> dict[str, Opportunity]:
    theatre = Topic.objects.create(code="theatre", name_fr="Théâtre", name_en="Theatre")
    music = Topic.objects.create(code="music", name_fr="Musique", name_en="Music")
    rives = Venue.objects.create(
        city=world.city, organisation=world.org_b, name="Salle des Rives", address="3 quai", latitude=47.4,
        longitude=0.7, district=world.city.districts.get(code="02"),
    )  # fmt: skip
    every_age: dict[str, Any] = {"age_min": 0, "age_max": 120}
    made = {
        "attended": make_opportunity(world.org_a, title_en="Improvisation", title_fr="Impro", **every_age),
        "same topic": make_opportunity(world.org_a, title_en="Stage fright", title_fr="Trac", **every_age),
        "registered": make_opportunity(world.org_a, title_en="Clowning", title_fr="Clown", **every_age),
        "draft": make_opportunity(world.org_a, status=Status.DRAFT, title_en="Secret", title_fr="Secret"),
        "past": make_opportunity(world.org_a, title_en="Old play", title_fr="Vieille pièce", **every_age),
        "near": make_opportunity(world.org_b, title_en="River walk", title_fr="Balade", venue=rives, **every_age),
        "seniors": make_opportunity(world.org_b, title_en="Tablet club", title_fr="Club tablette", age_min=60),
        "toddlers": make_opportunity(world.org_b, title_en="Baby songs", title_fr="Comptines", age_min=0, age_max=3),
        "bob's topic": make_opportunity(world.org_b, title_en="Choir", title_fr="Chorale", **every_age),
        "bob attended": make_opportunity(world.org_b, title_en="Singing", title_fr="Chant", **every_age),
    }  # fmt: skip
    for key in ("attended", "same topic", "registered", "draft", "past", "toddlers"):
        made[key].topics.set([theatre])
    made["bob's topic"].topics.set([music])
    made["bob attended"].topics.set([music])
    Session.objects.filter(opportunity=made["past"]).update(
        start=timezone.now() - timedelta(days=3), end=timezone.now() - timedelta(days=3, hours=-1)
    )
    attend(alice, made["attended"])
    Registration.objects.create(
        user=alice, session=made["registered"].sessions.get(), status=RegistrationStatus.CONFIRMED
    )
    bob = world.users["other_resident"]
    assert bob is not None
    attend(bob, made["bob attended"])
    return made


def titles(suggestions: list[for_you.Suggestion]) -> list[tuple[str, str]]:
    return [(suggestion.opportunity.title_en, suggestion.reason) for suggestion in suggestions]


def test_it_suggests_with_a_reason_from_the_persons_own_record(
    world: World, alice: User, catalogue: dict[str, Opportunity]
) -> None:
    with translation.override("en"):
        found = for_you.suggestions_for(user=alice, city=world.city)
    assert titles(found) == [
        ("Stage fright", "Because you attended “Improvisation”"),
        ("River walk", "Near your district, Les Rives"),
        ("Tablet club", "For your age"),
    ]


def test_it_uses_no_one_elses_record(world: World, alice: User, catalogue: dict[str, Opportunity]) -> None:
    suggested = {s.opportunity.title_en for s in for_you.suggestions_for(user=alice, city=world.city)}
    assert "Choir" not in suggested, "Bob attended singing; that says nothing about Alice"
    bob = world.users["other_resident"]
    with translation.override("en"):
        for_bob = for_you.suggestions_for(user=bob, city=world.city)
    assert titles(for_bob) == [("Choir", "Because you attended “Singing”")]


def test_it_leaves_out_what_is_registered_unpublished_past_or_not_for_their_age(
    world: World, alice: User, catalogue: dict[str, Opportunity]
) -> None:
    suggested = {s.opportunity.title_en for s in for_you.suggestions_for(user=alice, city=world.city)}
    assert not suggested & {"Clowning", "Secret", "Old play", "Baby songs", "Improvisation"}


def test_it_suggests_nothing_from_an_empty_record(world: World) -> None:
    carol = world.users["provider_staff"]
    assert for_you.suggestions_for(user=carol, city=world.city) == []


def test_it_suggests_at_most_ten(world: World, alice: User, catalogue: dict[str, Opportunity]) -> None:
    rives = Venue.objects.get(name="Salle des Rives")
    for number in range(12):
        make_opportunity(world.org_b, title_en=f"Walk {number}", title_fr=f"Balade {number}", venue=rives)
    assert len(for_you.suggestions_for(user=alice, city=world.city)) == 10


def test_it_is_off_until_the_person_turns_it_on(
    world: World, alice: User, catalogue: dict[str, Opportunity], client_for: Callable[[str], Client]
) -> None:
    client = client_for("resident")
    page = client.get(url()).content.decode()
    assert "Nobody else's data is used" in page
    assert 'id="id_suggestions" checked' not in page
    assert "Stage fright" not in page
    response = client.post(url(), {"suggestions": "on"}, follow=True)
    page = response.content.decode()
    assert "Suggestions are on." in page
    assert "Stage fright" in page
    assert "Because you attended “Improvisation”" in page
    assert 'id="id_suggestions" checked' in page
    response = client.post(url(), {}, follow=True)
    assert "Suggestions are off." in response.content.decode()
    assert "Stage fright" not in response.content.decode()
    assert SearchPreference.objects.get(user=alice).suggestions is False


def test_it_says_where_suggestions_come_from_when_there_are_none(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("other_resident")
    page = client.post(url(), {"suggestions": "on"}, follow=True).content.decode()
    assert "We have no suggestion for you yet." in page


def test_it_shows_reasons_in_french(
    world: World, alice: User, catalogue: dict[str, Opportunity], client_for: Callable[[str], Client]
) -> None:
    SearchPreference.objects.create(user=alice, suggestions=True)
    with translation.override("fr"):
        page = client_for("resident").get(reverse("search:for-you")).content.decode()
    assert "Trac" in page, "titles in French"


def queries_for(alice: User, world: World, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(8):
        for_you.suggestions_for(user=alice, city=world.city)


def test_it_costs_a_fixed_number_of_queries(
    world: World, alice: User, catalogue: dict[str, Opportunity], django_assert_max_num_queries: Any
) -> None:
    queries_for(alice, world, django_assert_max_num_queries)
    for number in range(5):
        attend(alice, make_opportunity(world.org_a, title_en=f"More {number}", title_fr=f"Plus {number}"))
    queries_for(alice, world, django_assert_max_num_queries)

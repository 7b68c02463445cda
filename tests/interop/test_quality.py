"""The data-quality score of a listing, its hints, and the providers' quality pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.catalogue.models import Opportunity, Status, Topic, Venue
from learningcity.interop import curation_services, quality
from tests.conftest import ROLES
from tests.factories import World, make_opportunity

pytestmark = pytest.mark.django_db

LONG_DESCRIPTION = "On apprend les bases de l'aquarelle : mélanges, lavis, réserves et glacis. " * 4


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def complete(world: World, **fields: Any) -> Opportunity:
    """A listing earning every point: described, for ages 8–14, accessible, free, placed, dated, topical, verified."""
    values: dict[str, Any] = {"description_fr": LONG_DESCRIPTION, "age_min": 8, "age_max": 14}
    values.update(fields)
    opportunity = make_opportunity(world.org_a, **values)
    topic, _created = Topic.objects.get_or_create(
        code="painting", defaults={"name_fr": "Peinture", "name_en": "Painting"}
    )
    opportunity.topics.set([topic])
    return opportunity


def scored(opportunity: Opportunity) -> quality.Quality:
    loaded = curation_services.with_quality_data(Opportunity.objects.filter(pk=opportunity.pk)).get()
    return quality.opportunity_quality(loaded)


def test_it_gives_a_complete_listing_full_marks_and_no_hint(world: World) -> None:
    result = scored(complete(world))
    assert result.score == 100
    assert result.hints == []


def _no_accessibility(o: Opportunity) -> None:
    Venue.objects.filter(opportunities=o).update(step_free_access=False)


def _no_sessions(o: Opportunity) -> None:
    past = timezone.now() - timedelta(days=30)
    o.sessions.update(start=past, end=past + timedelta(hours=2))


def _no_coordinates(o: Opportunity) -> None:
    Venue.objects.filter(opportunities=o).update(latitude=0, longitude=0)


def _stale(o: Opportunity) -> None:
    Opportunity.objects.filter(pk=o.pk).update(last_verified=timezone.localdate() - timedelta(days=400))


def _never_verified(o: Opportunity) -> None:
    Opportunity.objects.filter(pk=o.pk).update(last_verified=None)


def _no_price(o: Opportunity) -> None:
    Opportunity.objects.filter(pk=o.pk).update(is_free=False, price=None)


MISSING: list[tuple[str, Callable[[Opportunity], object], str, int, str]] = [
    ("ages", lambda o: Opportunity.objects.filter(pk=o.pk).update(age_min=0, age_max=120), "ages", 85,
     "Add the ages it is meant for."),
    ("description", lambda o: Opportunity.objects.filter(pk=o.pk).update(description_fr="", description_en=""),
     "description", 80,
     "Describe what people will learn and do (at least 200 characters)."),
    ("accessibility", _no_accessibility, "accessibility", 85,
     "Say how accessible the venue is (step-free access, accessible toilets, hearing loop…)."),
    ("sessions", _no_sessions, "sessions", 85, "Add the coming sessions, or archive the listing if it no longer runs."),
    ("cost", _no_price, "cost", 90, "Say whether it is free, or give its price."),
    ("coordinates", _no_coordinates, "coordinates", 90, "Place the venue on the map (latitude and longitude)."),
    ("stale", _stale, "verified", 90, "Confirm that the listing is still accurate."),
    ("never verified", _never_verified, "verified", 90, "Confirm that the listing is still accurate."),
    ("topics", lambda o: o.topics.clear(), "topics", 95, "Choose the topics it covers."),
]  # fmt: skip


@pytest.mark.parametrize(("name", "spoil", "code", "score", "hint"), MISSING, ids=[row[0] for row in MISSING])
def test_it_gives_an_actionable_hint_for_each_missing_item(
    world: World, name: str, spoil: Callable[[Opportunity], object], code: str, score: int, hint: str
) -> None:
    opportunity = complete(world)
    spoil(opportunity)
    result = scored(opportunity)
    assert result.missing == [code]
    assert result.score == score
    assert result.hints == [hint]


def test_it_gives_a_short_description_part_of_its_points(world: World) -> None:
    result = scored(complete(world, description_fr="x" * 100, description_en=""))
    assert result.score == 90
    assert result.missing == ["description"]


def test_it_lists_the_most_valuable_hints_first(world: World) -> None:
    opportunity = complete(world, age_min=0, age_max=120, description_fr="", description_en="")
    opportunity.topics.clear()
    result = scored(opportunity)
    assert result.missing == ["description", "ages", "topics"]
    assert result.score == 100 - 20 - 15 - 5
    assert result.hints[0].startswith("Describe what people")


def test_online_and_self_paced_listings_need_no_venue_or_dates(world: World) -> None:
    opportunity = complete(world, mode="online", venue=None, online_url="https://learn.test/", kind="self_paced")
    opportunity.sessions.all().delete()
    assert scored(opportunity).score == 100


def test_the_stale_limit_follows_the_setting(world: World, settings: Any) -> None:
    opportunity = complete(world, last_verified=timezone.localdate() - timedelta(days=400))
    assert "verified" in scored(opportunity).missing
    settings.LISTING_STALE_MONTHS = 24
    assert "verified" not in scored(opportunity).missing


# ---------------------------------------------------------------- pages


def test_the_provider_sees_their_listings_worst_first_with_hints_and_edit_links(
    world: World, client_for: Callable[[str], Client]
) -> None:
    good = complete(world, title_en="Complete workshop")
    poor = make_opportunity(
        world.org_a, title_en="Sparse workshop", description_fr="", description_en="", age_min=0, last_verified=None
    )
    archived = make_opportunity(world.org_a, status=Status.ARCHIVED, title_en="Old workshop")
    response = client_for("provider_staff").get(reverse("interop:curation-quality-organisation", args=[world.org_a.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Sparse workshop") < page.index("Complete workshop"), "worst first"
    assert "Old workshop" not in page, "archived listings are out of the catalogue"
    assert "Add the ages it is meant for." in page
    assert reverse("catalogue:opportunity-edit", args=[poor.pk]) in page
    assert reverse("catalogue:opportunity-edit", args=[good.pk]) in page
    assert archived.pk not in [item.opportunity.pk for item in response.context["page"].object_list]


def test_the_coordinator_sees_any_provider_with_links_to_the_listing(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("coordinator").get(reverse("interop:curation-quality-organisation", args=[world.org_b.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Draft B" in page
    assert reverse("catalogue:opportunity-edit", args=[world.other_draft.pk]) not in page, "coordinators do not edit"


def test_the_index_lists_the_providers_each_person_may_see(world: World, client_for: Callable[[str], Client]) -> None:
    staff_page = client_for("provider_staff").get(reverse("interop:curation-quality")).content.decode()
    assert world.org_a.name in staff_page
    assert world.org_b.name not in staff_page
    coordinator_page = client_for("coordinator").get(reverse("interop:curation-quality")).content.decode()
    assert world.org_a.name in coordinator_page
    assert world.org_b.name in coordinator_page


def test_the_page_is_in_french_under_fr(world: World, client_for: Callable[[str], Client]) -> None:
    with translation.override("fr"):
        url = reverse("interop:curation-quality-organisation", args=[world.org_a.pk])
    assert url.startswith("/fr/")
    response = client_for("provider_staff").get(url)
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


def test_the_page_reads_a_provider_in_a_few_queries(
    world: World, client_for: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    for number in range(12):
        complete(world, title_en=f"Workshop {number}")
    client = client_for("provider_staff")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("interop:curation-quality-organisation", args=[world.org_a.pk]))
    assert response.status_code == 200


PAGES: list[tuple[str, Callable[[World], str], list[int]]] = [
    ("quality index", lambda w: reverse("interop:curation-quality"), [302, 403, 403, 200, 200, 200]),
    (
        "quality of provider A",
        lambda w: reverse("interop:curation-quality-organisation", args=[w.org_a.pk]),
        [302, 403, 403, 200, 403, 200],
    ),
    ("quality of a missing provider", lambda w: reverse("interop:curation-quality-organisation", args=[999999]),
     [302, 404, 404, 404, 404, 404]),
    (
        "curation record of a listing of A",
        lambda w: reverse("interop:curation-listing", args=[w.published.pk]),
        [302, 403, 403, 200, 403, 200],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[row[0] for row in PAGES])
def test_it_gives_each_persona_the_right_access(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str], expected: list[int]
) -> None:
    # One world for the six personas: reading a page changes nothing (and keeps the suite fast).
    got = [client_for(role).get(url(world)).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), name

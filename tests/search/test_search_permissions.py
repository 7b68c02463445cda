"""The permission matrix of the search pages and endpoints, for every persona."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.search import services
from learningcity.search.models import SavedSearch
from tests.conftest import ROLES
from tests.factories import World


def english(name: str, *args: int) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def alices_search(world: World) -> SavedSearch:
    """A search saved by the resident (Alice)."""
    return services.saved_search_create(user=world.users["resident"], city=world.city, name="Mine", query="q=aquarelle")


# What each persona gets: 200 (allowed), 302 (sent to log in, or done and sent on), 403 (refused), 404 (hidden).
# Columns follow ROLES: anonymous, resident, other_resident, provider_staff, other_provider_staff, coordinator.
PAGE_MATRIX: list[tuple[str, Callable[[World], str], list[int]]] = [
    ("saved searches", lambda w: english("search:saved"), [302, 200, 200, 200, 200, 200]),
    ("for you", lambda w: english("search:for-you"), [302, 200, 200, 200, 200, 200]),
    ("demand", lambda w: english("search:demand"), [302, 403, 403, 403, 403, 200]),
    ("demand csv", lambda w: english("search:demand") + "?download=csv", [302, 403, 403, 403, 403, 200]),
    (
        "delete is POST only",
        lambda w: english("search:saved-delete", alices_search(w).pk),
        [302, 405, 405, 405, 405, 405],
    ),
    (
        "alerts is POST only",
        lambda w: english("search:saved-alerts", alices_search(w).pk),
        [302, 405, 405, 405, 405, 405],
    ),
]


@pytest.mark.parametrize(("name", "url", "expected"), PAGE_MATRIX, ids=[row[0] for row in PAGE_MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_gives_each_persona_the_right_access_to_pages(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str],
    expected: list[int], role_index: int,
) -> None:  # fmt: skip
    response = client_for(ROLES[role_index]).get(url(world))
    assert response.status_code == expected[role_index], f"{name} as {ROLES[role_index]}"


# POST actions on the resident's own saved search: only she may touch it; for others it does not exist.
ACTION_MATRIX: list[tuple[str, str, dict[str, str], list[int]]] = [
    ("delete", "search:saved-delete", {}, [302, 302, 404, 404, 404, 404]),
    ("alerts off", "search:saved-alerts", {"alerts": "off"}, [302, 302, 404, 404, 404, 404]),
]


@pytest.mark.parametrize(("name", "route", "data", "expected"), ACTION_MATRIX, ids=[row[0] for row in ACTION_MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_only_the_owner_changes_a_saved_search(
    world: World, client_for: Callable[[str], Client], name: str, route: str, data: dict[str, str],
    expected: list[int], role_index: int,
) -> None:  # fmt: skip
    saved = alices_search(world)
    response = client_for(ROLES[role_index]).post(english(route, saved.pk), data)
    assert response.status_code == expected[role_index], f"{name} as {ROLES[role_index]}"
    unchanged = SavedSearch.objects.filter(pk=saved.pk, alerts=True).exists()
    assert unchanged is (ROLES[role_index] != "resident")


@pytest.mark.parametrize("role", ROLES)
def test_each_person_sees_only_their_own_saved_searches(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    alices_search(world)
    response = client_for(role).get(english("search:saved"))
    assert ("Mine" in response.content.decode()) is (role == "resident")


@pytest.mark.parametrize("role", ROLES)
def test_anyone_with_an_account_saves_a_search_for_themselves(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    response = client_for(role).post(english("search:saved"), {"name": "Free things", "query": "free=on"})
    assert response.status_code == 302
    if role == "anonymous":
        assert "/login/" in response["Location"]
        assert not SavedSearch.objects.exists()
    else:
        assert SavedSearch.objects.get().user == world.users[role]


API_ENDPOINTS = [
    ("search", "/api/v1/search"),
    ("search with words", "/api/v1/search?q=brouillon&past=true"),
    ("suggest", "/api/v1/search/suggest?q=brou"),
]


@pytest.mark.parametrize(("name", "url"), API_ENDPOINTS, ids=[row[0] for row in API_ENDPOINTS])
@pytest.mark.parametrize("role", ROLES)
def test_the_search_api_is_public_and_shows_only_published_listings(
    world: World, client_for: Callable[[str], Client], name: str, url: str, role: str
) -> None:
    response = client_for(role).get(url)
    assert response.status_code == 200, name
    body = response.content.decode()
    for unpublished in ("Brouillon", "En attente", "Draft", "Pending"):
        assert unpublished not in body

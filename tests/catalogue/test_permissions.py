"""The permission matrix: every catalogue page, for every persona."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ROLES
from tests.factories import World

# What each persona gets: 200 (allowed), 302 (sent to log in), 403 (refused), 404 (hidden).
# Columns follow ROLES: anonymous, resident, other_resident, provider_staff, other_provider_staff, coordinator.
PAGE_MATRIX: list[tuple[str, Callable[[World], str], list[int]]] = [
    ("home", lambda w: reverse("home"), [200, 200, 200, 200, 200, 200]),
    ("list", lambda w: reverse("catalogue:opportunity-list"), [200, 200, 200, 200, 200, 200]),
    (
        "published detail",
        lambda w: reverse("catalogue:opportunity", args=[w.published.pk]),
        [200, 200, 200, 200, 200, 200],
    ),
    ("draft detail", lambda w: reverse("catalogue:opportunity", args=[w.draft.pk]), [404, 404, 404, 200, 404, 200]),
    ("pending detail", lambda w: reverse("catalogue:opportunity", args=[w.pending.pk]), [404, 404, 404, 200, 404, 200]),
    ("organisation", lambda w: reverse("catalogue:organisation", args=[w.org_a.pk]), [200, 200, 200, 200, 200, 200]),
    (
        "venue",
        lambda w: reverse("catalogue:venue", args=[w.org_a.venues.first().pk]),  # type: ignore[union-attr]
        [200, 200, 200, 200, 200, 200],
    ),
    ("provider workspace", lambda w: reverse("catalogue:provider"), [302, 403, 403, 200, 200, 403]),
    (
        "create for own organisation",
        lambda w: reverse("catalogue:opportunity-create", args=[w.org_a.pk]),
        [302, 403, 403, 200, 403, 403],
    ),
    (
        "edit own draft",
        lambda w: reverse("catalogue:opportunity-edit", args=[w.draft.pk]),
        [302, 403, 403, 200, 403, 403],
    ),
    (
        "sessions of own draft",
        lambda w: reverse("catalogue:session-add", args=[w.draft.pk]),
        [302, 403, 403, 200, 403, 403],
    ),
    ("review queue", lambda w: reverse("catalogue:review"), [302, 403, 403, 403, 403, 200]),
    ("account", lambda w: reverse("accounts:account"), [302, 200, 200, 200, 200, 200]),
    ("login", lambda w: reverse("accounts:login"), [200, 200, 200, 200, 200, 200]),
    ("signup", lambda w: reverse("accounts:signup"), [200, 200, 200, 200, 200, 200]),
    ("admin", lambda w: reverse("admin:index"), [302, 302, 302, 302, 302, 200]),
]


@pytest.mark.parametrize(("name", "url", "expected"), PAGE_MATRIX, ids=[row[0] for row in PAGE_MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_gives_each_persona_the_right_access_to_pages(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str],
    expected: list[int], role_index: int,
) -> None:  # fmt: skip
    response = client_for(ROLES[role_index]).get(url(world), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == expected[role_index], f"{name} as {ROLES[role_index]}"


# POST actions: (name, url, data, expected per role).
ACTION_MATRIX: list[tuple[str, Callable[[World], str], dict[str, str], list[int]]] = [
    (
        "submit own draft",
        lambda w: reverse("catalogue:opportunity-submit", args=[w.draft.pk]),
        {},
        [302, 403, 403, 302, 403, 403],
    ),
    (
        "publish pending",
        lambda w: reverse("catalogue:review-decide", args=[w.pending.pk]),
        {"decision": "publish"},
        [302, 403, 403, 403, 403, 302],
    ),
    (
        "archive published",
        lambda w: reverse("catalogue:review-decide", args=[w.published.pk]),
        {"decision": "archive"},
        [302, 403, 403, 403, 403, 302],
    ),
]


@pytest.mark.parametrize(("name", "url", "data", "expected"), ACTION_MATRIX, ids=[row[0] for row in ACTION_MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_lets_only_the_right_persona_act(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str],
    data: dict[str, str], expected: list[int], role_index: int,
) -> None:  # fmt: skip
    role = ROLES[role_index]
    statuses = type(world.draft).objects.values_list("pk", "status").order_by("pk")
    before = list(statuses.all())
    response = client_for(role).post(url(world), data)
    assert response.status_code == expected[role_index], f"{name} as {role}"
    if expected[role_index] != 302 or role == "anonymous":
        assert list(statuses.all()) == before, "a refused action must change nothing"
    else:
        assert list(statuses.all()) != before, "an allowed action must change a status"

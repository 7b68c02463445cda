"""The permission matrix of the festival: every page and action, for the six personas and another city's coordinator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from learningcity.festival.models import Submission, SubmissionStatus
from tests.conftest import ROLES
from tests.factories import World
from tests.festival.conftest import Programme, other_coordinator

# Columns: the six ROLES, then the coordinator of another city.
COLUMNS = [*ROLES, "other_coordinator"]

# What each persona gets: 200 (allowed), 302 (sent to log in), 403 (refused).
PAGE_MATRIX: list[tuple[str, Callable[[Programme], str], list[int]]] = [
    ("index", lambda p: reverse("festival:index"), [200, 200, 200, 200, 200, 200, 200]),
    ("programme", lambda p: reverse("festival:programme", args=[p.festival.slug]), [200] * 7),
    ("submit", lambda p: reverse("festival:submit", args=[p.festival.slug]), [302, 403, 403, 200, 200, 403, 403]),
    (
        "submit a new event",
        lambda p: reverse("festival:submit-new", args=[p.festival.slug]),
        [302, 403, 403, 200, 200, 403, 403],
    ),
    ("manage list", lambda p: reverse("festival:manage-list"), [302, 403, 403, 403, 403, 200, 200]),
    ("open a festival", lambda p: reverse("festival:create"), [302, 403, 403, 403, 403, 200, 200]),
    ("manage", lambda p: reverse("festival:manage", args=[p.festival.slug]), [302, 403, 403, 403, 403, 200, 403]),
    ("edit", lambda p: reverse("festival:edit", args=[p.festival.slug]), [302, 403, 403, 403, 403, 200, 403]),
    ("summary", lambda p: reverse("festival:summary", args=[p.festival.slug]), [302, 403, 403, 403, 403, 200, 403]),
    (
        "summary download",
        lambda p: reverse("festival:summary-csv", args=[p.festival.slug]),
        [302, 403, 403, 403, 403, 200, 403],
    ),
]


def clients(client_for: Callable[[str], Client]) -> dict[str, Client]:
    """A logged-in client for each column (one world per test keeps the matrix fast)."""
    result = {role: client_for(role) for role in ROLES}
    result["other_coordinator"] = Client()
    result["other_coordinator"].force_login(other_coordinator())
    return result


@pytest.mark.parametrize(("name", "url", "expected"), PAGE_MATRIX, ids=[row[0] for row in PAGE_MATRIX])
def test_it_gives_each_persona_the_right_access_to_pages(
    programme: Programme, client_for: Callable[[str], Client], name: str, url: Callable[[Programme], str],
    expected: list[int],
) -> None:  # fmt: skip
    got = {role: client.get(url(programme), HTTP_ACCEPT_LANGUAGE="en").status_code
           for role, client in clients(client_for).items()}  # fmt: skip
    assert got == dict(zip(COLUMNS, expected, strict=True)), name


def test_only_the_citys_coordinators_decide_on_events(
    programme: Programme, client_for: Callable[[str], Client]
) -> None:
    waiting = Submission.objects.get(opportunity=programme.waiting)
    url = reverse("festival:decide", args=[programme.festival.slug, waiting.pk])
    data = {f"s{waiting.pk}-decision": "accept", f"s{waiting.pk}-message": ""}
    got = {}
    for role, client in clients(client_for).items():
        got[role] = client.post(url, data).status_code
        waiting.refresh_from_db()
        assert (waiting.status == SubmissionStatus.ACCEPTED) == (role == "coordinator"), role
        if role == "coordinator":
            waiting.status, waiting.decided_at = SubmissionStatus.PENDING, None
            waiting.save()
    assert got == dict(zip(COLUMNS, [302, 403, 403, 403, 403, 302, 403], strict=True))


def test_only_providers_of_the_city_submit_events(programme: Programme, client_for: Callable[[str], Client]) -> None:
    url = reverse("festival:submit", args=[programme.festival.slug])
    got = {}
    for role, client in clients(client_for).items():
        got[role] = client.post(url, {"opportunity": programme.world.published.pk}).status_code
        made = Submission.objects.filter(opportunity=programme.world.published)
        assert made.exists() == (role == "provider_staff"), role
        made.delete()
    # Staff of another provider reach the form, and are told the listing is not theirs (400).
    assert got == dict(zip(COLUMNS, [302, 403, 403, 302, 400, 403, 403], strict=True))


def test_staff_of_an_unverified_provider_may_not_submit(
    programme: Programme, client_for: Callable[[str], Client]
) -> None:
    programme.world.org_a.verified = False
    programme.world.org_a.save()
    response = client_for("provider_staff").get(reverse("festival:submit", args=[programme.festival.slug]))
    assert response.status_code == 403


def test_a_festival_that_does_not_exist_is_not_found(world: World, client_for: Callable[[str], Client]) -> None:
    assert client_for("coordinator").get(reverse("festival:programme", args=["nowhere-2026"])).status_code == 404
    assert client_for("coordinator").get(reverse("festival:manage", args=["nowhere-2026"])).status_code == 404

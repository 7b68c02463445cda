"""The permission matrix of every enrolment page, action and endpoint, for the six personas."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.models import FamilyMember
from learningcity.accounts.services import email_verification_token, family_member_add
from learningcity.catalogue.models import Session, Status
from learningcity.enrolment.models import Registration
from tests.conftest import ROLES
from tests.enrolment.conftest import bookable, verified
from tests.factories import World, make_opportunity


@dataclass
class Scene:
    """A session to register for, one happening now with Alice registered, and Alice's family member."""

    world: World
    session: Session
    fresh: Session
    today: Session
    draft_session: Session
    registration: Registration
    present: Registration
    offered: Registration
    family_member_id: int


@pytest.fixture
def scene(world: World) -> Scene:
    for user in world.users.values():
        if user is not None:
            verified(user)
    session = bookable(world)
    now = timezone.now()
    today = Session.objects.create(
        opportunity=session.opportunity, start=now - timedelta(minutes=30), end=now + timedelta(minutes=90)
    )
    alice = verified(world.users["resident"])
    registration = Registration.objects.create(user=alice, session=session)
    present = Registration.objects.create(user=alice, session=today)
    member = family_member_add(account=alice, name="Léo", year_of_birth=2016)
    draft = make_opportunity(world.org_a, status=Status.DRAFT, registration_required=True, title_en="Draft course")
    fresh = bookable(world, capacity=10)
    offered = Registration.objects.create(
        user=alice, session=bookable(world), status="offered", offer_expires_at=now + timedelta(hours=10)
    )
    return Scene(world, session, fresh, today, draft.sessions.get(), registration, present, offered, member.pk)


# 200 allowed, 302 sent to log in, 403 refused, 404 hidden.
# Columns: anonymous, resident, other_resident, provider_staff, other_provider_staff, coordinator.
PAGES: list[tuple[str, Callable[[Scene], str], list[int]]] = [
    ("my registrations", lambda s: reverse("enrolment:mine"), [302, 200, 200, 200, 200, 200]),
    ("message choices", lambda s: reverse("enrolment:preferences"), [302, 200, 200, 200, 200, 200]),
    ("register", lambda s: reverse("enrolment:register", args=[s.session.pk]), [302, 200, 200, 200, 200, 200]),
    (
        "register for a draft",
        lambda s: reverse("enrolment:register", args=[s.draft_session.pk]),
        [302, 404, 404, 200, 404, 200],
    ),
    ("roster", lambda s: reverse("enrolment:roster", args=[s.today.pk]), [302, 403, 403, 200, 403, 200]),
    ("roster CSV", lambda s: reverse("enrolment:roster-csv", args=[s.today.pk]), [302, 403, 403, 200, 403, 200]),
    (
        "cancel a session",
        lambda s: reverse("enrolment:session-cancel", args=[s.session.pk]),
        [302, 403, 403, 200, 403, 200],
    ),
    (
        "registrations overview",
        lambda s: reverse("enrolment:overview", args=[s.session.opportunity_id]),
        [302, 403, 403, 200, 403, 200],
    ),
    ("verify my address", lambda s: reverse("accounts:verification"), [302, 200, 200, 200, 200, 200]),
    ("my family", lambda s: reverse("accounts:family"), [302, 200, 200, 200, 200, 200]),
    (
        "the verification link (anyone holding it)",
        lambda s: reverse("accounts:verify", args=[email_verification_token(s.world.users["resident"])]),  # type: ignore[arg-type]
        [302, 302, 302, 302, 302, 302],
    ),
    (
        "opportunity page with its register block",
        lambda s: reverse("catalogue:opportunity", args=[s.session.opportunity_id]),
        [200, 200, 200, 200, 200, 200],
    ),
]


def as_each_persona(check: Callable[[str], object]) -> None:
    """Run a check once per persona, each on the same data (what a persona changes is rolled back)."""
    for role in ROLES:
        with transaction.atomic():
            check(role)
            transaction.set_rollback(True)


@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[row[0] for row in PAGES])
def test_it_gives_each_persona_the_right_access_to_pages(
    scene: Scene, client_for: Callable[[str], Client], name: str, url: Callable[[Scene], str], expected: list[int]
) -> None:
    def check(role: str) -> None:
        response = client_for(role).get(url(scene))
        assert response.status_code == expected[ROLES.index(role)], f"{name} as {role}"

    as_each_persona(check)


def registrations(scene: Scene) -> list[Any]:
    """What the actions may change: registrations, and who is on a family list."""
    rows: list[Any] = list(Registration.objects.order_by("pk").values_list("pk", "status", "attended"))
    return rows + list(FamilyMember.objects.order_by("pk").values_list("pk", "removed_at"))


# POST actions: the change they make must happen only for the allowed personas (302 after success).
ACTIONS: list[tuple[str, Callable[[Scene], str], Callable[[Scene], dict[str, str]], list[int]]] = [
    (
        "register",
        lambda s: reverse("enrolment:register", args=[s.fresh.pk]),
        lambda s: {"kind": "person", "participant": "me"},
        [302, 302, 302, 302, 302, 302],
    ),
    (
        "register someone else's child",
        lambda s: reverse("enrolment:register", args=[s.fresh.pk]),
        lambda s: {"kind": "person", "participant": str(s.family_member_id)},
        [302, 302, 400, 400, 400, 400],
    ),
    (
        "cancel Alice's registration",
        lambda s: reverse("enrolment:cancel", args=[s.registration.pk]),
        lambda s: {},
        [302, 302, 404, 404, 404, 404],
    ),
    (
        "confirm Alice's offered place",
        lambda s: reverse("enrolment:confirm", args=[s.offered.pk]),
        lambda s: {},
        [302, 302, 404, 404, 404, 404],
    ),
    (
        "remove Alice's child from her family list",
        lambda s: reverse("accounts:family-remove", args=[s.family_member_id]),
        lambda s: {},
        [302, 302, 404, 404, 404, 404],
    ),
    (
        "take attendance",
        lambda s: reverse("enrolment:roster", args=[s.today.pk]),
        lambda s: {"present": str(s.present.pk)},
        [302, 403, 403, 302, 403, 302],
    ),
    (
        "cancel the session",
        lambda s: reverse("enrolment:session-cancel", args=[s.today.pk]),
        lambda s: {"reason": "Closed"},
        [302, 403, 403, 302, 403, 302],
    ),
    (
        "book for a group",
        lambda s: reverse("enrolment:register", args=[s.fresh.pk]),
        lambda s: {"kind": "group", "group_name": "Class", "group_organisation": str(s.world.org_a.pk), "places": "2"},
        [302, 400, 400, 302, 400, 400],
    ),
]


@pytest.mark.parametrize(("name", "url", "data", "expected"), ACTIONS, ids=[row[0] for row in ACTIONS])
def test_it_lets_only_the_right_persona_act(
    scene: Scene, client_for: Callable[[str], Client], name: str, url: Callable[[Scene], str],
    data: Callable[[Scene], dict[str, str]], expected: list[int],
) -> None:  # fmt: skip
    def check(role: str) -> None:
        before = registrations(scene)
        response = client_for(role).post(url(scene), data(scene))
        assert response.status_code == expected[ROLES.index(role)], f"{name} as {role}"
        changed = registrations(scene) != before
        allowed = expected[ROLES.index(role)] == 302 and role != "anonymous"
        assert changed == allowed, f"{name} as {role}: {'nothing changed' if allowed else 'a refusal changed data'}"

    as_each_persona(check)


def api_client(role: str, world: World) -> Client:
    """A client of the API with CSRF checks on, as a browser script would be; logged in unless anonymous."""
    client = Client(enforce_csrf_checks=True)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    client.get(reverse("enrolment:mine") if user else reverse("accounts:login"))  # sets the CSRF cookie
    return client


def api_call(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    if method == "get":
        return client.get(path)
    return client.post(path, json.dumps(body or {}), content_type="application/json", HTTP_X_CSRFTOKEN=token)


ENDPOINTS: list[tuple[str, str, Callable[[Scene], str], Callable[[Scene], dict[str, Any]], list[int]]] = [
    ("register", "post", lambda s: "/api/v1/registrations", lambda s: {"session_id": s.fresh.pk},
     [401, 201, 201, 201, 201, 201]),
    ("my registrations", "get", lambda s: "/api/v1/registrations", lambda s: {}, [401, 200, 200, 200, 200, 200]),
    ("cancel Alice's", "post", lambda s: f"/api/v1/registrations/{s.registration.pk}/cancel", lambda s: {},
     [401, 200, 404, 404, 404, 404]),
    ("confirm Alice's offer", "post", lambda s: f"/api/v1/registrations/{s.offered.pk}/confirm", lambda s: {},
     [401, 200, 404, 404, 404, 404]),
    ("roster", "get", lambda s: f"/api/v1/sessions/{s.today.pk}/roster", lambda s: {},
     [401, 403, 403, 200, 403, 200]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_it_gives_each_persona_the_right_access_to_the_api(
    scene: Scene, name: str, method: str, path: Callable[[Scene], str], body: Callable[[Scene], dict[str, Any]],
    expected: list[int],
) -> None:  # fmt: skip
    def check(role: str) -> None:
        response = api_call(api_client(role, scene.world), method, path(scene), body(scene))
        assert response.status_code == expected[ROLES.index(role)], f"{name} as {role}: {response.content[:300]!r}"
        assert "application/json" in response["Content-Type"]
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"status", "code", "message", "details"}

    as_each_persona(check)

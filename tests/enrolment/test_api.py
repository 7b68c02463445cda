"""The enrolment API: session authentication with CSRF, clear refusals, the one error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from learningcity.accounts.models import User
from learningcity.accounts.services import family_member_add
from learningcity.api import openapi_document
from learningcity.enrolment.models import Registration
from tests.enrolment.conftest import bookable, resident, verified
from tests.factories import World


class Api:
    """A logged-in API client that sends the CSRF token as a browser script does, and reads English."""

    def __init__(self, user: User) -> None:
        self.client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
        self.client.force_login(user)
        self.client.get(reverse("enrolment:mine"))
        self.token = self.client.cookies["csrftoken"].value

    def post(self, path: str, body: dict[str, Any] | None = None, *, csrf: bool = True) -> Any:
        headers = {"X-CSRFToken": self.token} if csrf else {}
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
        )

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}")


def test_it_registers_and_answers_the_same_registration_to_a_repeat(world: World, alice: User) -> None:
    session = bookable(world)
    api = Api(alice)
    first = api.post("/registrations", {"session_id": session.pk})
    assert first.status_code == 201
    data = first.json()
    assert (data["status"], data["created"], data["participant"]) == ("confirmed", True, "Alice")
    assert data["title"] == {"fr": "Atelier reliure", "en": "Bookbinding workshop"}
    again = api.post("/registrations", {"session_id": session.pk})
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["created"]) == (data["id"], False)
    assert Registration.objects.count() == 1


def test_it_needs_the_csrf_token_to_write(world: World, alice: User) -> None:
    response = Api(alice).post("/registrations", {"session_id": bookable(world).pk}, csrf=False)
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    assert not Registration.objects.exists()


def test_it_waitlists_with_the_position(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    Api(alice).post("/registrations", {"session_id": session.pk})
    data = Api(bob).post("/registrations", {"session_id": session.pk}).json()
    assert (data["status"], data["waitlist_position"]) == ("waitlisted", 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"session_id": 0}, "session_id"),
        ({"session_id": 1, "places": 0}, "places"),
        ({"session_id": 1, "group_name": "x" * 201}, "group_name"),
        ({}, "session_id"),
    ],
)
def test_it_names_the_field_of_bad_input(world: World, alice: User, body: dict[str, Any], field: str) -> None:
    response = Api(alice).post("/registrations", body)
    assert response.status_code == 400
    assert field in [detail["field"] for detail in response.json()["error"]["details"]]


def test_it_refuses_with_a_code_and_a_reason(world: World, alice: User) -> None:
    session = bookable(world)
    session.opportunity.registration_required = False
    session.opportunity.save()
    response = Api(alice).post("/registrations", {"session_id": session.pk})
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("no_registration", "No registration is needed: just come along.")


def test_it_asks_an_unverified_person_to_verify_first(world: World) -> None:
    response = Api(world.users["resident"]).post("/registrations", {"session_id": bookable(world).pk})  # type: ignore[arg-type]
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_not_verified"


def test_family_members_and_groups_are_checked(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=10)
    child = family_member_add(account=alice, name="Léo", year_of_birth=2016)
    not_hers = Api(bob).post("/registrations", {"session_id": session.pk, "family_member_id": child.pk})
    assert not_hers.status_code == 400
    assert not_hers.json()["error"]["details"][0]["field"] == "family_member_id"
    group = {"session_id": session.pk, "group_name": "Class", "group_organisation_id": world.org_a.pk, "places": 4}
    assert Api(alice).post("/registrations", group).status_code == 403
    staff_booking = Api(verified(world.users["provider_staff"])).post("/registrations", group)
    assert staff_booking.status_code == 201
    assert (staff_booking.json()["places"], staff_booking.json()["participant"]) == (4, "Class")
    ok = Api(alice).post("/registrations", {"session_id": session.pk, "family_member_id": child.pk})
    assert (ok.status_code, ok.json()["participant"], ok.json()["family_member_id"]) == (201, "Léo", child.pk)


def test_it_lists_cancels_and_confirms(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    alice_api, bob_api = Api(alice), Api(bob)
    mine = alice_api.post("/registrations", {"session_id": session.pk}).json()
    waiting = bob_api.post("/registrations", {"session_id": session.pk}).json()
    assert [r["id"] for r in alice_api.get("/registrations").json()["results"]] == [mine["id"]]
    cancelled = alice_api.post(f"/registrations/{mine['id']}/cancel").json()
    assert (cancelled["status"], cancelled["cancellation_reason"]) == ("cancelled", "participant")
    assert alice_api.post(f"/registrations/{mine['id']}/cancel").status_code == 200, "cancelling twice is fine"
    offered = bob_api.get("/registrations?status=offered").json()["results"]
    assert len(offered) == 1
    assert offered[0]["offer_expires_at"]
    confirmed = bob_api.post(f"/registrations/{waiting['id']}/confirm").json()
    assert confirmed["status"] == "confirmed"
    again = bob_api.post(f"/registrations/{waiting['id']}/confirm")
    assert again.status_code == 200
    assert alice_api.post(f"/registrations/{mine['id']}/confirm").json()["error"]["code"] == "no_offer"


def test_staff_read_the_roster(world: World, alice: User, bob: User) -> None:
    session = bookable(world, capacity=1)
    Api(alice).post("/registrations", {"session_id": session.pk})
    Api(bob).post("/registrations", {"session_id": session.pk})
    Api(resident("carla@resident.test")).post("/registrations", {"session_id": session.pk})
    roster = Api(world.users["provider_staff"]).get(f"/sessions/{session.pk}/roster").json()  # type: ignore[arg-type]
    assert (roster["capacity"], roster["taken"], roster["cancelled"]) == (1, 1, False)
    assert [entry["participant"] for entry in roster["confirmed"]] == ["Alice"]
    assert [(e["participant"], e["waitlist_position"]) for e in roster["waitlisted"]] == [
        ("Bob", 1),
        ("carla@resident.test", 2),
    ]


def test_the_openapi_document_describes_the_enrolment_endpoints() -> None:
    document = json.loads(openapi_document())
    paths = [
        "/api/v1/registrations", "/api/v1/registrations/{registration_id}/cancel",
        "/api/v1/registrations/{registration_id}/confirm", "/api/v1/sessions/{session_id}/roster",
    ]  # fmt: skip
    for path in paths:
        assert path in document["paths"], path
    register = document["paths"]["/api/v1/registrations"]["post"]
    assert {"201", "200", "409", "403"} <= set(register["responses"])
    assert register["security"], "the endpoint says it needs a session"

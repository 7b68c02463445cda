"""API tokens: scopes, expiry and revocation, never more than the owner, the organisation binding, the CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from learningcity.accounts.models import ApiToken, Membership, User
from learningcity.accounts.token_cli import api_token
from learningcity.accounts.token_services import token_create, token_revoke
from learningcity.catalogue.models import Organisation
from tests.enrolment.conftest import bookable, verified
from tests.factories import World

ALL = ["read", "registrations:write", "imports:write"]


def issue(user: User | None, scopes: list[str], organisation: Organisation | None = None, **fields: Any) -> str:
    assert user is not None
    return token_create(owner=user, name="script", scopes=scopes, organisation=organisation, **fields).value


def call(token: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """A client that never logged in and enforces CSRF, as a partner's program is."""
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    if method == "get":
        return client.get(f"/api/v1{path}")
    return client.post(f"/api/v1{path}", json.dumps(body or {}), content_type="application/json")


def test_it_shows_the_secret_once_and_keeps_only_its_hash(world: World) -> None:
    issued = token_create(owner=world.users["resident"], name="app", scopes=["read"])  # type: ignore[arg-type]
    row = ApiToken.objects.values().get(pk=issued.token.pk)
    assert issued.value.startswith(f"lc_{row['prefix']}_")
    assert len(issued.value) > 40
    assert issued.value not in json.dumps(row, default=str)
    assert row["token_hash"] != issued.value
    assert len(row["token_hash"]) == 64


def test_it_reads_with_a_read_token_and_writes_only_with_the_write_scope(world: World) -> None:
    alice = verified(world.users["resident"])
    session = bookable(world)
    reader = issue(alice, ["read"])
    assert call(reader, "get", "/registrations").status_code == 200
    refused = call(reader, "post", "/registrations", {"session_id": session.pk})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert "registrations:write" in refused.json()["error"]["message"]
    writer = issue(alice, ["registrations:write"])
    created = call(writer, "post", "/registrations", {"session_id": session.pk})  # no CSRF token needed
    assert created.status_code == 201
    assert created.json()["status"] == "confirmed"


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "malformed"])
def test_it_refuses_a_token_that_does_not_work_with_a_401_that_says_why(world: World, state: str) -> None:
    alice = world.users["resident"]
    value = issue(alice, ALL)
    token = ApiToken.objects.get(owner=alice)
    if state == "revoked":
        token_revoke(token=token, by=alice)
    elif state == "expired":
        past = timezone.now() - timedelta(days=1)
        ApiToken.objects.filter(pk=token.pk).update(created_at=past - timedelta(days=1), expires_at=past)
    elif state == "unknown":
        value = value[:-4] + "AAAA"
    else:
        value = "not-a-token"
    response = call(value, "get", "/registrations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_never_grants_more_than_the_owner_has(world: World) -> None:
    session = bookable(world)
    resident_token = issue(world.users["resident"], ALL)
    assert call(resident_token, "get", f"/sessions/{session.pk}/roster").status_code == 403
    upload = Client(headers={"Authorization": f"Bearer {resident_token}"}).post(
        "/api/v1/imports", {"file": _csv(), "format": "csv"}
    )
    assert upload.status_code == 403
    staff_token = issue(world.users["provider_staff"], ["read"])
    assert call(staff_token, "get", f"/sessions/{session.pk}/roster").status_code == 200
    other_staff_token = issue(world.users["other_provider_staff"], ["read"])
    assert call(other_staff_token, "get", f"/sessions/{session.pk}/roster").status_code == 403


def test_an_organisation_token_acts_for_that_organisation_only(world: World) -> None:
    coordinator = world.users["coordinator"]
    assert coordinator is not None
    Membership.objects.create(user=coordinator, organisation=world.org_b)
    session_a = bookable(world)  # organisation A's
    city_wide = issue(coordinator, ["read"])
    bound_to_b = issue(coordinator, ["read"], organisation=world.org_b)
    assert call(city_wide, "get", f"/sessions/{session_a.pk}/roster").status_code == 200
    assert call(bound_to_b, "get", f"/sessions/{session_a.pk}/roster").status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_superuser is False
    assert coordinator.coordinated_cities.exists()


def test_an_organisation_token_books_groups_of_that_organisation_and_nothing_personal(world: World) -> None:
    from learningcity.enrolment.models import Registration

    staff = verified(world.users["provider_staff"])
    Membership.objects.create(user=staff, organisation=world.org_b)  # they also work for B
    session = bookable(world, capacity=40)
    bound_to_a = issue(staff, ["read", "registrations:write"], organisation=world.org_a)
    group = {"session_id": session.pk, "group_name": "Class 4B", "places": 3}

    for_b = call(bound_to_a, "post", "/registrations", {**group, "group_organisation_id": world.org_b.pk})
    assert for_b.status_code == 403
    for_self = call(bound_to_a, "post", "/registrations", {"session_id": session.pk})
    assert for_self.status_code == 403
    assert not Registration.objects.exists()

    for_a = call(bound_to_a, "post", "/registrations", {**group, "group_organisation_id": world.org_a.pk})
    assert for_a.status_code == 201
    personal = issue(staff, ["read", "registrations:write"])  # a personal token may book for its owner
    assert call(personal, "post", "/registrations", {"session_id": session.pk}).status_code == 201
    listed = call(bound_to_a, "get", "/registrations").json()["results"]
    assert [item["group_name"] for item in listed] == ["Class 4B"]  # not the owner's own place
    own_place = Registration.objects.get(group_name="")
    assert call(bound_to_a, "post", f"/registrations/{own_place.pk}/cancel").status_code == 404


def test_an_organisation_token_needs_its_owner_on_the_staff(world: World) -> None:
    staff = world.users["provider_staff"]
    with pytest.raises(ValidationError) as refusal:
        token_create(owner=staff, name="x", scopes=["read"], organisation=world.org_b)  # type: ignore[arg-type]
    assert "organisation" in refusal.value.message_dict
    value = issue(staff, ["read"], organisation=world.org_a)
    assert call(value, "get", "/registrations").status_code == 200
    Membership.objects.filter(user=staff).delete()  # they left the organisation
    left = call(value, "get", "/registrations")
    assert left.status_code == 401
    assert "no longer works" in left.json()["error"]["message"]


def test_it_notes_the_last_use_at_most_once_a_minute(world: World) -> None:
    value = issue(world.users["resident"], ["read"])
    call(value, "get", "/registrations")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    call(value, "get", "/registrations")
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    call(value, "get", "/registrations")
    assert ApiToken.objects.get().last_used_at > first  # type: ignore[operator]


def test_the_session_still_works_with_its_csrf_check(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(verified(world.users["resident"]))
    assert client.get("/api/v1/registrations").status_code == 200
    session = bookable(world)
    response = client.post(
        "/api/v1/registrations", json.dumps({"session_id": session.pk}), content_type="application/json"
    )
    assert response.status_code == 403  # no CSRF token: refused as before


def test_the_openapi_document_describes_the_bearer_scheme() -> None:
    from learningcity.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == "bearer"
    assert {"ApiTokenAuth": []} in schema["paths"]["/api/v1/imports"]["post"]["security"]


def test_the_command_makes_lists_and_revokes_tokens(world: World) -> None:
    runner = CliRunner()
    made = runner.invoke(
        api_token, ["create", "--owner", "staff@a.test", "--name", "site", "--scope", "read",
                    "--organisation", str(world.org_a.pk), "--expires", "2099-12-31"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    value = made.stdout.strip().splitlines()[0]
    assert call(value, "get", "/registrations").status_code == 200
    listed = runner.invoke(api_token, ["list"])
    assert "staff@a.test" in listed.output
    assert "active" in listed.output
    assert value not in listed.output
    token = ApiToken.objects.get()
    assert runner.invoke(api_token, ["revoke", str(token.pk)]).exit_code == 0
    assert call(value, "get", "/registrations").status_code == 401
    refused = runner.invoke(api_token, ["create", "--owner", "staff@a.test", "--name", "x", "--scope", "read",
                                        "--organisation", str(world.org_b.pk)])  # fmt: skip
    assert refused.exit_code != 0
    assert "organisation" in refused.output


def _csv() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("listings.csv", b"title_fr,title_en\nAtelier,Workshop\n", content_type="text/csv")

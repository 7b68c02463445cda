"""The API token pages: who may open them, making a token (shown once), revoking only one's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from learningcity.accounts.models import ApiToken
from learningcity.accounts.token_services import token_create
from tests.conftest import ROLES
from tests.factories import World

PAGE = "/en/accounts/api-tokens/"


@pytest.mark.parametrize("role", ROLES)
def test_the_page_is_for_logged_in_people(world: World, client_for: Any, role: str) -> None:
    response = client_for(role).get(PAGE)
    if role == "anonymous":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == 200
        assert b"<h1>API tokens</h1>" in response.content


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_revokes_a_token(world: World, client_for: Any, role: str) -> None:
    token = token_create(owner=world.users["resident"], name="app", scopes=["read"]).token  # type: ignore[arg-type]
    response = client_for(role).post(reverse("accounts:api-token-revoke", args=[token.pk]))
    token.refresh_from_db()
    expected = {"anonymous": 302, "resident": 302}.get(role, 404)
    assert response.status_code == expected
    assert (token.revoked_at is not None) == (role == "resident")


def test_it_shows_a_new_token_once(world: World, client_for: Any) -> None:
    client = client_for("provider_staff")
    response = client.post(PAGE, {"name": "Booking site", "scopes": ["read", "imports:write"],
                                  "organisation": world.org_a.pk})  # fmt: skip
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    value = response.context["value"]
    assert value.encode() in response.content
    token = ApiToken.objects.get()
    assert (token.organisation, sorted(token.scopes)) == (world.org_a, ["imports:write", "read"])
    listing = client.get(PAGE)
    assert value.encode() not in listing.content
    assert f"lc_{token.prefix}_".encode() in listing.content


def test_it_names_the_fields_of_bad_input(world: World, client_for: Any) -> None:
    response = client_for("resident").post(PAGE, {"name": " ", "scopes": ["delete:everything"],
                                                  "expires_on": "2001-01-01"})  # fmt: skip
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert set(response.context["form"].errors) == {"name", "scopes", "expires_on"}
    assert not ApiToken.objects.exists()


def test_only_staff_may_bind_a_token_to_an_organisation(world: World, client_for: Any) -> None:
    assert "organisation" not in client_for("resident").get(PAGE).context["form"].fields
    response = client_for("provider_staff").post(
        PAGE, {"name": "x", "scopes": ["read"], "organisation": world.org_b.pk}
    )
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_marked_and_has_no_button(world: World, client_for: Any) -> None:
    token = token_create(owner=world.users["resident"], name="old app", scopes=["read"]).token  # type: ignore[arg-type]
    client = client_for("resident")
    client.post(reverse("accounts:api-token-revoke", args=[token.pk]))
    page = client.get(PAGE).content.decode()
    assert "revoked" in page
    assert reverse("accounts:api-token-revoke", args=[token.pk]) not in page


def test_the_french_page_exists(world: World, client_for: Any) -> None:
    assert client_for("resident").get("/fr/accounts/api-tokens/").status_code == 200

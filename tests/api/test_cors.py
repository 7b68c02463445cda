"""CORS: open data readable from any origin, without cookies; tokens allowed; pages untouched."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import World

ORIGIN = "https://partner.example"


def preflight(path: str, origin: str = ORIGIN) -> Any:
    return Client().options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_a_preflight_allows_the_authorization_header_without_credentials(world: World) -> None:
    response = preflight("/api/v1/registrations")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("path", ["/api/v1/opportunities", "/api/v1/openapi.json"])
def test_open_data_is_readable_from_any_origin(world: World, path: str) -> None:
    response = Client().get(path, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_public_credential_documents_are_readable_from_any_origin(world: World) -> None:
    response = Client().get(f"/organisations/{world.org_a.pk}/did.json", headers={"Origin": ORIGIN})
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/fr/", "/en/", "/en/accounts/login/"])
def test_pages_get_no_cors_headers(world: World, path: str) -> None:
    response = Client().get(path, headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight(path)


def test_cors_allowed_origins_narrows_the_policy(world: World, settings: Any) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    assert preflight("/api/v1/registrations")["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in preflight("/api/v1/registrations", "https://elsewhere.example")

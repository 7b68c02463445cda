"""The language-free public documents: DID documents, status lists, credential and achievement ids, across roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from learningcity.passport import crypto, services
from learningcity.passport.models import Award, StatusList
from tests.conftest import ROLES
from tests.factories import World
from tests.passport.test_core import make_achievement

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/ld+json"}


@pytest.fixture
def award(world: World) -> Award:
    return services.award(
        make_achievement(world), services.Holder(user=world.users["resident"]), by=None, method="hand"
    )


@pytest.mark.parametrize("role", ROLES)
def test_issuers_documents_and_status_lists_are_public(
    role: str, world: World, award: Award, client_for: Callable[[str], Client]
) -> None:
    client = client_for(role)
    did = client.get(f"/organisations/{world.org_a.pk}/did.json")
    assert did.status_code == 200
    assert did.json()["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
    assert did.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"/cities/{world.city.slug}/did.json").status_code == 200
    status = client.get(f"/credentials/status/{award.status_list_id}").json()
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    crypto.verify_data_integrity(status, bytes(award.signing_key.public_key))
    assert client.get(f"/achievements/{award.achievement.uuid}", headers=JSON).json()["type"] == ["Achievement"]


@pytest.mark.parametrize("role", ROLES)
def test_a_credential_is_served_to_its_holder_only_until_shared(
    role: str, award: Award, client_for: Callable[[str], Client]
) -> None:
    client = client_for(role)
    private = client.get(f"/credentials/{award.uuid}", headers=JSON)
    assert private.status_code == (200 if role == "resident" else 404)  # a 404, not a redirect to the page
    services.set_shared(award, True)
    shared = client.get(f"/credentials/{award.uuid}", headers=JSON)
    assert shared.json() == award.credential
    assert client.get(f"/credentials/{award.uuid}?format=jwt").content.decode() == award.jwt


def test_a_browser_opening_a_credential_id_is_sent_to_its_page(award: Award) -> None:
    response = Client().get(f"/credentials/{award.uuid}", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == f"/en/credentials/{award.uuid}/verification/"


def test_unknown_documents_are_not_found(world: World) -> None:
    client = Client()
    assert client.get("/organisations/999999/did.json").status_code == 404
    assert client.get("/credentials/status/999999").status_code == 404
    assert not StatusList.objects.exists()

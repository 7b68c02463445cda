"""The platform's credentials, checked by the independent reference implementation (tests/passport/independent.py).

The issue: every credential verifies; changing any claim makes verification fail; a revoked one reads
revoked. Both proof formats, issuers' documents read from their public addresses.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from learningcity.accounts.models import FamilyMember
from learningcity.passport import services
from learningcity.passport.models import Achievement, Award, GuardianConsent, SkillAlignment
from tests.factories import World
from tests.passport.independent import verify_independently
from tests.passport.platform_documents import documents_for

pytestmark = pytest.mark.django_db


def achievement(world: World, organisation: Any, **fields: Any) -> Achievement:
    found = Achievement.objects.create(
        city=world.city,
        organisation=organisation,
        name_fr="Premiers pas numériques",
        name_en="First digital steps",
        description_fr="Utiliser les services en ligne",
        criteria_fr="Cinq ateliers suivis",
        **fields,
    )
    SkillAlignment.objects.create(
        achievement=found, framework="esco", code="http://data.europa.eu/esco/skill/1a2b", label="use digital tools"
    )
    SkillAlignment.objects.create(achievement=found, framework="formacode", code="70322", label="bureautique")
    return found


@pytest.fixture
def issued(world: World) -> list[Award]:
    """Awards of every shape: provider and city issuers, a child, evidence, a retired key, an expiry."""
    resident, other = world.users["resident"], world.users["other_resident"]
    assert resident is not None
    assert other is not None
    child = FamilyMember.objects.create(account=resident, name="Léa", year_of_birth=timezone.now().year - 9)
    GuardianConsent.objects.create(family_member=child, guardian=resident)
    by_provider = achievement(world, world.org_a, valid_for_days=365)
    by_city = achievement(world, None)
    awards = [
        services.award(by_provider, services.Holder(user=resident), by=None, method="hand"),
        services.award(
            by_provider,
            services.Holder(family_member=child),
            by=None,
            method="claim",
            narrative="Came to every workshop",
            evidence=[{"url": "https://example.org/portfolio", "name": "Portfolio"}],
        ),
    ]
    services.rotate_key(world.city, world.org_a)  # the first two were signed by a key now retired
    awards.append(services.award(by_provider, services.Holder(user=other), by=None, method="hand"))
    awards.extend(
        services.award_many(
            by_city, [services.Holder(user=resident), services.Holder(user=other)], by=None, method="bulk"
        )
    )
    return awards


def items(awards: list[Award]) -> list[dict[str, Any]]:
    return [{"kind": "di", "credential": award.credential} for award in awards] + [
        {"kind": "jwt", "jwt": award.jwt} for award in awards
    ]


def published_documents(awards: list[Award]) -> dict[str, Any]:
    client = Client()
    return documents_for(awards, get=client.get)


def test_every_credential_verifies(issued: list[Award]) -> None:
    results = verify_independently(items(issued), published_documents(issued))
    assert [result["errors"] for result in results] == [[] for _ in results]
    assert all(result["verified"] and result["revoked"] is False for result in results)


def test_a_revoked_credential_reads_revoked(world: World, issued: list[Award]) -> None:
    revoked = services.revoke(issued[2], by=world.users["provider_staff"], reason="Awarded by mistake")
    fresh = [Award.objects.get(pk=award.pk) for award in issued]
    results = verify_independently(items(fresh), published_documents(fresh))
    revoked_flags = [result["revoked"] for result in results]
    expected = [award.pk == revoked.pk for award in fresh] * 2
    assert revoked_flags == expected


def jwt_with(token: str, change: Callable[[dict[str, Any]], None]) -> str:
    """The JWT with its payload changed and the original signature kept."""
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(body)
    encoded = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "credential name": _set(["name"], "Doctorate"),
    "achievement name": _set(["credentialSubject", "achievement", "name"], "Master of Law"),
    "criteria": _set(["credentialSubject", "achievement", "criteria", "narrative"], "Nothing at all"),
    "skill": _set(["credentialSubject", "achievement", "alignment", 0, "targetName"], "brain surgery"),
    "issuer name": _set(["issuer", "name"], "Sorbonne"),
    "issued on": _set(["validFrom"], "2020-01-01T00:00:00Z"),
    "valid until": _set(["validUntil"], "2099-01-01T00:00:00Z"),
    "holder": _set(["credentialSubject", "id"], "urn:uuid:00000000-0000-4000-8000-000000000000"),
    "status index": _set(["credentialStatus", "statusListIndex"], "99"),
    "added evidence": _set(["evidence"], [{"type": ["Evidence"], "narrative": "Top of the class"}]),
    "removed status": lambda document: document.pop("credentialStatus"),
}


def test_changing_any_claim_makes_verification_fail(issued: list[Award]) -> None:
    award = issued[0]  # the provider's, with an expiry date, signed by a retired key
    tampered: list[dict[str, Any]] = []
    for change in CHANGES.values():
        document = copy.deepcopy(award.credential)
        change(document)
        tampered.append({"kind": "di", "credential": document})
        tampered.append({"kind": "jwt", "jwt": jwt_with(award.jwt, change)})
    results = verify_independently(tampered, published_documents(issued))
    labels = [label for label in CHANGES for _format in ("di", "jwt")]
    accepted = [label for label, result in zip(labels, results, strict=True) if result["verified"]]
    assert accepted == []


def test_an_expired_credential_is_refused(world: World) -> None:
    resident = world.users["resident"]
    assert resident is not None
    short = achievement(world, world.org_a, valid_for_days=30)
    awarded = services.award_many(
        short,
        [services.Holder(user=resident)],
        by=None,
        method="hand",
        awarded_at=timezone.now() - timedelta(days=40),
    )
    results = verify_independently(items(awarded), published_documents(awarded))
    assert [result["verified"] for result in results] == [False, False]
    assert all(any("expired" in error for error in result["errors"]) for result in results)

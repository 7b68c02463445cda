"""Attacks on verification, each once a real hole (found in review): the outcome must not be "valid".

A Data Integrity signature covers the credential's RDF meaning, which JSON-LD can write in other ways;
the checks after the signature read the JSON. And canonicalisation has no work limit of its own.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from learningcity.passport import crypto, documents, services, verification
from learningcity.passport.models import Award
from tests.factories import World
from tests.passport.elsewhere import signed_elsewhere
from tests.passport.test_core import make_achievement

pytestmark = pytest.mark.django_db


def award_for(world: World, **fields: Any) -> Award:
    holder = services.Holder(user=world.users["resident"])
    return services.award(make_achievement(world, **fields), holder, by=None, method="hand")


def test_a_revoked_credential_with_its_status_under_a_full_iri_key_still_reads_revoked(world: World) -> None:
    award = services.revoke(award_for(world), by=None, reason="Fraud")
    forged = copy.deepcopy(award.credential)
    forged["https://www.w3.org/2018/credentials#credentialStatus"] = forged.pop("credentialStatus")
    assert verification.verify(forged).outcome != "valid"


def test_an_expired_credential_with_its_date_under_an_inline_alias_still_reads_expired(world: World) -> None:
    award = award_for(world, valid_for_days=1)
    forged = copy.deepcopy(award.credential)
    definition = {"@id": "https://www.w3.org/2018/credentials#validUntil", "@type": "xsd:dateTime"}
    forged["@context"] = [*forged["@context"], {"until": definition}]
    forged["until"] = forged.pop("validUntil")
    result = verification.verify(forged, now=timezone.now() + timedelta(days=3))
    assert result.outcome == "malformed"


def test_our_own_record_counts_even_if_the_status_bit_were_missing(world: World) -> None:
    award = award_for(world)
    Award.objects.filter(pk=award.pk).update(revoked_at=timezone.now(), revocation_reason="Fraud")
    assert verification.verify(award.credential).outcome == "revoked"


def test_a_did_key_credential_cannot_borrow_our_credential_id_or_status_list(world: World) -> None:
    award = award_for(world)
    services.set_shared(award, True)
    forged, private, key_id = signed_elsewhere(id=documents.credential_url(award), name="Doctorate")
    did = key_id.split("#")[0]
    unsigned = {key: value for key, value in forged.items() if key != "proof"}
    unsigned["issuer"] = {"id": did, "type": ["Profile"], "name": "Médiathèque A"}
    with translation.override("en"):
        result = verification.verify(crypto.sign_data_integrity(unsigned, private, key_id, created=timezone.now()))
    assert result.award is None  # not presented as ours
    assert [check.ok for check in result.checks if check.label == "Issuer"] == [None]  # "known only by its own key"
    unsigned["credentialStatus"] = award.credential["credentialStatus"]
    pointing = verification.verify(crypto.sign_data_integrity(unsigned, private, key_id, created=timezone.now()))
    assert pointing.outcome == "tampered"


@pytest.mark.parametrize("shape", ["linked blank nodes", "deep nesting", "long list"])
def test_a_crafted_credential_is_refused_quickly(world: World, shape: str) -> None:
    forged, _private, _key_id = signed_elsewhere()
    unsigned = {key: value for key, value in forged.items() if key != "proof"}
    achievement = unsigned["credentialSubject"]["achievement"]
    if shape == "linked blank nodes":
        achievement["alignment"] = [
            {"id": f"_:b{i}", "type": ["Alignment"], "targetName": "a", "targetUrl": "https://a.example"}
            for i in range(8)
        ]
    elif shape == "deep nesting":
        inner: dict[str, Any] = {"narrative": "x"}
        for _ in range(300):
            inner = {"type": ["Evidence"], "narrative": "x", "description": inner}
        unsigned["evidence"] = [inner]
    else:
        unsigned["evidence"] = [{"type": ["Evidence"], "narrative": str(n)} for n in range(5000)]
    with translation.override("en"):
        result = verification.verify({**unsigned, "proof": {**forged["proof"]}})
    assert result.outcome == "malformed"  # refused by the shape checks, before canonicalisation
    assert "blank node" in result.reason or "too large or too intricate" in result.reason


def test_look_alike_blank_nodes_stop_at_the_work_limit() -> None:
    """Identical nested objects without ids make canonicalisation permute them: bounded, not exponential."""
    twins = [{"type": ["Alignment"], "targetName": "a", "targetUrl": "https://a.example", "targetCode": "x"}] * 9
    document = {
        "@context": list(crypto.CREDENTIAL_CONTEXT),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"type": ["Achievement"], "alignment": [
            {"type": ["Alignment"], "targetName": "b", "targetUrl": "https://b.example", "alignment": twins}
            for _ in range(9)
        ]}},
    }  # fmt: skip
    with pytest.raises(crypto.ProofError) as refused:
        crypto.canonize(document)
    assert refused.value.code == crypto.TOO_COMPLEX


def test_nested_json_pasted_on_the_verify_page_is_a_clear_error(world: World) -> None:
    response = Client().post("/en/verify/", {"credential": "[" * 200_000 + "]" * 200_000})
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()


def test_an_unshared_credential_served_to_its_holder_is_not_cached_by_others(world: World) -> None:
    award = award_for(world)
    client = Client()
    client.force_login(world.users["resident"])  # type: ignore[arg-type]
    response = client.get(f"/credentials/{award.uuid}", headers={"Accept": "application/ld+json"})
    assert response["Cache-Control"] == "private, no-store"


def test_one_address_may_verify_only_so_many_credentials_a_minute(world: World, settings: Any) -> None:
    settings.PASSPORT_VERIFICATIONS_PER_MINUTE = 2
    signed, _private, _key_id = signed_elsewhere()
    client = Client()
    for _ in range(2):
        assert client.post("/api/v1/passport/verify", {"credential": signed}, content_type="application/json").json()[
            "valid"
        ]
    refused = client.post("/api/v1/passport/verify", {"credential": signed}, content_type="application/json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    with translation.override("en"):
        page = client.post("/en/verify/", {"credential": json.dumps(signed)})
    assert page.status_code == 429
    assert "wait a minute" in page.content.decode()

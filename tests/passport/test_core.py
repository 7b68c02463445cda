"""The passport's core: keys, the two proof formats, status lists, verification, rule awards, pathways."""

from __future__ import annotations

import base64
import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from learningcity.accounts.models import FamilyMember
from learningcity.passport import crypto, documents, keys, pathways, services, verification
from learningcity.passport.models import (
    Achievement,
    AwardMethod,
    GuardianConsent,
    LearningEntry,
    Pathway,
    PathwayStep,
    SigningKey,
    SkillAlignment,
    StatusList,
    StepKind,
    StepRule,
)
from tests.factories import World
from tests.passport.elsewhere import signed_elsewhere

pytestmark = pytest.mark.django_db


def make_achievement(world: World, **fields: Any) -> Achievement:
    values = {
        "city": world.city,
        "organisation": world.org_a,
        "name_fr": "Atelier numérique",
        "name_en": "Digital workshop",
        "criteria_fr": "Suivre trois séances",
        "criteria_en": "Attend three sessions",
    }
    values.update(fields)
    return Achievement.objects.create(**values)


def test_an_award_is_signed_in_both_formats_and_verifies(world: World) -> None:
    achievement = make_achievement(world)
    SkillAlignment.objects.create(
        achievement=achievement, framework="esco", code="http://data.europa.eu/esco/skill/abc", label="use tools"
    )
    resident = world.users["resident"]
    assert resident is not None
    award = services.award(achievement, services.Holder(user=resident), by=world.users["provider_staff"], method="hand")

    assert award.credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert award.credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert award.credential["issuer"]["id"] == documents.issuer_did(world.city, world.org_a)
    assert resident.email not in json.dumps(award.credential)  # hashed identity only
    for value in (award.credential, award.jwt):
        result = verification.verify(value)
        assert result.outcome == "valid", result.reason
    assert LearningEntry.objects.filter(user=resident, award=award).exists()


def test_changing_any_claim_is_tampering(world: World) -> None:
    award = services.award(
        make_achievement(world), services.Holder(user=world.users["resident"]), by=None, method="hand"
    )
    changed = copy.deepcopy(award.credential)
    changed["credentialSubject"]["achievement"]["name"] = "Doctorate"
    assert verification.verify(changed).outcome == "tampered"
    header, payload, signature = award.jwt.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["name"] = "Doctorate"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    assert verification.verify(f"{header}.{forged}.{signature}").outcome == "tampered"


def test_revoked_and_expired_credentials_say_so(world: World) -> None:
    achievement = make_achievement(world, valid_for_days=30)
    award = services.award(achievement, services.Holder(user=world.users["resident"]), by=None, method="hand")
    later = timezone.now() + timedelta(days=31)
    assert verification.verify(award.jwt, now=later).outcome == "expired"
    services.revoke(award, by=world.users["provider_staff"], reason="Awarded by mistake")
    result = verification.verify(award.credential)
    assert result.outcome == "revoked"
    assert "Awarded by mistake" in result.reason
    status = services.signed_status_list(StatusList.objects.get(pk=award.status_list_id))
    crypto.verify_data_integrity(status, bytes(award.signing_key.public_key))
    bits = crypto.decode_status_list(status["credentialSubject"]["encodedList"])
    assert crypto.bit_is_set(bits, award.status_index)


def test_rotation_keeps_old_credentials_verifiable(world: World) -> None:
    achievement = make_achievement(world)
    old = services.award(achievement, services.Holder(user=world.users["resident"]), by=None, method="hand")
    new_key = services.rotate_key(world.city, world.org_a)
    new = services.award(achievement, services.Holder(user=world.users["other_resident"]), by=None, method="hand")
    assert new.signing_key == new_key != old.signing_key
    assert verification.verify(old.jwt).valid
    assert verification.verify(new.credential).valid
    did = documents.did_document(world.city, world.org_a)
    assert len(did["verificationMethod"]) == 2


def test_private_keys_are_encrypted_at_rest(world: World) -> None:
    key = keys.current_key(world.city, world.org_a)
    raw = keys.private_key(key)
    stored = SigningKey.objects.get(pk=key.pk).private_key_encrypted
    assert raw.hex() not in stored
    assert base64.b64encode(raw).decode() not in stored


def test_a_childs_credential_names_no_one_and_needs_consent(world: World) -> None:
    guardian = world.users["resident"]
    assert guardian is not None
    child = FamilyMember.objects.create(account=guardian, name="Léa", year_of_birth=timezone.now().year - 9)
    achievement = make_achievement(world)
    with pytest.raises(services.AwardError):
        services.award(achievement, services.Holder(family_member=child), by=None, method="hand")
    GuardianConsent.objects.create(family_member=child, guardian=guardian)
    award = services.award(achievement, services.Holder(family_member=child), by=None, method="hand")
    text = json.dumps(award.credential)
    assert "Léa" not in text
    assert guardian.email not in text
    assert "identifier" not in text


def test_a_second_award_of_the_same_achievement_is_refused(world: World) -> None:
    achievement = make_achievement(world)
    holder = services.Holder(user=world.users["resident"])
    services.award(achievement, holder, by=None, method="hand")
    with pytest.raises(services.AwardError):
        services.award(achievement, holder, by=None, method="hand")


def test_a_pathway_completes_and_awards_its_credential(world: World, django_capture_on_commit_callbacks: Any) -> None:
    first, second, third = (make_achievement(world, name_en=f"Step {n}", name_fr=f"Étape {n}") for n in (1, 2, 3))
    done = make_achievement(world, name_en="Pathway done", name_fr="Parcours terminé")
    pathway = Pathway.objects.create(
        city=world.city, name_en="Digital helper", completion_achievement=done, published=True
    )
    PathwayStep.objects.create(pathway=pathway, kind=StepKind.ACHIEVEMENT, achievement=first, position=1)
    group = PathwayStep.objects.create(
        pathway=pathway, kind=StepKind.GROUP, rule=StepRule.N_OF_M, required_count=1, position=2
    )
    PathwayStep.objects.create(pathway=pathway, parent=group, kind=StepKind.ACHIEVEMENT, achievement=second)
    PathwayStep.objects.create(pathway=pathway, parent=group, kind=StepKind.ACHIEVEMENT, achievement=third)
    resident = world.users["resident"]
    assert resident is not None
    holder = services.Holder(user=resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.award(first, holder, by=None, method=AwardMethod.HAND)
    held = pathways.holdings(resident.pk)
    assert pathways.progress(pathway, held).percent == 50
    assert [item.pathway for item in pathways.suggestions(world.city.pk, held)] == [pathway]
    with django_capture_on_commit_callbacks(execute=True):
        services.award(third, holder, by=None, method=AwardMethod.HAND)
    assert done.awards.filter(recipient=resident, method=AwardMethod.PATHWAY).exists()


def test_foreign_and_broken_input_gets_a_clear_outcome(world: World) -> None:
    assert verification.verify("").outcome == "malformed"
    assert verification.verify("{not json").outcome == "malformed"
    assert verification.verify(b"\xff\xfe").outcome == "malformed"
    foreign = {
        "@context": list(crypto.CREDENTIAL_CONTEXT),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:elsewhere.example", "type": ["Profile"], "name": "Elsewhere"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"]},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "verificationMethod": "did:web:elsewhere.example#key-1",
            "proofPurpose": "assertionMethod",
            "proofValue": "z111",
        },
    }
    assert verification.verify(foreign).outcome == "unknown_issuer"


def test_a_did_key_credential_from_elsewhere_verifies(world: World) -> None:
    signed, private, key_id = signed_elsewhere()
    assert verification.verify(signed).valid
    unsigned = {key: value for key, value in signed.items() if key != "proof"}
    assert verification.verify(crypto.sign_jwt(unsigned, private, key_id)).valid


def test_an_account_of_someone_under_15_carries_no_identifier(world: World) -> None:
    young = world.users["other_resident"]
    assert young is not None
    young.year_of_birth = timezone.localdate().year - 13
    young.save(update_fields=["year_of_birth"])
    award = services.award(make_achievement(world), services.Holder(user=young), by=None, method="hand")
    assert "identifier" not in award.credential["credentialSubject"]
    assert young.email not in award.jwt


def test_the_open_badges_context_is_the_shared_one_with_upstreams_three_fixes() -> None:
    from tests.passport.independent import ob_context

    assert crypto.context_document(crypto.OPEN_BADGES_V3) == ob_context()


def test_an_instance_can_move_to_its_own_encryption_key(world: World, settings: Any) -> None:
    key = keys.current_key(world.city, world.org_a)  # encrypted with the key derived from SECRET_KEY
    before = keys.private_key(key)
    settings.PASSPORT_KEY_ENCRYPTION_KEYS = [keys.new_encryption_key()]
    assert keys.private_key(SigningKey.objects.get(pk=key.pk)) == before
    assert keys.reencrypt_all() == 1
    settings.SECRET_KEY = "a-new-secret-key-after-the-move-" * 2  # the derived key no longer matters
    assert keys.private_key(SigningKey.objects.get(pk=key.pk)) == before


def test_taking_a_child_off_the_family_list_erases_their_record(world: World) -> None:
    from learningcity.accounts.services import family_member_remove

    guardian = world.users["resident"]
    assert guardian is not None
    child = FamilyMember.objects.create(account=guardian, name="Léa", year_of_birth=timezone.now().year - 9)
    GuardianConsent.objects.create(family_member=child, guardian=guardian)
    award = services.award(make_achievement(world), services.Holder(family_member=child), by=None, method="hand")
    family_member_remove(member=child, by=guardian)
    assert not LearningEntry.objects.filter(family_member=child).exists()
    assert verification.verify(award.credential).outcome == "revoked"

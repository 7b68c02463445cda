"""Sharing the record: public links and the public profile, LinkedIn, downloads (JSON, JWT, PDF certificate),
the export of everything, erasing, and importing credentials issued elsewhere."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from learningcity.accounts.models import FamilyMember
from learningcity.passport import crypto, documents, record_pdf, services, verification
from learningcity.passport.models import (
    Award,
    AwardRequest,
    EntryKind,
    GuardianConsent,
    LearningEntry,
    PassportProfile,
)
from tests.factories import World
from tests.passport.elsewhere import signed_elsewhere
from tests.passport.test_record import PDF_BYTES, award_to, declared, make_achievement, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def public_json(client: Client, award: Award) -> bool:
    """Whether a verifier elsewhere gets the credential when it asks the credential's id for JSON."""
    response = client.get(f"/credentials/{award.uuid}", HTTP_ACCEPT="application/ld+json")
    return response.status_code == 200 and json.loads(response.content) == award.credential


def test_sharing_turns_the_public_link_and_the_profile_listing_on_and_off(
    world: World, client_for: Callable[[str], Client]
) -> None:
    award = award_to(world)
    owner, stranger = client_for("resident"), Client()
    client_for("resident").post(reverse("passport:profile-settings"), {"public": "on"})
    profile = PassportProfile.objects.get(user=person(world))
    with translation.override("en"):
        profile_url = reverse("passport:profile", args=[profile.slug])
        share_url = reverse("passport:my-credential-share", args=[award.uuid])
        assert not public_json(stranger, award)
        assert "Digital workshop" not in stranger.get(profile_url).content.decode()
        assert owner.post(share_url, {"shared": "on"}).status_code == 302
        assert public_json(stranger, award)
        shown = stranger.get(profile_url).content.decode()
        assert "Digital workshop" in shown
        assert "Credentials of Alice" in shown
        owner.post(share_url, {"shared": "off"})
        assert not public_json(stranger, award)
        assert "Digital workshop" not in stranger.get(profile_url).content.decode()
        owner.post(reverse("passport:profile-settings"), {"public": "off"})
        assert stranger.get(profile_url).status_code == 404


def test_the_linkedin_link_appears_only_once_shared_and_names_the_credential(
    world: World, client_for: Callable[[str], Client]
) -> None:
    award = award_to(world, valid_for_days=365)
    url = reverse("passport:my-credential", args=[award.uuid])
    with translation.override("en"):
        assert "linkedin.com" not in client_for("resident").get(url).content.decode()
        services.set_shared(award, True)
        response = client_for("resident").get(url)
    link = response.context["linkedin_url"]
    assert link in response.content.decode().replace("&amp;", "&")
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    awarded = timezone.localtime(award.awarded_at)
    assert query == {
        "startTask": "CERTIFICATION_NAME", "name": "Digital workshop", "organizationName": world.org_a.name,
        "issueYear": str(awarded.year), "issueMonth": str(awarded.month),
        "certUrl": documents.credential_url(award), "certId": str(award.uuid),
        "expirationYear": str(timezone.localtime(award.valid_until).year),
        "expirationMonth": str(timezone.localtime(award.valid_until).month),
    }  # fmt: skip


def test_a_revoked_credential_cannot_be_shared(world: World, client_for: Callable[[str], Client]) -> None:
    award = services.revoke(award_to(world), by=None, reason="Mistake")
    with translation.override("en"):
        response = client_for("resident").post(
            reverse("passport:my-credential-share", args=[award.uuid]), {"shared": "on"}, follow=True
        )
        assert "A revoked credential cannot be shared." in response.content.decode()
    award.refresh_from_db()
    assert not award.shared


def test_a_childs_credential_is_shared_by_the_guardian_only(world: World, client_for: Callable[[str], Client]) -> None:
    child = FamilyMember.objects.create(account=person(world), name="Léa", year_of_birth=2017)
    GuardianConsent.objects.create(family_member=child, guardian=person(world))
    award = services.award(make_achievement(world), services.Holder(family_member=child), by=None, method="hand")
    url = reverse("passport:my-credential-share", args=[award.uuid])
    assert client_for("other_resident").post(url, {"shared": "on"}).status_code == 404
    assert client_for("resident").post(url, {"shared": "on"}).status_code == 302
    award.refresh_from_db()
    assert award.shared
    slug = PassportProfile.objects.create(user=person(world), public=True).slug
    profile = Client().get(reverse("passport:profile", args=[slug]))
    assert "Digital workshop" not in profile.content.decode()  # a child's credential never shows on a profile


def test_the_downloads_are_the_signed_credential_in_both_formats(
    world: World, client_for: Callable[[str], Client]
) -> None:
    award = award_to(world)
    as_json = client_for("resident").get(reverse("passport:my-credential-json", args=[award.uuid]))
    assert as_json["Content-Type"] == "application/ld+json"
    assert 'filename="digital-workshop.json"' in as_json["Content-Disposition"]
    assert verification.verify(json.loads(as_json.content)).valid
    as_jwt = client_for("resident").get(reverse("passport:my-credential-jwt", args=[award.uuid]))
    assert as_jwt["Content-Disposition"].endswith('.jwt"')
    assert verification.verify(as_jwt.content.decode()).valid


def test_the_certificate_is_a_pdf_with_a_qr_code_to_the_verification_page(
    world: World, client_for: Callable[[str], Client]
) -> None:
    award = award_to(world)
    with translation.override("en"):
        html = record_pdf.certificate_html(award)
        response = client_for("resident").get(reverse("passport:my-credential-pdf", args=[award.uuid]))
    assert "Digital workshop" in html
    assert world.org_a.name in html
    assert "Awarded to Alice" in html
    assert documents.credential_url(award) in html
    assert '<svg width="' in html
    assert "qrline" in html
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_certificate_and_the_credential_page_speak_the_language_asked(
    world: World, client_for: Callable[[str], Client], language: str
) -> None:
    award = award_to(world)
    with translation.override(language):
        html = record_pdf.certificate_html(award)
        response = client_for("resident").get(reverse("passport:my-credential", args=[award.uuid]))
        awarded_on = date_format(timezone.localtime(award.awarded_at), "DATE_FORMAT")
    assert f'<html lang="{language}">' in html
    assert awarded_on in html
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert awarded_on in response.content.decode()


def test_the_pdf_renderer_fetches_nothing(world: World) -> None:
    html = '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd"><p>Hello</p>'
    assert record_pdf.pdf(html).startswith(b"%PDF")  # the images are refused, the page still renders


def test_the_export_holds_the_whole_record(world: World, client_for: Callable[[str], Client]) -> None:
    award = award_to(world)
    declared(person(world), endorsement_requested_from=world.org_a)
    child = FamilyMember.objects.create(account=person(world), name="Léa", year_of_birth=2017)
    GuardianConsent.objects.create(family_member=child, guardian=person(world))
    AwardRequest.objects.create(achievement=make_achievement(world, "Kiln"), user=person(world), message="Hi")
    response = client_for("resident").get(reverse("passport:export"))
    assert response["Content-Type"] == "application/json"
    assert "learning-record.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["email"] == "alice@resident.test"
    assert {entry["title"] for entry in data["entries"]} == {"Digital workshop", "Pottery"}
    assert data["awards"][0]["credential"] == award.credential
    assert data["awards"][0]["jwt"] == award.jwt
    assert data["requests"][0]["message"] == "Hi"
    assert data["guardian_consents"][0]["for"] == "Léa"
    other = json.loads(client_for("other_resident").get(reverse("passport:export")).content)
    assert other["entries"] == []
    assert other["awards"] == []


def test_erasing_leaves_nothing_and_the_credentials_read_revoked(
    world: World, client_for: Callable[[str], Client], media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    resident = person(world)
    assert resident is not None
    award = award_to(world)
    declared(resident, evidence_file=ContentFile(PDF_BYTES, "e.pdf"))
    child = FamilyMember.objects.create(account=resident, name="Léa", year_of_birth=2017)
    GuardianConsent.objects.create(family_member=child, guardian=resident)
    child_award = services.award(make_achievement(world, "Swim"), services.Holder(family_member=child), by=None,
                                 method="hand")  # fmt: skip
    AwardRequest.objects.create(achievement=make_achievement(world, "Kiln"), user=resident,
                                evidence_file=ContentFile(PDF_BYTES, "r.pdf"))  # fmt: skip
    PassportProfile.objects.create(user=resident, public=True)
    kept = award_to(world, person(world, "other_resident"))
    with translation.override("en"):
        refused = client_for("resident").post(reverse("passport:erase"), {})
        assert refused.status_code == 400
        assert "Tick the box to confirm" in refused.content.decode()
        assert LearningEntry.objects.filter(user=resident).exists()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("resident").post(reverse("passport:erase"), {"confirm": "on"})
    assert response.status_code == 302
    assert not LearningEntry.objects.filter(user=resident).exists()
    assert not Award.objects.filter(recipient=resident).exists()
    assert not AwardRequest.objects.filter(user=resident).exists()
    assert not GuardianConsent.objects.filter(family_member__account=resident).exists()
    assert not PassportProfile.objects.filter(user=resident).exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []
    for credential in (award.credential, award.jwt, child_award.credential):
        assert verification.verify(credential).outcome == "revoked"
    assert verification.verify(kept.credential).valid
    assert LearningEntry.objects.filter(award=kept).exists()


def test_a_valid_credential_from_elsewhere_is_added_once(world: World, client_for: Callable[[str], Client]) -> None:
    signed, _private, _kid = signed_elsewhere()
    url = reverse("passport:import")
    response = client_for("resident").post(url, {"text": json.dumps(signed)})
    assert response.status_code == 302
    entry = LearningEntry.objects.get(kind=EntryKind.IMPORTED)
    assert (entry.title, entry.provider_name, entry.description) == (
        "Volunteer",
        "Another city",
        "Helped at the food bank",
    )
    assert entry.imported_credential == signed
    assert str(entry.ended_on) == "2026-01-01"
    with translation.override("en"):
        again = client_for("resident").post(reverse("passport:import"), {"text": json.dumps(signed)})
        assert again.status_code == 400
        assert "already in the record" in again.content.decode()
    assert LearningEntry.objects.filter(kind=EntryKind.IMPORTED).count() == 1


def test_a_jwt_from_elsewhere_can_be_uploaded_and_is_kept_verifiable(
    world: World, client_for: Callable[[str], Client]
) -> None:
    signed, private, kid = signed_elsewhere()
    token = crypto.sign_jwt({key: value for key, value in signed.items() if key != "proof"}, private, kid)
    upload = SimpleUploadedFile("badge.jwt", token.encode())
    assert client_for("resident").post(reverse("passport:import"), {"file": upload}).status_code == 302
    stored = LearningEntry.objects.get(kind=EntryKind.IMPORTED).imported_credential
    assert stored is not None
    assert stored["type"] == "EnvelopedVerifiableCredential"
    assert verification.verify(stored["id"].split(",", 1)[1]).valid


def test_a_tampered_credential_is_refused_with_the_reason(world: World, client_for: Callable[[str], Client]) -> None:
    signed, _private, _kid = signed_elsewhere()
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Doctorate"
    with translation.override("en"):
        response = client_for("resident").post(reverse("passport:import"), {"text": json.dumps(tampered)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not added: Tampered with" in page
    assert "Failed:" in page
    assert not LearningEntry.objects.filter(kind=EntryKind.IMPORTED).exists()


IMPORT_ERRORS = [
    ("nothing", {}, "text", "Paste a credential (JSON or JWT) or choose its file."),
    ("too big", {"file": SimpleUploadedFile("big.json", b"{" + b" " * (1024 * 1024 + 1))}, "file", "larger than 1 MB"),
]


@pytest.mark.parametrize(("name", "data", "field", "message"), IMPORT_ERRORS, ids=[row[0] for row in IMPORT_ERRORS])
def test_import_input_errors_name_the_field(
    world: World, client_for: Callable[[str], Client], name: str, data: dict[str, Any], field: str, message: str
) -> None:
    with translation.override("en"):
        response = client_for("resident").post(reverse("passport:import"), data)
        errors = {key: [str(error) for error in value] for key, value in response.context["form"].errors.items()}
    assert response.status_code == 400, name
    assert message in " ".join(errors[field]), name


def test_not_json_nor_jwt_says_so(world: World, client_for: Callable[[str], Client]) -> None:
    with translation.override("en"):
        response = client_for("resident").post(reverse("passport:import"), {"text": "hello"})
    assert response.status_code == 400
    assert "Not a credential" in response.content.decode()


def test_someone_elses_credential_or_ones_own_award_is_not_imported(
    world: World, client_for: Callable[[str], Client]
) -> None:
    others = award_to(world, person(world, "other_resident"))
    own = award_to(world, name_en="Kiln safety")
    with translation.override("en"):
        stolen = client_for("resident").post(reverse("passport:import"), {"text": json.dumps(others.credential)})
        again = client_for("resident").post(reverse("passport:import"), {"text": own.jwt})
    assert stolen.status_code == 400
    assert "issued to another e-mail address" in stolen.content.decode()
    assert again.status_code == 400
    assert "it was awarded here" in again.content.decode()
    assert not LearningEntry.objects.filter(kind=EntryKind.IMPORTED).exists()

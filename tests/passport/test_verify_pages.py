"""The verification pages: one of our credentials, public when shared; and "verify any credential"."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.accounts.models import FamilyMember
from learningcity.passport import services
from learningcity.passport.models import Achievement, Award, GuardianConsent, SkillAlignment
from learningcity.passport.verification import Outcome
from tests.conftest import ROLES
from tests.factories import World
from tests.passport.elsewhere import signed_elsewhere
from tests.passport.test_core import make_achievement

pytestmark = pytest.mark.django_db


def award_to(world: World, role: str = "resident", achievement: Achievement | None = None, **fields: object) -> Award:
    achievement = achievement or make_achievement(world)
    holder = services.Holder(user=world.users[role])
    return services.award_many(achievement, [holder], by=world.users["provider_staff"], method="hand", **fields)[0]  # type: ignore[arg-type]


def page(award: Award, language: str = "en") -> str:
    with translation.override(language):
        return reverse("passport:credential", args=[award.uuid])


def verify_url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("passport:verify")


def status_of(response: object) -> str:
    """The big status heading's text."""
    html: str = response.content.decode()  # type: ignore[attr-defined]
    start = html.index('id="result-title">')
    return html[start : html.index("</h2>", start)].split("</span>", 1)[1].strip()


def label(outcome: str, language: str = "en") -> str:
    with translation.override(language):
        return str(Outcome(outcome).label)


# Permissions


def test_it_shows_an_unshared_credential_only_to_its_holder_and_its_issuer(
    world: World, client_for: Callable[[str], Client]
) -> None:
    award = award_to(world)
    expected = [404, 200, 404, 200, 404, 404]  # holder and the issuing organisation's staff
    got = [client_for(role).get(page(award)).status_code for role in ROLES]
    assert got == expected


def test_a_shared_credential_is_public_and_the_page_of_an_unknown_one_looks_the_same_as_a_private_one(
    world: World, client_for: Callable[[str], Client]
) -> None:
    award = services.set_shared(award_to(world), True)
    assert [client_for(role).get(page(award)).status_code for role in ROLES] == [200] * 6
    private = award_to(world, "other_resident")
    unknown = Client().get(reverse("passport:credential", args=["00000000-0000-4000-8000-000000000000"]))
    hidden = Client().get(page(private))
    assert unknown.status_code == hidden.status_code == 404
    assert private.achievement.name not in hidden.content.decode()


def test_a_city_credential_is_shown_to_the_citys_coordinators(
    world: World, client_for: Callable[[str], Client]
) -> None:
    award = award_to(world, achievement=make_achievement(world, organisation=None))
    assert [client_for(role).get(page(award)).status_code for role in ROLES] == [404, 200, 404, 404, 404, 200]


def test_the_verify_page_is_open_to_everyone(world: World, client_for: Callable[[str], Client]) -> None:
    award = award_to(world)
    for role in ROLES:
        assert client_for(role).get(verify_url()).status_code == 200, role
        response = client_for(role).post(verify_url(), {"credential": award.jwt})
        assert (response.status_code, status_of(response)) == (200, "Valid"), role


# The credential's page


def test_it_verifies_both_proofs_and_says_who_issued_what_to_whom(world: World, client: Client) -> None:
    achievement = make_achievement(world, description_en="Use a computer with confidence")
    SkillAlignment.objects.create(
        achievement=achievement, framework="esco", code="http://data.europa.eu/esco/skill/abc", label="use tools"
    )
    award = services.set_shared(award_to(world, achievement=achievement), True)
    response = client.get(page(award))
    html = response.content.decode()
    assert status_of(response) == "Valid"
    assert "Embedded proof (Data Integrity): Valid" in html
    assert "VC-JWT: Valid" in html
    for text in ("Digital workshop", "Use a computer with confidence", "Alice", "Médiathèque A", "use tools"):
        assert text in html
    did = award.credential["issuer"]["id"]
    assert did in html
    assert f'href="http://127.0.0.1:8000/organisations/{world.org_a.pk}/did.json"' in html
    assert f'href="/credentials/{award.uuid}?format=json"' in html
    assert f'href="/en/credentials/{award.uuid}/jwt/"' in html
    assert 'name="robots" content="noindex"' in html


def test_its_download_links_give_the_signed_documents(world: World, client_for: Callable[[str], Client]) -> None:
    award = award_to(world)
    jwt_url = reverse("passport:credential-jwt", args=[award.uuid])
    assert [client_for(role).get(jwt_url).status_code for role in ROLES] == [404, 200, 404, 200, 404, 404]
    services.set_shared(award, True)
    anonymous = client_for("anonymous")
    assert anonymous.get(f"/credentials/{award.uuid}?format=json").json() == award.credential
    download = anonymous.get(jwt_url)
    assert download.content.decode() == award.jwt
    assert download["Content-Type"] == "application/vc+jwt"
    assert "attachment" in download["Content-Disposition"]


def test_it_says_revoked_and_why(world: World, client: Client) -> None:
    award = services.set_shared(award_to(world), True)
    services.revoke(award, by=world.users["provider_staff"], reason="Awarded by mistake")
    response = client.get(page(award))
    assert status_of(response) == "Revoked"
    assert "Awarded by mistake" in response.content.decode()


def test_it_says_expired(world: World, client: Client) -> None:
    achievement = make_achievement(world, valid_for_days=30)
    award = award_to(world, achievement=achievement, awarded_at=timezone.now() - timedelta(days=40))
    services.set_shared(award, True)
    response = client.get(page(award))
    assert status_of(response) == "Expired"
    assert "It expired on" in response.content.decode()


def test_it_says_tampered_with_when_the_stored_credential_was_changed(world: World, client: Client) -> None:
    award = services.set_shared(award_to(world), True)
    changed = copy.deepcopy(award.credential)
    changed["credentialSubject"]["achievement"]["name"] = "Doctorate"
    Award.objects.filter(pk=award.pk).update(credential=changed)
    response = client.get(page(award))
    assert status_of(response) == "Tampered with"
    assert "Embedded proof (Data Integrity): Tampered with" in response.content.decode()
    assert "VC-JWT: Valid" in response.content.decode()


def test_a_childs_credential_names_no_one(world: World, client: Client) -> None:
    guardian = world.users["resident"]
    assert guardian is not None
    child = FamilyMember.objects.create(account=guardian, name="Léa", year_of_birth=timezone.now().year - 9)
    GuardianConsent.objects.create(family_member=child, guardian=guardian)
    award = services.award(make_achievement(world), services.Holder(family_member=child), by=None, method="hand")
    services.set_shared(award, True)
    html = client.get(page(award)).content.decode()
    assert "a young learner" in html
    assert "Léa" not in html
    assert "Alice" not in html


def test_the_page_speaks_french_under_fr(world: World, client: Client) -> None:
    award = services.set_shared(award_to(world), True)
    response = client.get(page(award, "fr"))
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Atelier numérique" in html
    assert status_of(response) == label("valid", "fr")


# Verify any credential


def post(client: Client, language: str = "en", **data: object) -> object:
    return client.post(verify_url(language), data)


@pytest.mark.parametrize("form", ["jwt", "json", "file"])
def test_it_verifies_our_credential_pasted_or_uploaded(world: World, client: Client, form: str) -> None:
    award = award_to(world)
    if form == "file":
        upload = SimpleUploadedFile("badge.json", json.dumps(award.credential).encode(), "application/json")
        response = post(client, file=upload)
    else:
        response = post(client, credential=award.jwt if form == "jwt" else json.dumps(award.credential))
    html = response.content.decode()  # type: ignore[attr-defined]
    assert status_of(response) == "Valid"
    assert "What the credential says" in html
    assert "Atelier numérique" in html
    assert "Médiathèque A" in html
    assert ("Format: VC-JWT" in html) == (form == "jwt")
    assert "see its page" not in html  # not shared: no link to a page that would say 404


def test_it_links_a_shared_credential_to_its_page(world: World, client: Client) -> None:
    award = services.set_shared(award_to(world), True)
    html = post(client, credential=award.jwt).content.decode()  # type: ignore[attr-defined]
    assert f'href="{page(award)}"' in html


def test_it_says_tampered_with_when_the_achievement_name_was_changed(world: World, client: Client) -> None:
    award = award_to(world)
    changed = copy.deepcopy(award.credential)
    changed["credentialSubject"]["achievement"]["name"] = "Doctorate"
    response = post(client, credential=json.dumps(changed))
    assert status_of(response) == "Tampered with"
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Failed:" in html
    assert "These claims are not proven" in html


def test_it_says_revoked_and_expired_for_pasted_credentials(world: World, client: Client) -> None:
    revoked = award_to(world)
    services.revoke(revoked, by=None, reason="Fraud")
    old = award_to(
        world,
        "other_resident",
        achievement=make_achievement(world, name_en="First aid", valid_for_days=30),
        awarded_at=timezone.now() - timedelta(days=40),
    )
    assert status_of(post(client, credential=revoked.jwt)) == "Revoked"
    assert status_of(post(client, credential=json.dumps(old.credential))) == "Expired"


def test_a_did_key_credential_from_elsewhere_verifies_and_another_sites_did_web_cannot_be_checked(
    world: World, client: Client
) -> None:
    signed, _private, _key_id = signed_elsewhere()
    response = post(client, credential=json.dumps(signed))
    assert status_of(response) == "Valid"
    assert "Another city" in response.content.decode()  # type: ignore[attr-defined]
    elsewhere = copy.deepcopy(signed)
    elsewhere["issuer"]["id"] = "did:web:elsewhere.example"
    elsewhere["proof"]["verificationMethod"] = "did:web:elsewhere.example#key-1"
    response = post(client, credential=json.dumps(elsewhere))
    assert status_of(response) == "Issuer cannot be checked"
    assert 'href="https://elsewhere.example/.well-known/did.json"' in response.content.decode()  # type: ignore[attr-defined]


def test_text_that_is_not_a_credential_gets_a_reason(world: World, client: Client) -> None:
    response = post(client, credential="{not json")
    assert status_of(response) == "Not a credential"
    assert "neither JSON nor a JWT" in response.content.decode()  # type: ignore[attr-defined]


def error_summary(response: object) -> str:
    html: str = response.content.decode()  # type: ignore[attr-defined]
    assert 'class="errorlist-summary" role="alert"' in html
    assert 'id="result"' not in html
    start = html.index('class="errorlist-summary"')
    return html[start : html.index("</div>", start)]


def test_empty_input_is_a_clear_error_on_the_field(world: World, client: Client) -> None:
    summary = error_summary(post(client, credential="   "))
    assert 'href="#id_credential"' in summary
    assert "Paste a credential or choose its file." in summary


def test_a_2_mb_upload_is_refused(world: World, client: Client) -> None:
    upload = SimpleUploadedFile("big.json", b"{" + b" " * (2 * 1024 * 1024) + b"}", "application/json")
    summary = error_summary(post(client, file=upload))
    assert 'href="#id_file"' in summary
    assert "larger than 1 MB" in summary


def test_a_2_mb_paste_is_refused(world: World, client: Client) -> None:
    summary = error_summary(post(client, credential="x" * (2 * 1024 * 1024)))
    assert 'href="#id_credential"' in summary
    assert "larger than 1 MB" in summary


def test_a_binary_file_is_refused(world: World, client: Client) -> None:
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "image/png")
    summary = error_summary(post(client, file=upload))
    assert 'href="#id_file"' in summary
    assert "The file is not text" in summary


def test_both_a_paste_and_a_file_is_refused(world: World, client: Client) -> None:
    award = award_to(world)
    upload = SimpleUploadedFile("badge.jwt", award.jwt.encode(), "text/plain")
    summary = error_summary(post(client, credential=award.jwt, file=upload))
    assert "not both" in summary


def test_the_verify_page_works_in_french(world: World, client: Client) -> None:
    award = award_to(world)
    response = client.get(verify_url("fr"))
    assert '<html lang="fr">' in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert status_of(post(client, "fr", credential=award.jwt)) == label("valid", "fr")
    revoked = services.revoke(award, by=None, reason="Erreur")
    assert status_of(post(client, "fr", credential=revoked.jwt)) == label("revoked", "fr")

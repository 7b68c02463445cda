"""Consent to the privacy notice: recorded at sign-up, asked again when the notice changes."""

from __future__ import annotations

from django.test import Client

from learningcity.accounts.models import User
from learningcity.privacy.models import ConsentMethod, ConsentRecord, Purpose
from tests.factories import World
from tests.privacy.conftest import persona

SIGNUP = "/en/accounts/signup/"


def signup_data() -> dict[str, str]:
    return {
        "email": "nadia@example.org", "display_name": "Nadia", "preferred_language": "fr",
        "password1": "a-long-and-unusual-passphrase", "password2": "a-long-and-unusual-passphrase", "privacy": "on",
    }  # fmt: skip


def test_it_records_consent_to_the_current_notice_at_signup(db: None, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRIVACY_NOTICE_VERSION = "2025-09"
    assert client.post(SIGNUP, signup_data()).status_code == 302
    record = ConsentRecord.objects.get(user__email="nadia@example.org")
    assert (record.purpose, record.notice_version, record.method) == (Purpose.PRIVACY_NOTICE, "2025-09", "signup")
    assert record.active


def test_it_records_no_account_and_no_consent_without_the_box_ticked(db: None, client: Client) -> None:
    data = signup_data()
    del data["privacy"]
    response = client.post(SIGNUP, data)
    assert response.status_code == 200
    assert not User.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_the_signup_form_links_to_the_notice(db: None, client: Client) -> None:
    assert 'href="/en/privacy/"' in client.get(SIGNUP).content.decode()


def test_it_asks_again_when_the_notice_changes(world: World, client_for, settings) -> None:  # type: ignore[no-untyped-def]
    resident = persona(world, "resident")
    ConsentRecord.objects.create(user=resident, purpose=Purpose.PRIVACY_NOTICE, notice_version="2024-01",
                                 method=ConsentMethod.SIGNUP)  # fmt: skip
    settings.PRIVACY_NOTICE_VERSION = "2025-09"
    client = client_for("resident")
    page = client.get("/en/privacy/my-data/").content.decode()
    assert "The privacy notice changed (version 2025-09)" in page
    assert client.post("/en/privacy/my-data/consent/").status_code == 302
    assert client.post("/en/privacy/my-data/consent/").status_code == 302  # twice: still one record
    versions = list(ConsentRecord.objects.filter(user=resident).values_list("notice_version", "method"))
    assert versions == [("2024-01", "signup"), ("2025-09", "account")]
    assert "The privacy notice changed" not in client.get("/en/privacy/my-data/").content.decode()


def test_the_notice_shows_the_retention_periods_from_settings(db: None, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RETENTION_UNVERIFIED_DAYS = 12
    settings.RETENTION_INACTIVE_YEARS = 4
    settings.PRIVACY_CONTACT_EMAIL = "dpo@city.test"
    page = client.get("/en/privacy/").content.decode()
    assert "never confirmed is erased after 12 days" in page
    assert "not used for 4 years is erased" in page
    assert "mailto:dpo@city.test" in page
    french = client.get("/fr/privacy/")
    assert french.status_code == 200
    assert 'lang="fr"' in french.content.decode()

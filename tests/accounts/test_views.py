"""Residents sign up and log in with an e-mail address."""

from __future__ import annotations

from django.test import Client

from learningcity.accounts.models import User
from tests.factories import PASSWORD, World

SIGNUP = "/en/accounts/signup/"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "Nadia@Example.org", "display_name": "Nadia", "preferred_language": "fr",
        "password1": "a-long-and-unusual-passphrase", "password2": "a-long-and-unusual-passphrase", "privacy": "on",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_it_creates_a_resident_account_and_logs_in(db: None, client: Client) -> None:
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="nadia@example.org")
    assert not user.is_staff
    assert client.get("/en/accounts/me/").status_code == 200


def test_it_requires_consent_to_the_privacy_notice(db: None, client: Client) -> None:
    data = signup_data()
    del data["privacy"]
    response = client.post(SIGNUP, data)
    assert response.status_code == 200
    assert not User.objects.exists()


def test_it_refuses_a_duplicate_address_whatever_its_case(world: World, client: Client) -> None:
    response = client.post(SIGNUP, signup_data(email="ALICE@resident.test"))
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="alice@resident.test").count() == 1


def test_it_refuses_mismatched_or_weak_passwords(db: None, client: Client) -> None:
    assert client.post(SIGNUP, signup_data(password2="something-else-entirely")).status_code == 200
    assert client.post(SIGNUP, signup_data(password1="1234", password2="1234")).status_code == 200
    assert not User.objects.exists()


def test_it_logs_in_with_email_and_password(world: World, client: Client) -> None:
    response = client.post("/en/accounts/login/", {"username": "alice@resident.test", "password": PASSWORD})
    assert response.status_code == 302
    bad = client.post("/en/accounts/login/", {"username": "alice@resident.test", "password": "wrong"})
    assert bad.status_code == 200
    assert "enter a correct" in bad.content.decode().lower()


def test_it_logs_out_only_by_post(world: World, client: Client) -> None:
    client.force_login(world.users["resident"])  # type: ignore[arg-type]
    assert client.get("/en/accounts/logout/").status_code == 405
    assert client.post("/en/accounts/logout/").status_code == 302
    assert client.get("/en/accounts/me/").status_code == 302


def test_the_account_page_leads_to_searches_suggestions_and_demand(client_for) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    resident = client_for("resident").get(reverse("accounts:account")).content.decode()
    assert reverse("search:saved") in resident
    assert reverse("search:for-you") in resident
    assert reverse("search:demand") not in resident
    coordinator = client_for("coordinator").get(reverse("accounts:account")).content.decode()
    assert reverse("search:demand") in coordinator

"""Passwords: stored with Argon2, reset pages that reveal nothing, changed from the account page."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import translation

import learningcity.settings as configured
from learningcity.accounts.models import User
from tests.factories import PASSWORD, World

NEW_PASSWORD = "a-fresh-and-unusual-passphrase"
ALICE = "alice@resident.test"


def en(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def real_hashers(settings):  # type: ignore[no-untyped-def]
    """The hashers production uses (the suite swaps in a fast one)."""
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS


def test_a_new_password_is_stored_with_argon2(db: None, real_hashers: None) -> None:
    user = User.objects.create_user(email="nadia@example.org", password=NEW_PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(NEW_PASSWORD)


def test_an_old_pbkdf2_hash_is_upgraded_at_login(db: None, real_hashers: None, client: Client) -> None:
    User.objects.create(email="old@example.org", password=make_password(NEW_PASSWORD, hasher="pbkdf2_sha256"))
    response = client.post(en("accounts:login"), {"username": "old@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(email="old@example.org").password.startswith("argon2$")


def test_a_bad_address_is_explained(db: None, client: Client) -> None:
    response = client.post(en("accounts:password-reset"), {"email": "not an address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid e-mail address" in page
    assert 'aria-invalid="true"' in page


def test_a_forged_link_says_it_does_not_work(world: World, client: Client) -> None:
    response = client.get(en("accounts:password-reset-confirm", "MQ", "forged-token"))
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()


def test_changing_the_password_logs_out_the_other_sessions(world: World) -> None:
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert client.post(en("accounts:login"), {"username": ALICE, "password": PASSWORD}).status_code == 302
    account = here.get(en("accounts:account")).content.decode()
    assert en("accounts:password-change") in account
    assert en("accounts:two-factor") in account
    wrong = here.post(
        en("accounts:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    response = here.post(
        en("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password is changed" in response.content.decode()
    assert here.get(en("accounts:account")).status_code == 200, "this session stays"
    assert elsewhere.get(en("accounts:account")).status_code == 302, "the other one is logged out"


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("accounts:password-reset", [], [200, 200, 200, 200, 200, 200]),
        ("accounts:password-reset-sent", [], [200, 200, 200, 200, 200, 200]),
        ("accounts:password-reset-confirm", ["MQ", "forged-token"], [200, 200, 200, 200, 200, 200]),
        ("accounts:password-change", [], [302, 200, 200, 200, 200, 200]),
    ],
)
def test_permissions_of_the_password_pages(client_for, name: str, args: list[str], expected: list[int]) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ROLES

    assert [client_for(role).get(en(name, *args)).status_code for role in ROLES] == expected


def test_the_pages_are_in_french_too(world: World, client: Client) -> None:
    with translation.override("fr"):
        url = reverse("accounts:password-reset")
    assert url.startswith("/fr/")
    assert '<html lang="fr">' in client.get(url).content.decode()

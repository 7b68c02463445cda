"""What a security review of the accounts found, fixed: each as a person or an attacker would notice it."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningcity.accounts.models import ApiToken
from learningcity.accounts.security import client_ip
from learningcity.accounts.token_services import MAX_TOKENS_PER_PERSON, token_create
from tests.factories import PASSWORD, World


def test_an_ipv6_subscriber_is_one_client_whatever_address_of_its_network_it_uses(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 0
    first = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2::1")
    second = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:fffe")
    other = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert client_ip(first) == client_ip(second) == "2001:db8:1:2::"
    assert client_ip(other) != client_ip(first)
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")) == "203.0.113.9"


def test_wrong_passwords_from_many_addresses_of_one_network_lock_it_out(world: World) -> None:
    email = world.users["resident"].email  # type: ignore[union-attr]
    for number in range(5):
        Client(REMOTE_ADDR=f"2001:db8:1:2::{number + 1}").post(
            "/en/accounts/login/", {"username": email, "password": "wrong"}
        )
    refused = Client(REMOTE_ADDR="2001:db8:1:2::99").post(
        "/en/accounts/login/", {"username": email, "password": PASSWORD}
    )
    assert refused.status_code == 429


def test_a_secret_shown_to_one_session_is_never_the_one_another_confirms(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    resident = world.users["resident"]
    intruder, owner = client_for("resident"), client_for("resident")
    assert intruder.get("/en/accounts/two-factor/setup/").status_code == 200
    seen = TOTPDevice.objects.get(user=resident, confirmed=False)
    assert owner.get("/en/accounts/two-factor/setup/").status_code == 200
    assert not TOTPDevice.objects.filter(pk=seen.pk).exists(), "the secret the intruder saw is gone"
    assert TOTPDevice.objects.filter(user=resident, confirmed=False).count() == 1


def test_changing_the_password_revokes_the_api_tokens(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    staff = world.users["provider_staff"]
    assert staff is not None
    token_create(owner=staff, name="script", scopes=["read"])
    response = client_for("provider_staff").post(
        "/en/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "a-New-pass-phrase-42", "new_password2": "a-New-pass-phrase-42"},
        follow=True,
    )
    assert response.status_code == 200
    assert "API token was revoked" in response.content.decode()
    assert not ApiToken.objects.filter(owner=staff, revoked_at__isnull=True).exists()


def test_one_person_holds_a_bounded_number_of_working_tokens(world: World) -> None:
    from django.core.exceptions import ValidationError

    resident = world.users["resident"]
    assert resident is not None
    for number in range(MAX_TOKENS_PER_PERSON):
        token_create(owner=resident, name=f"t{number}", scopes=["read"])
    with pytest.raises(ValidationError, match="revoke one"):
        token_create(owner=resident, name="one more", scopes=["read"])

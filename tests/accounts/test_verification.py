"""Registering needs a verified e-mail address: a signed, expiring link sent by e-mail."""

from __future__ import annotations

import time
from typing import Any

from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from learningcity.accounts.models import User
from learningcity.accounts.services import VERIFICATION_SALT, email_verification_token
from tests.factories import World


def verify_url(token: str) -> str:
    with translation.override("en"):
        return reverse("accounts:verify", args=[token])


def test_signing_up_queues_the_verification_email(
    db: None, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    data = {
        "email": "nadia@example.org", "display_name": "Nadia", "preferred_language": "fr", "privacy": "on",
        "password1": "a-long-and-unusual-passphrase", "password2": "a-long-and-unusual-passphrase",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/signup/", data, follow=True)
    assert "We sent a link to nadia@example.org" in response.content.decode()
    assert DBTaskResult.objects.count() == 1
    assert not User.objects.get(email="nadia@example.org").email_verified


def test_the_link_verifies_the_address_even_logged_out_and_twice(world: World, client: Client) -> None:
    alice = world.users["resident"]
    assert alice is not None
    token = email_verification_token(alice)
    response = client.get(verify_url(token))
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/login/")
    alice.refresh_from_db()
    first = alice.email_verified_at
    assert first is not None
    client.get(verify_url(token))
    alice.refresh_from_db()
    assert alice.email_verified_at == first, "a second click changes nothing"


def test_a_tampered_link_is_refused_with_a_reason(world: World, client: Client) -> None:
    token = email_verification_token(world.users["resident"])  # type: ignore[arg-type]
    response = client.get(verify_url(token[:-3] + "abc"))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert not User.objects.filter(email_verified_at__isnull=False).exists()


class OldSigner(signing.TimestampSigner):
    """Signs as if four days ago."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 4 * 86400)


def test_an_expired_link_is_refused_and_offers_a_new_one(world: World, client: Client) -> None:
    alice = world.users["resident"]
    assert alice is not None
    token = OldSigner(salt=VERIFICATION_SALT).sign_object({"user": alice.pk, "email": alice.email}, compress=True)
    client.force_login(alice)
    response = client.get(verify_url(token))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link has expired" in page
    assert reverse("accounts:verification") in page


def test_a_link_for_a_former_address_does_not_verify_the_new_one(world: World, client: Client) -> None:
    alice = world.users["resident"]
    assert alice is not None
    token = email_verification_token(alice)
    alice.email = "alice.new@resident.test"
    alice.save()
    assert client.get(verify_url(token)).status_code == 400
    alice.refresh_from_db()
    assert not alice.email_verified


def test_send_again_queues_a_new_link(world: World, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(world.users["resident"])  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/verify/", {"next": "/en/registrations/"}, follow=True)
    assert "We sent the link again to alice@resident.test." in response.content.decode()
    assert DBTaskResult.objects.count() == 1


def test_send_again_ignores_a_next_address_on_another_site(world: World, client: Client) -> None:
    client.force_login(world.users["resident"])  # type: ignore[arg-type]
    page = client.get("/en/accounts/verify/?next=https://evil.example/").content.decode()
    assert '<input type="hidden" name="next" value="">' in page


def test_the_account_page_says_whether_the_address_is_confirmed(world: World, client: Client) -> None:
    alice = world.users["resident"]
    assert alice is not None
    client.force_login(alice)
    assert "not confirmed yet" in client.get("/en/accounts/me/").content.decode()
    client.get(verify_url(email_verification_token(alice)))
    assert "not confirmed yet" not in client.get("/en/accounts/me/").content.decode()

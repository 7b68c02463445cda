"""Session cookies: HttpOnly and SameSite=Lax, a new session id at login, a shorter life for staff sessions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings as configured
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.two_factor_helpers import code_for
from tests.factories import PASSWORD, World

LOGIN = "/en/accounts/login/"


def test_the_session_cookie_is_http_only_and_same_site_lax(world: World, client: Client) -> None:
    response = client.post(LOGIN, {"username": "alice@resident.test", "password": PASSWORD})
    cookie = response.cookies[configured.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == configured.SESSION_COOKIE_AGE == 14 * 24 * 3600


def test_logging_in_gives_a_new_session_id(world: World, client: Client) -> None:
    client.get("/en/")
    session = client.session  # a session that exists before login, whose id someone may have planted
    session["planted"] = "yes"
    session.save()
    before = session.session_key
    client.post(LOGIN, {"username": "alice@resident.test", "password": PASSWORD})
    assert client.session.session_key != before, "a session id known before login is useless after it"


def test_a_coordinators_session_ends_after_staff_session_age_even_if_active(world: World, client: Client) -> None:
    client.post(LOGIN, {"username": "coordinator@city.test", "password": PASSWORD})
    client.get("/en/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get()
    client.post("/en/accounts/two-factor/setup/", {"token": code_for(device)})
    expiry = client.session.get_expiry_date()
    expected = timezone.now() + timedelta(seconds=configured.STAFF_SESSION_AGE)
    assert abs((expiry - expected).total_seconds()) < 60
    client.get("/en/review/")
    assert abs((client.session.get_expiry_date() - expiry).total_seconds()) < 1, "activity does not extend it"


def test_a_residents_session_keeps_the_usual_age(world: World, client: Client) -> None:
    client.post(LOGIN, {"username": "alice@resident.test", "password": PASSWORD})
    assert client.session.get_expiry_age() == configured.SESSION_COOKIE_AGE

"""Login throttling: after AXES_FAILURE_LIMIT wrong passwords an (address, client) pair waits AXES_COOLOFF minutes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, World

LOGIN = "/en/accounts/login/"
ALICE = "alice@resident.test"


def attempt(client: Client, email: str, password: str, address: str = "198.51.100.7", forwarded: str = "") -> Any:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **extra)


def fail(client: Client, email: str, times: int, address: str = "198.51.100.7") -> list[int]:
    return [attempt(client, email, "wrong-password", address).status_code for _ in range(times)]


@pytest.fixture(autouse=True)
def limits(settings):  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 15 / 60


def test_the_fifth_wrong_password_locks_the_address_out_with_a_clear_page(world: World, client: Client) -> None:
    assert fail(client, ALICE, 4) == [200, 200, 200, 200], "the form says the password is wrong"
    locked = attempt(client, ALICE, "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many attempts" in page
    assert "paused for 15 minutes" in page
    until = timezone.localtime(AccessAttempt.objects.get().attempt_time + timedelta(minutes=15))
    assert f"Try again after {until:%H:%M}" in page
    assert 840 <= int(locked["Retry-After"]) <= 900
    assert '<html lang="en">' in page


def test_while_locked_out_even_the_right_password_is_refused(world: World, client: Client) -> None:
    fail(client, ALICE, 5)
    response = attempt(client, ALICE, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def main_of(page: str) -> str:
    """The page's own content, times blanked (the two lockouts may straddle a minute)."""
    return re.sub(r"\d\d:\d\d", "HH:MM", page[page.index("<main") : page.index("</main>")])


def test_it_says_the_same_for_an_address_nobody_uses(world: World) -> None:
    known, unknown = Client(), Client()
    assert fail(known, ALICE, 5)[-1] == 429
    assert fail(unknown, "nobody@nowhere.test", 5)[-1] == 429
    known_page = main_of(attempt(known, ALICE, "wrong-password").content.decode())
    unknown_page = main_of(attempt(unknown, "nobody@nowhere.test", "wrong-password").content.decode())
    assert known_page == unknown_page
    assert ALICE not in known_page


def test_it_locks_the_pair_not_the_account(world: World, client: Client) -> None:
    fail(client, ALICE, 5, address="198.51.100.7")
    assert attempt(Client(), ALICE, PASSWORD, address="203.0.113.9").status_code == 302, "from elsewhere"
    assert attempt(Client(), "bob@resident.test", PASSWORD, address="198.51.100.7").status_code == 302


def test_the_case_of_the_address_does_not_dodge_the_count(world: World, client: Client) -> None:
    for email in [
        "alice@resident.test",
        "Alice@resident.test",
        "ALICE@RESIDENT.TEST",
        " alice@resident.test",
        "aLice@resident.test",
    ]:
        attempt(client, email, "wrong-password")
    assert attempt(client, ALICE, PASSWORD).status_code == 429


def test_a_successful_login_resets_the_failures(world: World, client: Client) -> None:
    fail(client, ALICE, 4)
    assert attempt(client, ALICE, PASSWORD).status_code == 302
    Client().post("/en/accounts/logout/")
    assert fail(Client(), ALICE, 4) == [200, 200, 200, 200], "counting starts again"


def test_the_lockout_ends_after_the_cool_off(world: World, client: Client) -> None:
    fail(client, ALICE, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, ALICE, PASSWORD).status_code == 302


def test_an_operator_unlocks_an_address_with_axes_commands(world: World, client: Client) -> None:
    fail(client, ALICE, 5)
    call_command("axes_reset_username", ALICE, verbosity=0)
    assert attempt(client, ALICE, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(world: World, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for _ in range(5):
        attempt(client, ALICE, "wrong-password", proxy, forwarded="1.2.3.4, 198.51.100.7")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7", "what the proxy saw, not what the client wrote"
    other = attempt(Client(), ALICE, PASSWORD, proxy, forwarded="203.0.113.9")
    assert other.status_code == 302, "another person behind the same proxy is not locked out"


def test_the_admin_login_is_throttled_too(world: World, client: Client) -> None:
    for _ in range(5):
        response = client.post("/en/admin/login/", {"username": "coordinator@city.test", "password": "nope"})
    assert response.status_code == 429


def test_the_test_client_login_still_works(world: World, client: Client) -> None:
    assert client.login(email=ALICE, password=PASSWORD)
    assert client.get("/en/accounts/me/").status_code == 200

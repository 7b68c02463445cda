"""TOTP two-factor: required for coordinators and admins, offered to everyone, checked after every password login."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningcity.accounts.models import User
from tests.accounts.two_factor_helpers import code_for
from tests.factories import PASSWORD, World

COORDINATOR = "coordinator@city.test"


def en(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def log_in(email: str, *, next_url: str = "") -> Client:
    """A client that typed the right password on the login form (and nothing more)."""
    client = Client()
    response = client.post(en("accounts:login"), {"username": email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302, "password accepted"
    return client


def set_up(client: Client) -> tuple[TOTPDevice, list[str]]:
    """Go through the set-up page as a person would: read the secret, type the app's first code."""
    page = client.get(en("accounts:two-factor-setup")).content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page)
    assert secret, "the secret is shown as text"
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(en("accounts:two-factor-setup"), {"token": code_for(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    device.refresh_from_db()
    return device, codes


def wait_out_the_throttling() -> None:
    """As if the seconds django-otp makes a person wait after a wrong code had passed."""
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_a_coordinator_is_sent_to_set_up_two_factor_before_any_page(world: World) -> None:
    client = log_in(COORDINATOR)
    review = en("catalogue:review")
    response = client.get(review)
    assert response.status_code == 302
    assert response["Location"] == en("accounts:two-factor-setup") + "?next=" + review.replace("/", "%2F")
    for page in [en("home"), en("accounts:account"), "/en/admin/"]:
        assert client.get(page)["Location"].startswith(en("accounts:two-factor-setup"))
    assert client.post(en("catalogue:review")).status_code == 302, "nor can it post anything"


def test_the_set_up_page_shows_a_qr_code_and_the_secret_without_script(world: World) -> None:
    client = log_in(COORDINATOR)
    response = client.get(en("accounts:two-factor-setup"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "requires two-factor authentication" in page
    device = TOTPDevice.objects.get(user=world.users["coordinator"], confirmed=False)
    image = re.search(r'<img src="(data:image/svg\+xml[^"]+)"[^>]*alt="QR code', page)
    assert image, "a QR code as an image with a text alternative"
    assert "otpauth" not in unquote(image.group(1)), "the QR code is drawn, not linked"
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page)
    assert secret
    import base64

    assert base64.b32decode(secret.group(1).replace(" ", "")) == device.bin_key
    main = page[page.index("<main") :]
    assert "<script" not in main, "no inline script: the CSP forbids it"


def test_a_wrong_first_code_is_refused_and_changes_nothing(world: World) -> None:
    client = log_in(COORDINATOR)
    client.get(en("accounts:two-factor-setup"))
    response = client.post(en("accounts:two-factor-setup"), {"token": "000000"})
    assert response.status_code == 400
    assert "This code does not match" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    empty = client.post(en("accounts:two-factor-setup"), {"token": ""})
    assert "Enter the six digits" in empty.content.decode()


def test_setting_up_shows_recovery_codes_once_and_opens_the_site(world: World) -> None:
    client = log_in(COORDINATOR, next_url=en("catalogue:review"))
    device, codes = set_up(client)
    assert device.confirmed
    assert len(codes) == 10
    assert client.get(en("catalogue:review")).status_code == 200
    assert client.get(en("accounts:two-factor")).status_code == 200
    assert "10 unused recovery codes" in client.get(en("accounts:two-factor")).content.decode()
    assert not any(code in client.get(en("accounts:two-factor")).content.decode() for code in codes)


def test_after_the_password_a_person_with_an_authenticator_must_give_a_code(world: World) -> None:
    device, _codes = set_up(log_in(COORDINATOR))
    client = log_in(COORDINATOR)
    review = en("catalogue:review")
    response = client.get(review)
    assert response["Location"].startswith(en("accounts:two-factor-verify"))
    assert client.get(en("accounts:two-factor-setup"))["Location"].startswith(en("accounts:two-factor-verify")), (
        "a password alone cannot replace the authenticator"
    )
    wrong = client.post(en("accounts:two-factor-verify"), {"token": "123456", "next": review})
    assert wrong.status_code == 400
    assert "This code is not right" in wrong.content.decode()
    wait_out_the_throttling()
    right = client.post(en("accounts:two-factor-verify"), {"token": code_for(device, steps_ahead=1), "next": review})
    assert right["Location"] == review
    assert client.get(review).status_code == 200


def test_a_code_works_only_once(world: World) -> None:
    device, _codes = set_up(log_in(COORDINATOR))
    code = code_for(device, steps_ahead=1)
    first = log_in(COORDINATOR)
    assert first.post(en("accounts:two-factor-verify"), {"token": code}).status_code == 302
    second = log_in(COORDINATOR)
    assert second.post(en("accounts:two-factor-verify"), {"token": code}).status_code == 400


def test_wrong_codes_in_a_row_make_the_person_wait(world: World) -> None:
    device, _codes = set_up(log_in(COORDINATOR))
    client = log_in(COORDINATOR)
    client.post(en("accounts:two-factor-verify"), {"token": "111111"})
    blocked = client.post(en("accounts:two-factor-verify"), {"token": code_for(device, steps_ahead=1)})
    assert blocked.status_code == 400
    assert "Too many wrong codes in a row: wait" in blocked.content.decode()


def test_a_recovery_code_lets_the_person_in_once(world: World) -> None:
    _device, codes = set_up(log_in(COORDINATOR))
    client = log_in(COORDINATOR)
    response = client.post(en("accounts:two-factor-verify"), {"token": codes[0].upper()}, follow=True)
    assert "You used a recovery code; 9 are left." in response.content.decode()
    again = log_in(COORDINATOR).post(en("accounts:two-factor-verify"), {"token": codes[0]})
    assert again.status_code == 400


def test_new_recovery_codes_replace_the_old_ones(world: World) -> None:
    client = log_in(COORDINATOR)
    _device, old = set_up(client)
    response = client.post(en("accounts:two-factor-recovery-codes"))
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_setting_up_again_on_a_new_phone_replaces_the_old_authenticator(world: World) -> None:
    client = log_in(COORDINATOR)
    old, _codes = set_up(client)
    assert "stops working" in client.get(en("accounts:two-factor-setup")).content.decode()
    new = TOTPDevice.objects.get(confirmed=False)
    assert client.post(en("accounts:two-factor-setup"), {"token": code_for(new)}).status_code == 200
    assert list(TOTPDevice.objects.all()) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_a_resident_may_turn_it_on_and_off_with_a_code(world: World) -> None:
    client = log_in("alice@resident.test")
    assert client.get(en("accounts:account")).status_code == 200, "optional for residents"
    assert "optional for your account" in client.get(en("accounts:two-factor")).content.decode()
    device, _codes = set_up(client)
    later = log_in("alice@resident.test")
    assert later.get(en("accounts:account"))["Location"].startswith(en("accounts:two-factor-verify"))
    assert later.post(en("accounts:two-factor-verify"), {"token": code_for(device, steps_ahead=1)}).status_code == 302
    refused = later.post(en("accounts:two-factor-disable"), {"token": "000000"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user__email="alice@resident.test").exists()
    wait_out_the_throttling()
    turned_off = later.post(en("accounts:two-factor-disable"), {"token": code_for(device, steps_ahead=2)})
    assert turned_off.status_code == 302
    assert not TOTPDevice.objects.exists()
    assert not StaticToken.objects.exists()
    assert log_in("alice@resident.test").get(en("accounts:account")).status_code == 200


def test_a_coordinator_cannot_turn_it_off(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("coordinator")
    page = client.get(en("accounts:two-factor")).content.decode()
    assert "cannot be turned off" in page
    assert en("accounts:two-factor-disable") not in page
    device = TOTPDevice.objects.get(user=world.users["coordinator"])
    response = client.post(en("accounts:two-factor-disable"), {"token": code_for(device)}, follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_each_request_reads_the_account_and_what_two_factor_needs_in_one_query(world: World) -> None:
    client = log_in("alice@resident.test")
    client.get(en("accounts:account"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(en("accounts:account")).status_code == 200
    reads = [query["sql"] for query in queries.captured_queries if 'FROM "accounts_user"' in query["sql"]]
    assert len(reads) == 1, "the account is read once"
    assert '"otp_totp_totpdevice"' in reads[0], "the device check rides on the account's SELECT"
    coordinator = log_in(COORDINATOR)
    assert coordinator.get(en("accounts:account"))["Location"].startswith(en("accounts:two-factor-setup"))


def test_logout_and_the_language_switch_stay_open_before_the_code(world: World) -> None:
    client = log_in(COORDINATOR)
    switched = client.get("/language?lang=fr&next=/en/")
    assert switched.status_code == 302
    assert "two-factor" not in switched["Location"]
    assert client.get("/healthz").status_code == 200
    assert client.post(en("accounts:logout")).status_code == 302
    assert client.get(en("catalogue:review"))["Location"].startswith(en("accounts:login"))


def test_the_api_answers_403_in_its_own_shape_before_the_code(world: World) -> None:
    client = log_in(COORDINATOR)
    response = client.get("/api/v1/me/registrations")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"


def test_the_admin_requires_a_verified_session(world: World) -> None:
    admin = User.objects.create_superuser(email="root@city.test", password=PASSWORD)
    client = log_in(admin.email)
    assert client.get("/en/admin/")["Location"].startswith(en("accounts:two-factor-setup"))
    set_up(client)
    assert client.get("/en/admin/").status_code == 200


def test_the_test_personas_are_verified_like_real_coordinators(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("coordinator")
    assert DEVICE_ID_SESSION_KEY in client.session
    assert client.get(en("catalogue:review")).status_code == 200


def test_with_two_factor_switched_off_a_coordinator_gets_in_with_a_password(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWO_FACTOR_REQUIRED = False
    client = log_in(COORDINATOR)
    assert client.get(en("catalogue:review")).status_code == 200
    assert "_session_expiry" in client.session, "a staff session still ends early"


def test_verifying_gives_the_session_a_new_key(world: World) -> None:
    client = log_in(COORDINATOR)
    before = client.session.session_key
    set_up(client)
    assert client.session.session_key != before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("accounts:two-factor", [302, 200, 200, 200, 200, 200]),
        ("accounts:two-factor-setup", [302, 200, 200, 200, 200, 200]),
        ("accounts:two-factor-verify", [302, 302, 302, 302, 302, 302]),  # nothing to verify: back to the status page
        ("accounts:two-factor-recovery-codes", [302, 405, 405, 405, 405, 405]),  # POST only
        ("accounts:two-factor-disable", [302, 405, 405, 405, 405, 405]),  # POST only
    ],
)
def test_permissions_of_the_two_factor_pages(client_for, name: str, expected: list[int]) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ROLES

    statuses = [client_for(role).get(en(name)).status_code for role in ROLES]
    assert statuses == expected

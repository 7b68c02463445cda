"""A coordinator sets up two-factor authentication, then logs in with a code from the app, in a real browser."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.browser.helpers import OpenPage, assert_accessible, log_in
from tests.factories import make_world

pytestmark = pytest.mark.browser


def app_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app given this secret shows (now, or a 30-second step later)."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=steps_ahead):06d}"


def test_a_coordinator_sets_up_two_factor_and_logs_in_with_a_code(
    open_page: OpenPage, axe_source: str, settings: Any
) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    make_world()
    page = open_page()
    log_in(page, "coordinator@city.test")

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    assert_accessible(page, axe_source)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="I have kept them: continue").click()
    open_review_queue(page)
    page.get_by_role("button", name="Log out").click()

    log_in(page, "coordinator@city.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page, axe_source)
    page.get_by_label("Code").fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    open_review_queue(page)


def open_review_queue(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")

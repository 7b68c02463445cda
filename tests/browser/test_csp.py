"""Pages keep working under the Content-Security-Policy (no inline script; styles only from our files or nonced).

Every browser test fails when the browser reports a blocked resource (see conftest.open_page); these open the
pages that carry third-party code or their own <style> block.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.helpers import OpenPage, log_in
from tests.factories import make_world
from tests.passport.test_awarding_helpers import make_achievement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_api_documentation_renders_its_operations_under_the_policy(open_page: OpenPage) -> None:
    page = open_page()
    response = page.goto("/api/v1/docs")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()  # Swagger UI ran: the operations are listed


def test_a_printable_achievement_qr_page_keeps_its_own_styles(open_page: OpenPage) -> None:
    world = make_world()
    achievement = make_achievement(world, claim_code="VELO2026")
    page = open_page()
    log_in(page, "staff@a.test")
    with translation.override("en"):
        from django.urls import reverse

        address = reverse("passport:achievement-qr", args=[achievement.uuid])
    response = page.goto(address)
    assert response is not None
    assert response.status == 200
    # Browsers hide a nonce from the DOM once the page is loaded: read it from what the server sent.
    found = re.search(r'<style nonce="([^"]+)">', response.text())
    assert found is not None
    nonce = found.group(1)
    assert f"'nonce-{nonce}'" in response.headers["content-security-policy"]

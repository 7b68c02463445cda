"""Awarding in a real browser: define an achievement, award it from a CSV file, claim it on a phone; axe-core checks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learningcity.passport.models import Achievement, Award
from tests.browser.helpers import OpenPage, assert_accessible, log_in
from tests.factories import make_world
from tests.passport.test_awarding_helpers import make_achievement

pytestmark = pytest.mark.browser


def test_a_provider_defines_an_achievement_and_awards_it_from_a_csv_file(
    open_page: OpenPage,
    axe_source: str,
    tmp_path: Path,
    settings: object,
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    make_world()
    page = open_page()
    log_in(page, "staff@a.test")
    page.goto("/en/passport/issuer/")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="New achievement for Médiathèque A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New achievement")
    assert_accessible(page, axe_source)
    page.get_by_label("Name (English)").fill("Library volunteer")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()  # no criteria yet
    assert_accessible(page, axe_source)
    page.get_by_label("Criteria (English)").fill("Help at three events")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Library volunteer")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="From a CSV file").click()
    assert_accessible(page, axe_source)
    names = tmp_path / "volunteers.csv"
    names.write_text("email;name\nalice@resident.test;Alice\nnobody@resident.test;Nobody\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(names))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before awarding")
    expect(page.get_by_role("cell", name="no account with this e-mail")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Award the valid rows and leave out the rows with errors").check()
    page.get_by_role("button", name="Award 1 person").click()
    expect(page.get_by_text("1 person awarded. 1 row left out.")).to_be_visible()
    assert_accessible(page, axe_source)
    assert Award.objects.get().recipient.email == "alice@resident.test"  # type: ignore[union-attr]


def test_a_resident_claims_an_achievement_on_a_phone_in_french(
    open_page: OpenPage,
    axe_source: str,
) -> None:
    world = make_world()
    achievement: Achievement = make_achievement(
        world, claim_code="K7QX2M9HTA", claim_open_until=timezone.now() + timedelta(hours=2)
    )
    page = open_page(locale="fr-FR", width=390, height=844, phone=True)
    log_in(page, "alice@resident.test", language="fr")
    page.goto(f"/fr/achievements/{achievement.uuid}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier numérique")
    assert_accessible(page, axe_source)
    page.goto("/fr/claim/K7QX2M9HTA/")
    assert_accessible(page, axe_source)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert Award.objects.filter(method="claim", recipient__email="alice@resident.test").exists()

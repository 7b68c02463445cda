"""The three journeys of the site, in a real browser: a resident, a provider, a coordinator."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Locator, Page, expect

from learningcity.catalogue.models import Opportunity, Status
from tests.browser.helpers import OpenPage, assert_accessible, log_in, translated
from tests.factories import make_opportunity, make_world

pytestmark = pytest.mark.browser


def jsonld_of(page: Page) -> dict[str, Any]:
    """The schema.org document embedded in the page."""
    script = page.locator('script[type="application/ld+json"]')
    expect(script).to_have_count(1)
    data: dict[str, Any] = json.loads(script.text_content() or "")
    return data


def field(page: Page, label: str) -> Locator:
    """The form control with exactly this label (Django adds a colon to some labels)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}:?\s*$"))


def locations_of(data: dict[str, Any]) -> list[Any]:
    """Where an Event happens, or where each instance of a Course happens."""
    if data["@type"] == "Course":
        return [instance.get("location") for instance in data["hasCourseInstance"]]
    return [data.get("location")]


def test_it_lets_a_resident_find_an_opportunity_in_french_then_english(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    page = open_page(locale="fr-FR")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/fr/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    heading = "%(city)s, a learning city"
    french = translated("fr", heading) % {"city": world.city.name}
    assert french != heading % {"city": world.city.name}, (
        f"The French home page has an English heading: translate {heading!r} in "
        "src/learningcity/locale/fr/LC_MESSAGES/django.po, then run `make messages`."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(french)
    assert_accessible(page, axe_source)

    page.get_by_role("list", name=translated("fr", "Language")).get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/en/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{world.city.name}, a learning city")
    assert_accessible(page, axe_source)

    search = page.get_by_role("search").get_by_label("What would you like to learn?")
    search.fill("Watercolour")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/search/\?q=Watercolour"))
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    expect(page.get_by_role("link", name="Draft A")).to_have_count(0)
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Watercolour workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Watercolour workshop")
    data = jsonld_of(page)
    assert data["@type"] in {"Event", "Course"}
    assert data["name"] == "Watercolour workshop"
    assert all(locations_of(data)), data
    assert data["offers"][0]["price"] == "0"
    assert data["audience"]["suggestedMinAge"] == 8
    assert_accessible(page, axe_source)


def test_it_lets_a_provider_draft_schedule_and_submit_an_opportunity(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    count_before = Opportunity.objects.count()
    page = open_page()
    log_in(page, "staff@a.test")

    page.get_by_role("navigation").get_by_role("link", name="Provider workspace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider workspace")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name=f"New opportunity for {world.org_a.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New opportunity")
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    assert Opportunity.objects.count() == count_before
    assert_accessible(page, axe_source)

    field(page, "Title (French)").fill("Initiation à la reliure")
    field(page, "Title (English)").fill("Introduction to bookbinding")
    field(page, "Description (French)").fill("Relier un carnet à la main, en trois heures.")
    field(page, "Description (English)").fill("Bind a notebook by hand, in three hours.")
    field(page, "Kind").select_option("workshop")
    page.get_by_role("checkbox", name="Enhanced quality and excellence in learning").check()
    field(page, "Languages").select_option(["fr", "en"])
    field(page, "Mode").select_option("on_site")
    field(page, "Venue").select_option(label=world.org_a.venues.get().name)
    field(page, "Free of charge").check()
    page.get_by_role("button", name="Save draft").click()

    expect(page).to_have_url(re.compile(r"/en/provider/opportunities/\d+/sessions/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions")
    assert Opportunity.objects.count() == count_before + 1
    assert_accessible(page, axe_source)

    day = timezone.localdate() + timedelta(days=10)
    field(page, "Date").fill(day.isoformat())
    field(page, "Start time").fill("14:00")
    field(page, "End time").fill("17:00")
    page.get_by_role("button", name="Add", exact=True).click()
    with translation.override("en"):
        shown = formats.date_format(day, "j F Y")
    expect(page.locator(".sessions li")).to_contain_text(f"{shown}, 14:00")

    page.get_by_role("button", name="Submit for review").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Introduction to bookbinding"))
    expect(row).to_contain_text(translated("en", "Pending review"))
    assert Opportunity.objects.get(title_en="Introduction to bookbinding").status == Status.PENDING


def test_it_lets_a_coordinator_publish_a_submitted_opportunity(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    make_opportunity(world.org_a, status=Status.PENDING, title_fr="Poterie", title_en="Pottery for beginners")
    page = open_page()
    log_in(page, "coordinator@city.test")

    page.get_by_role("navigation").get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    assert_accessible(page, axe_source)

    decision = page.get_by_role("group", name="Decision on “Pottery for beginners”")
    decision.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Pottery for beginners")
    expect(decision).to_have_count(0)

    visitor = open_page()
    visitor.goto("/en/opportunities/")
    expect(visitor.get_by_role("link", name="Pottery for beginners")).to_be_visible()

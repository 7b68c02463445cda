"""The festival programme in a real browser: French on a phone by keyboard only, English with its map and
its printed version, errors in the filters; axe-core on every state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import OpenPage, assert_accessible, log_in, translated
from tests.factories import make_world
from tests.festival.conftest import Programme, make_programme

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740, "phone": True}


@pytest.fixture
def programme(server: str) -> Programme:
    return make_programme(make_world())


def event_titles(page: Page) -> list[str]:
    return page.locator(".programme-event h4").all_inner_texts()


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_a_resident_filters_the_french_programme_on_a_phone_with_the_keyboard_only(
    programme: Programme, open_page: OpenPage, axe_source: str
) -> None:
    page = open_page(locale="fr-FR", **PHONE)
    page.goto(f"/fr/festival/{programme.festival.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fête du savoir")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert event_titles(page) == ["Atelier de robotique", "Conférence sur le climat"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    assert_accessible(page, axe_source)

    # The filter panel starts folded on a phone; the keyboard opens it, fills in an age and sends the form.
    tab_to(page, "details.filters-panel > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#id_age")
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]age=10(&|$)"))
    expect(page.locator(".programme-event h4")).to_have_text(["Atelier de robotique"])
    assert_accessible(page, axe_source)

    # And on to the event itself.
    tab_to(page, ".programme-event h4 a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier de robotique")


def test_a_visitor_reads_the_english_programme_with_its_map_and_prints_it(
    programme: Programme, open_page: OpenPage, axe_source: str
) -> None:
    page = open_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"/en/festival/{programme.festival.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning fair")
    expect(page.get_by_role("heading", name=translated("en", "The festival in figures"))).to_be_visible()
    assert event_titles(page) == ["Robotics workshop", "Climate talk"]
    expect(page.locator(".festival-map")).to_be_visible()
    expect(page.locator(".festival-map")).to_have_attribute("aria-hidden", "true")
    expect(page.locator(".festival-map .leaflet-interactive")).to_have_count(2)
    assert page.locator(".leaflet-tile").count() == 0, "no tile URL is set: markers on a plain background"
    assert_accessible(page, axe_source)
    tab_to(page, ".programme-event h4 a")
    assert not page.evaluate("!!document.activeElement.closest('.festival-map')"), "the map is out of the tab order"
    page.locator(".festival-map .leaflet-interactive").first.click(force=True)
    expect(page.locator(".programme-event.highlighted")).to_have_count(1)
    origin = re.match(r"^https?://[^/]+", page.url)
    assert origin is not None
    assert [url for url in requests if not url.startswith(origin[0])] == [], "nothing fetched from elsewhere"

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".filters-panel")).to_be_hidden()
    expect(page.locator(".festival-map")).to_be_hidden()
    expect(page.locator(".programme-event").first).to_be_visible()
    assert page.locator(".programme-event").first.evaluate("e => getComputedStyle(e).breakInside") == "avoid"


def test_invalid_filters_are_explained_and_reachable(
    programme: Programme, open_page: OpenPage, axe_source: str
) -> None:
    page = open_page(**PHONE)
    page.goto(f"/en/festival/{programme.festival.slug}/?age=-2")
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(1)
    assert_accessible(page, axe_source)
    summary.get_by_role("link").click()
    expect(page.locator("#id_age")).to_be_focused()
    expect(page.locator("#id_age")).to_have_attribute("aria-invalid", "true")


def test_the_coordinators_and_providers_pages_are_accessible(
    programme: Programme, open_page: OpenPage, axe_source: str
) -> None:
    coordinator = open_page()
    log_in(coordinator, "coordinator@city.test")
    for path in ("manage/", "summary/", "manage/edit/"):
        coordinator.goto(f"/en/festival/{programme.festival.slug}/{path}")
        assert_accessible(coordinator, axe_source)
    decline = coordinator.get_by_role("group", name="Decision on “Waiting tour”")
    coordinator.goto(f"/en/festival/{programme.festival.slug}/manage/")
    decline.get_by_role("button", name="Decline").click()
    expect(coordinator.locator("#form-errors")).to_be_visible()
    assert_accessible(coordinator, axe_source)
    provider = open_page(**PHONE)
    log_in(provider, "staff@a.test")
    for path in ("submit/", "submit/new/"):
        provider.goto(f"/en/festival/{programme.festival.slug}/{path}")
        assert_accessible(provider, axe_source)


def test_the_counters_follow_the_festival_while_the_page_is_open(programme: Programme, open_page: OpenPage) -> None:
    from django.core.cache import cache

    from learningcity.enrolment.models import Registration
    from tests.factories import make_user

    page = open_page()
    page.clock.install()
    page.goto(f"/en/festival/{programme.festival.slug}/")
    registrations = page.locator("#festival-figures dd").nth(1)
    expect(registrations).to_have_text("0")
    session = programme.robotics.sessions.get()
    for number in range(12):
        Registration.objects.create(user=make_user(f"kid{number}@resident.test"), session=session)
    cache.clear()  # as if the minute the server keeps them had passed
    page.clock.run_for("01:01")
    expect(registrations).to_have_text("12")

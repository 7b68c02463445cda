"""The search page in a real browser: residents in French and English find an opportunity by text, age,
evening, free and distance, with and without JavaScript; keyboard, phone and accessibility checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import Browser, Locator, Page, expect

from learningcity.catalogue.models import District, Opportunity, Venue
from tests.browser.helpers import assert_accessible, translated
from tests.factories import World, make_opportunity, make_world
from tests.search.conftest import local_moment, next_weekday, reschedule

pytestmark = pytest.mark.browser

# open_search(locale=..., javascript=..., width=...): a page in a fresh browser context.
OpenSearch = Callable[..., Page]
LABELS = {"fr": "fr-FR", "en": "en-GB"}


@dataclass
class Conversations:
    """Five conversation groups; each filter of the journey rules out exactly one of them."""

    world: World
    target: Opportunity


def make_conversations() -> Conversations:
    world = make_world()
    rives = District.objects.get(city=world.city, code="02")
    far = Venue.objects.create(
        city=world.city, name="Maison des Rives", address="9 quai Nord", latitude=47.50, longitude=0.69, district=rives
    )

    def group(title_fr: str, title_en: str, hour: int, **fields: Any) -> Opportunity:
        values: dict[str, Any] = {"kind": "club", "age_min": 16, "age_max": 120, "description_fr": "On discute.",
                                     "description_en": "We talk."}  # fmt: skip
        values.update(fields)
        opportunity = make_opportunity(world.org_a, title_fr=title_fr, title_en=title_en, **values)
        reschedule(opportunity, local_moment(next_weekday(2), hour))
        return opportunity

    target = group("Conversation en anglais", "English conversation", 19)
    group("Conversation pour enfants", "Conversation for children", 19, age_min=6, age_max=12)
    group("Conversation du matin", "Morning conversation", 10)
    group("Conversation avancée", "Advanced conversation", 19, is_free=False, price=Decimal("30.00"))
    group("Conversation aux Rives", "Conversation by the river", 19, venue=far)
    return Conversations(world=world, target=target)


@pytest.fixture
def open_search(browser: Browser, server: str) -> Iterator[OpenSearch]:
    """A function opening a page in a new context, with or without JavaScript."""
    contexts = []

    def make(*, locale: str = "en-GB", javascript: bool = True, width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(
            base_url=server, locale=locale, java_script_enabled=javascript,
            viewport={"width": width, "height": height}, is_mobile=width < 500, has_touch=width < 500,
        )  # fmt: skip
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def label(language: str, message: str, context: str = "") -> re.Pattern[str]:
    """A control's label in that language, followed or not by its live count."""
    with translation.override(language):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    return re.compile(rf"^\s*{re.escape(text)}(\s*\(\d+\))?\s*$")


def check_accessible(page: Page, axe_source: str, *, javascript: bool) -> None:
    """axe-core is a script: for a page without script, check the same address with the search script blocked."""
    if javascript:
        assert_accessible(page, axe_source)
        return
    browser = page.context.browser
    assert browser is not None
    origin = re.match(r"^https?://[^/]+", page.url)
    assert origin is not None
    context = browser.new_context(base_url=origin[0], viewport=page.viewport_size)
    try:
        plain = context.new_page()
        plain.route("**/learningcity/search.js", lambda route: route.abort())
        plain.route("**/vendor/leaflet/**", lambda route: route.abort())
        plain.goto(page.url)
        assert_accessible(plain, axe_source)
    finally:
        context.close()


def titles(page: Page) -> Locator:
    return page.locator("#search-results .card-title")


def show(page: Page, language: str, javascript: bool) -> None:
    """Without JavaScript a resident presses the button; with it the results follow on their own."""
    if not javascript:
        page.get_by_role("button", name=translated(language, "Show results")).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_lets_a_resident_find_an_opportunity_by_text_age_evening_free_and_distance(
    open_search: OpenSearch, axe_source: str, language: str, javascript: bool
) -> None:
    found = make_conversations()
    page = open_search(locale=LABELS[language], javascript=javascript)
    page.goto(f"/{language}/")
    box = page.get_by_role("search").get_by_label(translated(language, "What would you like to learn?"))
    box.fill("conversation")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/{language}/search/\?q=conversation"))
    expect(titles(page)).to_have_count(5)
    if javascript:
        # Until the deferred script has run, the form still submits the old way, as it should.
        expect(page.locator("#search-form")).to_have_attribute("data-live", "true")
        page.evaluate("window.stayedOnThePage = true")

    page.get_by_label(label(language, "Age of the learner")).fill("70")
    page.get_by_label(label(language, "Age of the learner")).press("Enter")
    expect(titles(page)).to_have_count(4)

    page.get_by_role("checkbox", name=label(language, "Evening (from 6 pm)", "part of day")).check()
    show(page, language, javascript)
    expect(titles(page)).to_have_count(3)

    page.get_by_role("checkbox", name=label(language, "Free")).check()
    show(page, language, javascript)
    expect(titles(page)).to_have_count(2)

    page.get_by_label(label(language, "Near the centre of")).select_option(label="Centre")
    page.get_by_label(label(language, "Within (km)")).fill("2")
    page.get_by_label(label(language, "Within (km)")).press("Enter")
    # Choosing the district already searched (with the default radius); wait for the 2 km search itself.
    expect(page).to_have_url(re.compile(r"radius=2(&|$)"))
    expect(titles(page)).to_have_count(1)

    target = found.target.title_fr if language == "fr" else found.target.title_en
    expect(titles(page)).to_have_text([target])
    card = page.locator("#search-results .card")
    with translation.override(language):
        expect(card).to_contain_text(
            translation.gettext("%(distance)s km away") % {"distance": "0,0" if language == "fr" else "0.0"}
        )
        expect(card).to_contain_text(translation.gettext("Free"))
        expect(card).to_contain_text("19:00")
    asked = parse_qs(urlsplit(page.url).query)
    assert {key: asked.get(key) for key in ("q", "age", "time", "free", "near_district", "radius")} == {
        "q": ["conversation"], "age": ["70"], "time": ["evening"], "free": ["on"], "near_district": ["01"],
        "radius": ["2"],
    }, "the address holds the whole search, to bookmark or share"  # fmt: skip
    if javascript:
        assert page.evaluate("window.stayedOnThePage === true"), "the results should update without reloading"
        expect(page.get_by_role("status")).to_have_text(re.compile(r"^1 "))
    expect(page.get_by_role("checkbox", name=label(language, "Free"))).to_be_checked()
    check_accessible(page, axe_source, javascript=javascript)

    page.get_by_role("link", name=target).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_it_keeps_the_filters_from_page_to_page(open_search: OpenSearch, javascript: bool) -> None:
    world = make_world()
    for number in range(25):
        make_opportunity(world.org_a, title_fr=f"Reliure {number}", title_en=f"Bookbinding {number}")
    make_opportunity(
        world.org_a, title_fr="Reliure d'art", title_en="Fine bookbinding", is_free=False, price=Decimal(5)
    )
    page = open_search(javascript=javascript)
    page.goto("/en/search/?q=bookbinding")
    expect(page.get_by_role("heading", name="26 results")).to_be_visible()
    page.get_by_role("checkbox", name=label("en", "Free")).check()
    show(page, "en", javascript)
    expect(page.get_by_role("heading", name="25 results")).to_be_visible()
    expect(titles(page)).to_have_count(20)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"\?q=bookbinding&free=on(&sort=relevance)?&page=2$"))
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(titles(page)).to_have_count(5)
    expect(page.get_by_role("link", name="Fine bookbinding")).to_have_count(0)
    expect(page.get_by_role("checkbox", name=label("en", "Free"))).to_be_checked()
    expect(page.get_by_label("What would you like to learn?")).to_have_value("bookbinding")
    if javascript:
        expect(page.get_by_role("heading", name="25 results")).to_be_focused()
        page.go_back()
        expect(page.get_by_text("Page 1 of 2")).to_be_visible()

    page.get_by_role("link", name="Remove filter: Free").click()
    expect(page.get_by_role("heading", name="26 results")).to_be_visible()
    expect(page.get_by_role("checkbox", name=label("en", "Free"))).not_to_be_checked()
    page.get_by_role("link", name="Remove filter: “bookbinding”").click()
    expect(page.get_by_label("What would you like to learn?")).to_have_value("")
    expect(page.get_by_role("heading", name="27 results")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_it_explains_an_invalid_filter_next_to_it(open_search: OpenSearch, axe_source: str, javascript: bool) -> None:
    make_world()
    page = open_search(javascript=javascript)
    response = page.goto("/en/search/?age=-4&q=watercolour")
    assert response is not None
    assert response.status == 400
    age = page.get_by_label("Age of the learner")
    expect(age).to_have_value("-4")
    expect(age).to_have_attribute("aria-invalid", "true")
    expect(age).to_have_accessible_description(re.compile("greater than or equal to 0"))
    problem = page.get_by_role("heading", name="There is a problem with this search")
    expect(problem).to_be_visible()
    check_accessible(page, axe_source, javascript=javascript)

    page.get_by_role("link", name=re.compile("Age of the learner")).click()
    expect(age).to_be_focused()
    age.fill("70")
    age.press("Enter")
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    expect(problem).to_have_count(0)
    expect(age).not_to_have_attribute("aria-invalid", "true")

    age.fill("200")
    age.press("Enter")
    expect(problem).to_be_visible()
    expect(age).to_have_accessible_description(re.compile("less than or equal to 120"))
    if javascript:
        expect(problem).to_be_focused()
        expect(page.get_by_role("status")).to_have_text("There is a problem with this search")


def test_it_passes_axe_with_results_with_none_and_with_suggestions_open(
    open_search: OpenSearch, axe_source: str
) -> None:
    make_conversations()
    page = open_search()
    page.goto("/en/search/?near_district=01&radius=5")
    expect(page.locator(".search-map .leaflet-interactive").first).to_be_attached()
    assert_accessible(page, axe_source)

    page.goto("/en/search/?q=zzzz")
    expect(page.get_by_text("Nothing matches this search.")).to_be_visible()
    assert_accessible(page, axe_source)

    page.goto("/fr/search/")
    box = page.get_by_role("combobox", name=label("fr", "What would you like to learn?"))
    box.press_sequentially("conv")
    expect(page.get_by_role("listbox")).to_be_visible()
    assert_accessible(page, axe_source)


def test_it_lets_a_keyboard_user_pick_a_suggestion(open_search: OpenSearch) -> None:
    make_conversations()
    page = open_search()
    page.goto("/en/search/")
    box = page.get_by_role("combobox", name="What would you like to learn?")
    box.focus()
    box.press_sequentially("conver")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options.first).to_be_visible()

    box.press("ArrowDown")
    first = options.nth(0)
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "?")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("conver")
    expect(box).to_be_focused()

    box.press_sequentially("sation engl")
    expect(listbox.get_by_role("option")).to_have_text(["English conversation"])
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("English conversation")
    expect(listbox).to_be_hidden()
    expect(titles(page).first).to_have_text("English conversation")
    expect(page).to_have_url(re.compile(r"\?q=English\+conversation$"))


def test_it_never_traps_the_keyboard_in_the_map(open_search: OpenSearch) -> None:
    make_conversations()
    page = open_search()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/en/search/?q=conversation")
    expect(page.locator(".search-map")).to_be_visible()
    expect(page.locator(".search-map")).to_have_attribute("aria-hidden", "true")
    expect(page.locator(".search-map .leaflet-interactive")).to_have_count(5)
    assert page.locator(".leaflet-tile").count() == 0, "no tile URL is set: a plain background, no tiles"

    last_card = page.get_by_role("link", name="Conversation by the river")
    for _ in range(120):
        page.keyboard.press("Tab")
        inside_map = page.evaluate("!!document.activeElement.closest('.search-map')")
        assert not inside_map, "the keyboard reached the map, which assistive technology cannot see"
        if last_card.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the last result")
    page.locator(".search-map .leaflet-interactive").first.click(force=True)
    expect(page.locator("#search-results .card-title a:focus")).to_have_count(1)
    server = re.match(r"^https?://[^/]+", page.url)
    assert server is not None
    assert [url for url in requests if not url.startswith(server[0])] == []


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_it_fits_a_320_pixel_phone(open_search: OpenSearch, axe_source: str, javascript: bool) -> None:
    make_conversations()
    page = open_search(width=320, height=640, javascript=javascript)
    page.goto("/en/search/")
    if javascript:  # site.js folds the filters on a phone so that results come first
        expect(page.locator("details.filters-panel")).not_to_have_attribute("open", "")
    box = page.get_by_label("What would you like to learn?")
    box.fill("conversation")
    box.press("Enter")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    expect(titles(page)).to_have_count(5)
    if not page.locator("details.filters-panel").evaluate("panel => panel.open"):
        page.get_by_text("Filters", exact=True).click()
    page.get_by_role("checkbox", name=label("en", "Evening (from 6 pm)", "part of day")).check()
    show(page, "en", javascript)
    expect(titles(page)).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check_accessible(page, axe_source, javascript=javascript)


def test_a_resident_searches_near_where_they_are(browser: Browser, server: str, axe_source: str) -> None:
    make_conversations()
    context = browser.new_context(
        base_url=server, locale="en-GB", geolocation={"latitude": 47.5, "longitude": 0.69}, permissions=["geolocation"]
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/en/search/?q=conversation")
        page.get_by_role("button", name="Use my location").click()
        expect(page).to_have_url(re.compile(r"near=47\.5(0*)%2C0\.69"))
        expect(page).to_have_url(re.compile(r"sort=distance"))
        first = page.locator("#search-results li.card").first
        expect(first).to_contain_text("Conversation by the river")
        assert_accessible(page, axe_source)
    finally:
        context.close()


def test_without_javascript_there_is_no_location_button(open_search: OpenSearch) -> None:
    make_world()
    page = open_search(javascript=False)
    page.goto("/en/search/")
    expect(page.get_by_role("button", name="Use my location")).to_have_count(0)

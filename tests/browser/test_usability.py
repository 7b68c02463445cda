"""What any visitor needs beyond the journeys: a keyboard, a small screen, larger text."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import REPO_ROOT, OpenPage, assert_accessible
from tests.factories import make_world

pytestmark = pytest.mark.browser

SCREENSHOT_PATH = REPO_ROOT / "docs" / "screenshot-home.png"
MAX_TABS = 40
DESCRIBE_FOCUS = """() => {
  const element = document.activeElement;
  return `<${element.tagName.toLowerCase()}> ${(element.textContent || element.name || "").trim()}`;
}"""


def focused_description(page: Page) -> str:
    """What has the keyboard focus, as tag and text (to read a failure)."""
    return str(page.evaluate(DESCRIBE_FOCUS))


def is_focused(locator: Locator) -> bool:
    """True when the element has the keyboard focus."""
    return bool(locator.evaluate("element => element === document.activeElement"))


def has_horizontal_scroll(page: Page) -> bool:
    """True when the page is wider than the screen, so a phone user must scroll sideways."""
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


def open_phone_page(open_page: OpenPage, path: str) -> Page:
    """The page on a 375 px wide phone; the page must lay itself out for that width, not zoom out."""
    page = open_page(width=375, height=740, phone=True)
    page.goto(path)
    assert page.evaluate("window.innerWidth") == 375, "The page lays out wider than the phone: check <meta viewport>"
    return page


def test_it_lets_a_keyboard_user_skip_to_content_and_reach_the_tools(open_page: OpenPage) -> None:
    make_world()
    page = open_page()
    page.goto("/en/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0, f"The focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    page.goto("/en/")
    switcher = page.get_by_role("list", name="Language").get_by_role("link", name="Français")
    search = page.get_by_role("search").get_by_label("What would you like to learn?")
    reached_switcher = False
    path: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        path.append(focused_description(page))
        reached_switcher = reached_switcher or is_focused(switcher)
        if is_focused(search):
            break
    assert reached_switcher, f"Tab never reached the language switcher before the search box: {path}"
    expect(search).to_be_focused()


@pytest.mark.parametrize("path", ["/en/", "/en/opportunities/"])
def test_it_fits_a_phone_screen_without_sideways_scrolling(open_page: OpenPage, path: str) -> None:
    make_world()
    page = open_phone_page(open_page, path)
    assert not has_horizontal_scroll(page), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_it_lets_a_phone_user_filter_the_list(open_page: OpenPage, axe_source: str) -> None:
    make_world()
    page = open_phone_page(open_page, "/en/opportunities/")
    filters = page.get_by_role("form", name="Filters")
    expect(filters).to_be_hidden()  # on a phone the results come first; the filter panel is folded
    page.get_by_text("Filters", exact=True).click()

    filters.get_by_label("Kind").select_option("workshop")
    filters.get_by_label("Free only").check()
    filters.get_by_role("button", name="Show results").click()

    expect(page).to_have_url(re.compile(r"kind=workshop.*free=on"))
    expect(page.get_by_role("link", name="Watercolour workshop")).to_be_visible()
    expect(page.get_by_role("form", name="Filters").get_by_label("Free only")).to_be_checked()
    assert not has_horizontal_scroll(page)
    assert_accessible(page, axe_source)


def test_it_switches_easy_reading_on_and_off(open_page: OpenPage, axe_source: str) -> None:
    make_world()
    page = open_page()
    page.goto("/en/opportunities/")
    body = page.locator("body")
    font_size = "() => parseFloat(getComputedStyle(document.body).fontSize)"
    standard = page.evaluate(font_size)

    page.get_by_role("button", name="Easy reading: off").click()
    expect(body).to_have_class(re.compile(r"\beasy-read\b"))
    expect(page).to_have_url(re.compile(r"/en/opportunities/$"))
    expect(page.get_by_role("button", name="Easy reading: on")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(font_size) > standard
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="Easy reading: on").click()
    expect(body).not_to_have_class(re.compile(r"\beasy-read\b"))
    assert page.evaluate(font_size) == standard


def test_it_shows_the_english_home_page_on_a_desktop_screen(open_page: OpenPage) -> None:
    world = make_world()
    page = open_page(width=1280, height=900)
    page.goto("/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{world.city.name}, a learning city")
    expect(page.get_by_role("link", name="Watercolour workshop")).to_be_visible()
    assert not has_horizontal_scroll(page)
    if os.environ.get("LEARNINGCITY_SCREENSHOT") == "1":
        page.screenshot(path=SCREENSHOT_PATH, full_page=False)

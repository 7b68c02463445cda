"""A resident puts a session and their own registrations in a calendar, in a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from learningcity.enrolment.models import Registration
from tests.browser.helpers import OpenPage, assert_accessible, log_in
from tests.factories import make_world

pytestmark = pytest.mark.browser


def test_it_lets_a_resident_follow_their_registrations_in_a_calendar(
    open_page: OpenPage, axe_source: str, server: str, settings: Any
) -> None:
    settings.SITE_URL = server  # the address the page shows is the one this test server answers on
    world = make_world()
    resident = world.users["resident"]
    assert resident is not None
    Registration.objects.create(user=resident, session=world.published.sessions.get())
    page = open_page(phone=True, width=390, height=844)
    log_in(page, "alice@resident.test")

    page.goto("/en/accounts/me/")
    page.get_by_role("link", name="My registrations in my calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My registrations in my calendar")
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="Make my private address").click()
    address_field = page.get_by_label("Private calendar address")
    expect(address_field).to_be_focused()
    address = address_field.input_value()
    assert re.fullmatch(rf"{re.escape(server)}/en/calendars/me/[A-Za-z0-9_-]{{43}}\.ics", address)
    assert_accessible(page, axe_source)

    feed = page.request.get(address)
    assert feed.ok
    calendar = Calendar.from_ical(feed.body())
    assert [str(event["SUMMARY"]) for event in calendar.events] == ["Watercolour workshop"]

    page.reload()  # sends the form again: the address just copied must not be replaced behind the person's back
    expect(page.get_by_role("alert")).to_contain_text("Your address changed since this page was shown")
    expect(page.get_by_label("Private calendar address")).to_have_count(0)
    assert page.request.get(address).ok
    page.goto("/en/calendars/me/")
    page.get_by_role("button", name="Turn the feed off").click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar feed is off.")
    assert page.request.get(address).status == 404


def test_it_offers_each_session_to_calendars_with_clear_link_names(open_page: OpenPage, axe_source: str) -> None:
    world = make_world()
    page = open_page()

    page.goto(f"/en/opportunities/{world.published.pk}/")
    block = page.get_by_role("region", name="Add to your calendar")
    expect(block).to_be_visible()
    # Each link names its date (visually hidden), so a list of links read out of context is still clear.
    dated = r" ?, \w+day \d+ \w+ \d{4}, \d\d:\d\d$"
    for name in ("Calendar file (.ics)", "Google Calendar", "Outlook.com"):
        expect(block.get_by_role("link", name=re.compile(re.escape(name) + dated))).to_have_count(1)
    assert_accessible(page, axe_source)

    with page.expect_download() as download:
        block.get_by_role("link", name=re.compile(r"^Calendar file \(\.ics\)")).click()
    assert download.value.suggested_filename.startswith("watercolour-workshop-")
    calendar = Calendar.from_ical(download.value.path().read_bytes())
    assert len(calendar.events) == 1

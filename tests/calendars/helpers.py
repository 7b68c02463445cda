"""Reading feeds as a calendar application would: parse with `icalendar` and check what RFC 5545 requires."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from icalendar import Calendar, Event

from learningcity.accounts.models import User
from tests.factories import World

REQUIRED_EVENT_PROPERTIES = ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "URL", "STATUS"]


def person(world: World, role: str) -> User:
    """The persona's account (every role but anonymous has one)."""
    user = world.users[role]
    assert user is not None
    return user


def parse(response: HttpResponse | Any) -> Calendar:
    """The feed of a 200 response, parsed and checked for validity."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert_valid(calendar)
    return calendar


def assert_valid(calendar: Calendar) -> None:
    """Required properties, times with a TZID described by exactly one VTIMEZONE, nothing floating."""
    calendar.validate()  # type: ignore[no-untyped-call]
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    tzids = Counter(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE"))
    assert all(count == 1 for count in tzids.values()), f"a VTIMEZONE per TZID, not {tzids}"
    assert not calendar.get_missing_tzids(), "every TZID used has its VTIMEZONE"
    for event in calendar.events:
        for name in REQUIRED_EVENT_PROPERTIES:
            assert name in event, f"{name} missing in {event.get('UID')}"
        for name in ("DTSTART", "DTEND"):
            assert "TZID" in event[name].params, f"{name} carries its time zone"
            assert str(event[name].params["TZID"]) in tzids
        assert event.end > event.start
        assert str(event["URL"]).startswith("http"), "an absolute address back to the page"


def events_by_uid(calendar: Calendar) -> dict[str, Event]:
    """The events keyed by UID (a UID appears once in a feed)."""
    events = {str(event["UID"]): event for event in calendar.events}
    assert len(events) == len(calendar.events)
    return events


def local_start(event: Event, calendar: Calendar) -> datetime:
    """DTSTART as written (wall-clock time and TZID), read through the feed's own VTIMEZONE."""
    tzid = str(event["DTSTART"].params["TZID"])
    zone = next(zone for zone in calendar.timezones if zone.tz_name == tzid).to_tz(lookup_tzid=False)
    naive: datetime = event.decoded("DTSTART").replace(tzinfo=None)
    return naive.replace(tzinfo=zone)


def utc_hours(moment: datetime) -> float:
    """The UTC hour of a moment, as a number (17.0 for 17:00)."""
    offset = moment.utcoffset() or timedelta(0)
    wall = moment.replace(tzinfo=None) - offset
    return wall.hour + wall.minute / 60


PARIS = ZoneInfo("Europe/Paris")

"""A weekly class at 19:00 in Paris stays at 19:00 across both daylight-saving changes of the year."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningcity.calendars.content import session_content
from learningcity.calendars.links import google_calendar_url, outlook_calendar_url
from learningcity.catalogue.services import session_schedule
from tests.calendars.helpers import PARIS, local_start, parse, utc_hours
from tests.factories import World


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month: when Europe changes its clocks (March and October)."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def weekly_at_seven_pm(world: World) -> None:
    """52 Tuesdays at 19:00 Paris time from next week: both clock changes fall within the coming year."""
    first_day = timezone.localdate() + timedelta(days=7)
    first_start = datetime.combine(first_day, time(19, 0), tzinfo=PARIS)
    world.published.sessions.all().delete()
    session_schedule(
        opportunity=world.published, by=world.users["provider_staff"], first_start=first_start,
        first_end=first_start + timedelta(hours=2), recurrence_rule="FREQ=WEEKLY;COUNT=52",
    )  # fmt: skip


def test_it_keeps_the_local_hour_across_the_clock_changes(world: World, client: Client) -> None:
    weekly_at_seven_pm(world)

    calendar = parse(client.get(reverse("calendars:opportunity", args=[world.published.pk])))

    starts = sorted(local_start(event, calendar) for event in calendar.events)
    assert len(starts) == 52
    assert {(start.hour, start.minute) for start in starts} == {(19, 0)}, "19:00 on the wall clock, every week"
    assert {utc_hours(start) for start in starts} == {17.0, 18.0}, "17:00 UTC in summer, 18:00 UTC in winter"
    for month in (3, 10):
        change = next(
            last_sunday(year, month)
            for year in (starts[0].year, starts[0].year + 1)
            if starts[0].date() < last_sunday(year, month) < starts[-1].date()
        )
        before = max(start for start in starts if start.date() < change)
        after = min(start for start in starts if start.date() > change)
        summer_before = month == 10
        assert utc_hours(before) == (17.0 if summer_before else 18.0), f"the Tuesday before {change}"
        assert utc_hours(after) == (18.0 if summer_before else 17.0), f"the Tuesday after {change}"


def test_it_gives_google_and_outlook_the_utc_times(world: World) -> None:
    weekly_at_seven_pm(world)
    sessions = list(world.published.sessions.select_related("opportunity__organisation", "opportunity__venue"))
    summer = next(session for session in sessions if session.start.astimezone(PARIS).utcoffset() == timedelta(hours=2))
    winter = next(session for session in sessions if session.start.astimezone(PARIS).utcoffset() == timedelta(hours=1))

    for session, utc_hour in [(summer, "17"), (winter, "18")]:
        content = session_content(session, language="en")
        day = session.start.astimezone(PARIS).strftime("%Y%m%d")
        google = parse_qs(urlsplit(google_calendar_url(content)).query)
        assert google["dates"] == [f"{day}T{utc_hour}0000Z/{day}T{int(utc_hour) + 2}0000Z"]
        assert google["ctz"] == ["Europe/Paris"]
        outlook = parse_qs(urlsplit(outlook_calendar_url(content)).query)
        iso_day = session.start.astimezone(PARIS).strftime("%Y-%m-%d")
        assert outlook["startdt"] == [f"{iso_day}T{utc_hour}:00:00Z"]
        assert outlook["enddt"] == [f"{iso_day}T{int(utc_hour) + 2}:00:00Z"]

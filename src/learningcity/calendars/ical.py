"""RFC 5545 calendars built with the `icalendar` library.

The output is deterministic (DTSTAMP is the last modification, as RFC 5545 §3.8.7.2 allows for an
object without METHOD; the calendar's UID is derived from its address), so the same data gives the
same bytes and the feed's ETag is simply a digest of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Conference, Event, Timezone
from icalendar.enums import STATUS, TRANSP

from learningcity.calendars.content import EventContent, uid_domain

PRODID = "-//learningcity//Calendars//EN"
REFRESH_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class FeedInfo:
    """What describes a whole feed: its name and description in the feed's language, its own address."""

    key: str
    name: str
    description: str
    url: str
    time_zone: str


@dataclass(frozen=True)
class EventStatus:
    """How a feed marks an event beyond the session itself: a resident's place not yet confirmed is tentative."""

    tentative: bool = False


def event(content: EventContent, status: EventStatus | None = None) -> Event:
    """One VEVENT: local times with their TZID, place or link, and the way back to the page."""
    status = status or EventStatus()
    result = Event.new(
        uid=content.uid,
        stamp=content.last_modified,
        last_modified=content.last_modified,
        # Sessions are never moved in place (a new time is a new session), so the only revision is a cancellation.
        sequence=1 if content.cancelled else 0,
        start=content.start,
        end=content.end,
        summary=content.summary,
        description=content.description,
        location=content.location or None,
        url=content.page_url,
        status=_status(content, status),
        transparency=TRANSP.TRANSPARENT if status.tentative or content.cancelled else TRANSP.OPAQUE,
    )
    if content.geo is not None:
        result.add("geo", content.geo)
    if content.online_url:
        result.conferences = [Conference(content.online_url, feature="VIDEO")]
    return result


def _status(content: EventContent, status: EventStatus) -> STATUS:
    if content.cancelled:
        return STATUS.CANCELLED
    return STATUS.TENTATIVE if status.tentative else STATUS.CONFIRMED


def calendar(
    feed: FeedInfo,
    contents: Sequence[EventContent],
    *,
    first: date,
    last: date,
    statuses: Sequence[EventStatus] | None = None,
) -> Calendar:
    """A VCALENDAR with an event per content (marked by `statuses`, if given, one per content) and one VTIMEZONE
    per time zone used, valid from `first` to `last`.

    The feed's own zone is always described: it also keeps an empty feed valid (RFC 5545 wants one component).
    """
    zones = [feed.time_zone, *sorted({content.time_zone for content in contents} - {feed.time_zone})]
    timezones = [Timezone.from_tzid(zone, first_date=first, last_date=last) for zone in zones]
    marks = statuses if statuses is not None else [EventStatus()] * len(contents)
    events = [event(content, status) for content, status in zip(contents, marks, strict=True)]
    result = Calendar.new(
        prodid=PRODID,
        uid=f"{feed.key}@{uid_domain()}",
        name=feed.name,
        description=feed.description,
        url=feed.url,
        refresh_interval=REFRESH_INTERVAL,
        calscale="GREGORIAN",
        subcomponents=[*timezones, *events],
    )
    result.add("x-wr-timezone", feed.time_zone)
    result.add("x-published-ttl", REFRESH_INTERVAL)  # the older name of REFRESH-INTERVAL, read by Outlook
    return result


def date_span(events: list[EventContent], *, start: datetime, end: datetime) -> tuple[date, date]:
    """The dates a feed's VTIMEZONEs must cover: its window, widened to any event reaching past it."""
    first = min([start, *(content.start for content in events)]).date() - timedelta(days=1)
    last = max([end, *(content.end for content in events)]).date() + timedelta(days=1)
    return first, last

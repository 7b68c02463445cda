"""Links that open a new event, already filled in, in Google Calendar or Outlook on the web.

Both take UTC times, so the event lands at the right hour whatever the visitor's own time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from learningcity.calendars.content import EventContent

GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_URL = "https://outlook.live.com/calendar/0/deeplink/compose"
LINK_TEXT_MAX_CHARS = 800  # keeps the whole link well under the 2,000 characters browsers and proxies accept


def _utc(moment: datetime, pattern: str) -> str:
    return moment.astimezone(UTC).strftime(pattern)


def _details(content: EventContent) -> str:
    text = content.description
    return text if len(text) <= LINK_TEXT_MAX_CHARS else f"{text[: LINK_TEXT_MAX_CHARS - 1]}…"


def google_calendar_url(content: EventContent) -> str:
    """Google Calendar's event template: `dates` as two UTC stamps, `ctz` to show it in the session's zone."""
    dates = f"{_utc(content.start, '%Y%m%dT%H%M%SZ')}/{_utc(content.end, '%Y%m%dT%H%M%SZ')}"
    query = {
        "action": "TEMPLATE",
        "text": content.summary,
        "dates": dates,
        "details": _details(content),
        "location": content.location,
        "ctz": content.time_zone,
    }
    return f"{GOOGLE_URL}?{urlencode(query)}"


def outlook_calendar_url(content: EventContent) -> str:
    """Outlook on the web's compose deeplink, with ISO 8601 UTC times."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": content.summary,
        "startdt": _utc(content.start, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(content.end, "%Y-%m-%dT%H:%M:%SZ"),
        "body": _details(content),
        "location": content.location,
    }
    return f"{OUTLOOK_URL}?{urlencode(query)}"

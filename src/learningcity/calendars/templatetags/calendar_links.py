"""`{% calendar_entries sessions as entries %}`: the "Add to calendar" links of each session, in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django import template
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import get_language

from learningcity.calendars.content import session_content
from learningcity.calendars.links import google_calendar_url, outlook_calendar_url
from learningcity.catalogue.models import Session

register = template.Library()


@dataclass(frozen=True)
class CalendarEntry:
    """One session on a page: its start in its own time zone, whether it is off, and where to add it."""

    start: datetime
    time_zone: str
    cancelled: bool
    ics: str
    google: str
    outlook: str


@register.simple_tag
def calendar_entries(sessions: Sequence[Session]) -> list[CalendarEntry]:
    """The entries of the sessions (which should come with their opportunity, its venue and organisation)."""
    sessions = list(sessions)
    prefetch_related_objects(sessions, "cancellation")  # one query for the lot, not one per session
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    entries = []
    for session in sessions:
        content = session_content(session, language=language)
        entries.append(
            CalendarEntry(
                start=content.start,
                time_zone=content.time_zone,
                cancelled=content.cancelled,
                ics=reverse("calendars:session", args=[session.pk]),
                google=google_calendar_url(content),
                outlook=outlook_calendar_url(content),
            )
        )
    return entries

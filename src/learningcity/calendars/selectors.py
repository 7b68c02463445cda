"""Reads for the feeds: which sessions each feed holds, and whose private feed a token opens."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from learningcity.calendars.models import FeedToken
from learningcity.catalogue.models import District, Opportunity, Organisation, Session, Status
from learningcity.enrolment.models import ACTIVE, CancellationReason, Registration, RegistrationStatus

PAST_DAYS = 30
FUTURE_DAYS = 365
MAX_EVENTS = 2000  # a year of a busy district; the nearest dates are kept
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
SESSION_RELATIONS = (
    "opportunity",
    "opportunity__city",
    "opportunity__organisation",
    "opportunity__venue",
    "cancellation",
)


@dataclass(frozen=True)
class Window:
    """The stretch of time a feed covers: from a month ago to a year ahead."""

    start: datetime
    end: datetime


def feed_window(now: datetime | None = None) -> Window:
    """Sessions from 30 days ago (so last week's event is still in the calendar) to one year ahead."""
    now = now or timezone.now()
    return Window(start=now - timedelta(days=PAST_DAYS), end=now + timedelta(days=FUTURE_DAYS))


def _in_window(sessions: QuerySet[Session], window: Window) -> list[Session]:
    within = sessions.filter(end__gte=window.start, start__lte=window.end)
    return list(within.select_related(*SESSION_RELATIONS).order_by("start", "pk")[:MAX_EVENTS])


def public_sessions() -> QuerySet[Session]:
    """Sessions of published opportunities: the only ones a public feed may show."""
    return Session.objects.filter(opportunity__status=Status.PUBLISHED)


def published_session(pk: int) -> Session | None:
    """One session of a published opportunity, with what its event shows."""
    return public_sessions().select_related(*SESSION_RELATIONS).filter(pk=pk).first()


def opportunity_sessions(opportunity: Opportunity, window: Window) -> list[Session]:
    """The dates of one opportunity."""
    return _in_window(public_sessions().filter(opportunity=opportunity), window)


def organisation_sessions(organisation: Organisation, window: Window) -> list[Session]:
    """The dates of every published opportunity of one provider."""
    return _in_window(public_sessions().filter(opportunity__organisation=organisation), window)


def district_sessions(district: District, window: Window) -> list[Session]:
    """The dates of published opportunities held at a venue of the district (online-only ones have none)."""
    sessions = public_sessions().filter(opportunity__venue__district=district).exclude(opportunity__mode="online")
    return _in_window(sessions, window)


def festival_window(festival: Any) -> Window:
    """A festival's feed covers the festival itself, before, during and after it (its programme is its bound)."""
    start, end = festival.window()
    return Window(start=start, end=end)


def festival_sessions(festival: Any) -> list[Session]:
    """The dates of a festival's programme (accepted, published events within the festival's days)."""
    from learningcity.festival.selectors import programme_sessions  # the festival app is optional here

    sessions: QuerySet[Session] = programme_sessions(festival)
    return _in_window(sessions.filter(opportunity__status=Status.PUBLISHED), festival_window(festival))


def festival_by_slug(slug: str) -> Any | None:
    """The festival with this address, or None (also when the festival app is not installed)."""
    try:
        from learningcity.festival.models import Festival
    except ImportError:
        return None
    return Festival.objects.select_related("city").filter(slug=slug).first()


def district_by_code(*, city_slug: str, code: str) -> District | None:
    """A district named by its city and its code (codes are unique within a city)."""
    return District.objects.select_related("city").filter(city__slug=city_slug, code=code).first()


def feed_registrations(user: Any, window: Window) -> list[Registration]:
    """A resident's standing registrations (confirmed, offered, waitlisted) and those ended because the
    session was cancelled; the ones the person cancelled or let expire are left out. Nearest first."""
    shown = Q(status__in=ACTIVE) | Q(
        status=RegistrationStatus.CANCELLED, cancellation_reason=CancellationReason.SESSION
    )
    registrations = (
        Registration.objects.filter(shown, user=user, session__end__gte=window.start, session__start__lte=window.end)
        .select_related("family_member", *(f"session__{relation}" for relation in SESSION_RELATIONS))
        .order_by("session__start", "pk")
    )
    return list(registrations[:MAX_EVENTS])


def token_digest(token: str) -> str:
    """SHA-256 of a token: enough for 256 random bits (no slow hash needed, nothing to guess)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_token_lookup(token: str) -> FeedToken | None:
    """The stored token a secret address carries, or None for a malformed, wrong or revoked one."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    return FeedToken.objects.select_related("user").filter(digest=token_digest(token), user__is_active=True).first()

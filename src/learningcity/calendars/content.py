"""What a calendar shows of one session, in one language: shared by the feeds and the "Add to calendar" links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from learningcity.catalogue.models import Opportunity, Session, Venue

DESCRIPTION_MAX_CHARS = 600  # feeds hold thousands of events; the full text is one click away (URL)


@dataclass(frozen=True)
class EventContent:
    """One session as a calendar event: texts in one language, times in the session's own time zone."""

    uid: str
    summary: str
    description: str
    location: str
    geo: tuple[float, float] | None
    online_url: str
    page_url: str
    start: datetime
    end: datetime
    cancelled: bool
    last_modified: datetime

    @property
    def time_zone(self) -> str:
        """The IANA name of the zone the times are expressed in (Europe/Paris)."""
        return str(self.start.tzinfo)


def absolute_url(path: str) -> str:
    """A link that works from a calendar application: the site's public address plus the path."""
    return f"{settings.SITE_URL}{path}"


def uid_domain() -> str:
    """The host part of every UID, so UIDs stay unique across the instances of the platform."""
    return urlsplit(settings.SITE_URL).hostname or "learningcity"


def session_uid(session: Session) -> str:
    """The same UID in every feed and language, fetch after fetch (RFC 5545 §3.8.4.7)."""
    return f"session-{session.pk}@{uid_domain()}"


def zone_of(session: Session) -> ZoneInfo:
    """The session's time zone, or the site's when the stored name is unknown."""
    try:
        return ZoneInfo(session.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def session_cancelled_at(session: Session) -> datetime | None:
    """When the provider called the session off, or None (fetch `cancellation` with the session)."""
    try:
        return session.cancellation.cancelled_at
    except ObjectDoesNotExist:
        return None


def opportunity_url(opportunity: Opportunity, language: str) -> str:
    """The absolute address of the opportunity's page in that language."""
    with translation.override(language):
        return absolute_url(reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug]))


def venue_location(venue: Venue) -> str:
    """Venue name and postal address on one line, as calendars show LOCATION."""
    address = " ".join(part for part in [venue.address, venue.postcode] if part)
    return ", ".join(part for part in [venue.name, address] if part)


def session_content(session: Session, *, language: str) -> EventContent:
    """The event for a session in `language` ("fr" or "en").

    Fetch the opportunity, its venue and organisation, and the session's cancellation with the session.
    """
    opportunity = session.opportunity
    venue = opportunity.venue if opportunity.mode != "online" else None
    zone = zone_of(session)
    cancelled_at = session_cancelled_at(session)
    changes = [opportunity.updated_at, opportunity.organisation.updated_at, cancelled_at]
    with translation.override(language):
        page_url = opportunity_url(opportunity, language)
        content = EventContent(
            uid=session_uid(session),
            summary=opportunity.title,
            description=_description(opportunity, page_url),
            location=venue_location(venue) if venue is not None else opportunity.online_url,
            geo=(venue.latitude, venue.longitude) if venue is not None else None,
            online_url=opportunity.online_url,
            page_url=page_url,
            start=session.start.astimezone(zone),
            end=session.end.astimezone(zone),
            cancelled=cancelled_at is not None,
            last_modified=max(moment for moment in changes if moment is not None),
        )
    return content


def _description(opportunity: Opportunity, page_url: str) -> str:
    """The text under the title: what it is, who organises, how to take part, where to read more."""
    lines = [Truncator(opportunity.description.strip()).chars(DESCRIPTION_MAX_CHARS), ""]
    lines.append(_("Organised by: %(name)s") % {"name": opportunity.organisation.name})
    if opportunity.registration_required:
        lines.append(_("Registration required."))
    if opportunity.online_url:
        lines.append(_("Online: %(url)s") % {"url": opportunity.online_url})
    lines.append(_("More information: %(url)s") % {"url": page_url})
    return "\n".join(lines).strip()

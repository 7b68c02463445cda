"""schema.org JSON-LD of a festival programme: a Festival with its events as subEvents."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from learningcity.catalogue.jsonld import ATTENDANCE_MODE, location
from learningcity.catalogue.models import Mode, Session
from learningcity.festival.models import Festival

MAX_SUB_EVENTS = 200  # enough for search engines; the page itself lists everything


def festival_jsonld(festival: Festival, sessions: list[Session], request: HttpRequest) -> str:
    """The JSON-LD document, safe to embed in a <script> element."""
    url = request.build_absolute_uri(reverse("festival:programme", args=[festival.slug]))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Festival",
        "name": festival.name,
        "url": url,
        "startDate": festival.starts_on.isoformat(),
        "endDate": festival.ends_on.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "location": {"@type": "City", "name": festival.city.name},
        "organizer": {"@type": "GovernmentOrganization", "name": festival.city.name},
        "subEvent": [_event(session, request) for session in sessions],
    }
    if festival.theme:
        data["description"] = festival.theme
    # Escape <, > and & so that no text can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _event(session: Session, request: HttpRequest) -> dict[str, Any]:
    opportunity = session.opportunity
    url = request.build_absolute_uri(reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug]))
    return {
        "@type": "Event",
        "name": opportunity.title,
        "url": url,
        "startDate": session.start.isoformat(),
        "endDate": session.end.isoformat(),
        "eventAttendanceMode": ATTENDANCE_MODE[Mode(opportunity.mode)],
        "location": location(opportunity, url),
        "organizer": {"@type": "Organization", "name": opportunity.organisation.name},
        "isAccessibleForFree": opportunity.is_free,
    }

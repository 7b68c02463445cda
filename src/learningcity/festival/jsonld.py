"""schema.org JSON-LD of the festival pages: a programme is a Festival with its events as subEvents; the
list of festivals is an ItemList of Festivals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from learningcity.catalogue.jsonld import ATTENDANCE_MODE, dumps, location
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
    return dumps(data)


def festival_list_jsonld(festivals: Sequence[Festival], request: HttpRequest) -> str:
    """The city's festivals, the latest first, as an ItemList of Festivals."""
    elements = [
        {"@type": "ListItem", "position": position, "item": _festival_summary(festival, request)}
        for position, festival in enumerate(festivals, start=1)
    ]
    return dumps({"@context": "https://schema.org", "@type": "ItemList", "numberOfItems": len(elements),
                  "itemListElement": elements})  # fmt: skip


def _festival_summary(festival: Festival, request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Festival",
        "name": festival.name,
        "url": request.build_absolute_uri(reverse("festival:programme", args=[festival.slug])),
        "startDate": festival.starts_on.isoformat(),
        "endDate": festival.ends_on.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "location": {"@type": "City", "name": festival.city.name},
    }
    if festival.theme:
        data["description"] = festival.theme
    return data


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

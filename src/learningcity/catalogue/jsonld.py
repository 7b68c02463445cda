"""schema.org JSON-LD for opportunity pages (Course with CourseInstance, or Event)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest

from learningcity.catalogue.models import Kind, Mode, Opportunity, Session, Venue

COURSE_KINDS = {Kind.COURSE, Kind.ONLINE_COURSE, Kind.SELF_PACED, Kind.APPRENTICESHIP, Kind.MENTORING}
ATTENDANCE_MODE = {
    Mode.ON_SITE: "https://schema.org/OfflineEventAttendanceMode",
    Mode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Mode.BLENDED: "https://schema.org/MixedEventAttendanceMode",
}
COURSE_MODE = {Mode.ON_SITE: "onsite", Mode.ONLINE: "online", Mode.BLENDED: "blended"}


def place(venue: Venue) -> dict[str, Any]:
    """A schema.org Place with its postal address and coordinates."""
    return {
        "@type": "Place",
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.address,
            "postalCode": venue.postcode,
            "addressCountry": "FR",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": venue.latitude, "longitude": venue.longitude},
    }


def location(opportunity: Opportunity, url: str) -> list[dict[str, Any]]:
    """Where it happens: a Place, a VirtualLocation, or both."""
    places: list[dict[str, Any]] = []
    if opportunity.venue is not None:
        places.append(place(opportunity.venue))
    if opportunity.online_url:
        places.append({"@type": "VirtualLocation", "url": opportunity.online_url})
    return places or [{"@type": "VirtualLocation", "url": url}]


def offers(opportunity: Opportunity, url: str) -> list[dict[str, Any]]:
    """The price, and the reduced price where there is one."""
    price = "0" if opportunity.is_free else str(opportunity.price)
    result = [{"@type": "Offer", "price": price, "priceCurrency": "EUR", "url": url, "category": "Regular"}]
    if opportunity.reduced_price is not None:
        result.append({
            "@type": "Offer", "price": str(opportunity.reduced_price), "priceCurrency": "EUR", "url": url,
            "category": "Reduced", "eligibleCustomerType": opportunity.reduced_price_conditions,
        })  # fmt: skip
    return result


def audience(opportunity: Opportunity) -> dict[str, Any]:
    """Who may take part, by age and group."""
    data: dict[str, Any] = {
        "@type": "PeopleAudience",
        "suggestedMinAge": opportunity.age_min,
        "suggestedMaxAge": opportunity.age_max,
    }
    labels = [label.name for label in opportunity.audience_labels.all()]
    if labels:
        data["audienceType"] = ", ".join(labels)
    return data


def opportunity_jsonld(opportunity: Opportunity, sessions: list[Session], request: HttpRequest) -> str:
    """The JSON-LD document, safe to embed in a <script> element."""
    url = request.build_absolute_uri()
    common = {
        "name": opportunity.title,
        "description": opportunity.description,
        "url": url,
        "inLanguage": [language.code for language in opportunity.languages.all()],
        "audience": audience(opportunity),
        "offers": offers(opportunity, url),
    }
    organiser = {"@type": "Organization", "name": opportunity.organisation.name}
    data: dict[str, Any]
    if opportunity.kind in COURSE_KINDS:
        data = {"@context": "https://schema.org", "@type": "Course", **common, "provider": organiser}
        data["hasCourseInstance"] = [
            {
                "@type": "CourseInstance",
                "courseMode": COURSE_MODE[Mode(opportunity.mode)],
                "startDate": session.start.isoformat(),
                "endDate": session.end.isoformat(),
                "location": location(opportunity, url),
            }
            for session in sessions
        ] or [{"@type": "CourseInstance", "courseMode": COURSE_MODE[Mode(opportunity.mode)]}]
    else:
        first = sessions[0] if sessions else None
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            **common,
            "organizer": organiser,
            "eventAttendanceMode": ATTENDANCE_MODE[Mode(opportunity.mode)],
            "eventStatus": "https://schema.org/EventScheduled",
            "location": location(opportunity, url),
        }
        if first is not None:
            data["startDate"] = first.start.isoformat()
            data["endDate"] = first.end.isoformat()
            if len(sessions) > 1:
                data["subEvent"] = [
                    {"@type": "Event", "name": opportunity.title, "startDate": s.start.isoformat(),
                     "endDate": s.end.isoformat(), "location": location(opportunity, url)}
                    for s in sessions[1:]
                ]  # fmt: skip
    # Escape <, > and & so that no text can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

"""schema.org JSON-LD for the public pages: an opportunity (Course with CourseInstance, or Event), the home page
(WebSite with its SearchAction, and the city), an organisation, a venue (Place) and lists of opportunities."""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from learningcity.catalogue.models import City, Kind, Mode, Opportunity, Organisation, OrganisationType, Session, Venue

COURSE_KINDS = {Kind.COURSE, Kind.ONLINE_COURSE, Kind.SELF_PACED, Kind.APPRENTICESHIP, Kind.MENTORING}
ATTENDANCE_MODE = {
    Mode.ON_SITE: "https://schema.org/OfflineEventAttendanceMode",
    Mode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Mode.BLENDED: "https://schema.org/MixedEventAttendanceMode",
}
COURSE_MODE = {Mode.ON_SITE: "onsite", Mode.ONLINE: "online", Mode.BLENDED: "blended"}
ORGANISATION_TYPES: dict[str, str] = {
    OrganisationType.SCHOOL: "School",
    OrganisationType.UNIVERSITY: "CollegeOrUniversity",
    OrganisationType.VOCATIONAL: "EducationalOrganization",
    OrganisationType.LIBRARY: "Library",
    OrganisationType.CITY_SERVICE: "GovernmentOrganization",
    OrganisationType.ASSOCIATION: "NGO",
    OrganisationType.SPORTS: "SportsOrganization",
}  # any other type is a plain Organization


def dumps(data: dict[str, Any]) -> str:
    """The JSON text of a document, safe to embed in a <script> element."""
    # Escape <, > and & so that no text can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
    return dumps(data)


def opportunity_url(opportunity: Opportunity, request: HttpRequest) -> str:
    """The absolute address of an opportunity's page in the active language."""
    return request.build_absolute_uri(reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug]))


def website_jsonld(city: City | None, request: HttpRequest) -> str:
    """The home page: the site, with the search box search engines may offer, and the city that runs it."""
    home = request.build_absolute_uri(reverse("home"))
    search = request.build_absolute_uri(reverse("search:search"))
    site: dict[str, Any] = {
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": _("%(city)s, a learning city") % {"city": city.name} if city else _("Learning city"),
        "url": home,
        "inLanguage": (get_language() or "fr")[:2],
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
    graph = [site]
    if city is not None:
        site["publisher"] = {"@id": f"{home}#city"}
        graph.append(city_organisation(city, home))
    return dumps({"@context": "https://schema.org", "@graph": graph})


def city_organisation(city: City, home: str) -> dict[str, Any]:
    """The city as the public body running the site, and the place it serves."""
    return {
        "@type": "GovernmentOrganization",
        "@id": f"{home}#city",
        "name": city.name,
        "url": home,
        "areaServed": {
            "@type": "City",
            "name": city.name,
            "address": {"@type": "PostalAddress", "addressCountry": city.country_code},
            "geo": {"@type": "GeoCoordinates", "latitude": city.latitude, "longitude": city.longitude},
        },
    }


def organisation_jsonld(organisation: Organisation, venues: list[Venue], request: HttpRequest) -> str:
    """A provider: an EducationalOrganization (school, university, training centre) or another Organization."""
    url = request.build_absolute_uri(reverse("catalogue:organisation", args=[organisation.pk]))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": ORGANISATION_TYPES.get(organisation.type, "Organization"),
        "@id": url,
        "name": organisation.name,
        "url": url,
    }
    optional = {
        "description": organisation.description,
        "email": organisation.email,
        "telephone": organisation.phone,
        "sameAs": [organisation.website] if organisation.website else [],
    }
    data.update({key: value for key, value in optional.items() if value})
    if organisation.siret:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "SIRET", "value": organisation.siret}
    if venues:
        data["location"] = [venue_place(venue, request) for venue in venues]
    return dumps(data)


def venue_place(venue: Venue, request: HttpRequest) -> dict[str, Any]:
    """A venue as a Place with its own page."""
    url = request.build_absolute_uri(reverse("catalogue:venue", args=[venue.pk]))
    return {**place(venue), "@id": url, "url": url}


def venue_jsonld(venue: Venue, request: HttpRequest) -> str:
    """A place of learning: address, coordinates, district, opening hours and accessibility features."""
    data: dict[str, Any] = {"@context": "https://schema.org", **venue_place(venue, request)}
    if venue.district is not None:
        data["containedInPlace"] = {"@type": "AdministrativeArea", "name": venue.district.name}
    if venue.opening_hours:
        data["openingHours"] = venue.opening_hours  # OpenStreetMap's simple form is schema.org's (Mo-Fr 09:00-18:00)
    features = venue.accessibility_features()
    if features:
        data["amenityFeature"] = [
            {"@type": "LocationFeatureSpecification", "name": feature, "value": True} for feature in features
        ]
    return dumps(data)


def item_list_jsonld(
    opportunities: list[Opportunity], request: HttpRequest, *, start: int = 1, total: int | None = None
) -> str:
    """A page of listed opportunities as an ItemList (positions count from the first result of the list)."""
    elements = [
        {"@type": "ListItem", "position": start + index, "url": opportunity_url(opportunity, request),
         "name": opportunity.title}
        for index, opportunity in enumerate(opportunities)
    ]  # fmt: skip
    data = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "numberOfItems": len(elements) if total is None else total,
        "itemListElement": elements,
    }
    return dumps(data)


def page_jsonld(page: Page[Opportunity], request: HttpRequest) -> str:
    """A paginated list of opportunities (the catalogue, an organisation's or a venue's listings)."""
    return item_list_jsonld(list(page.object_list), request, start=page.start_index(), total=page.paginator.count)

"""`{% load schema_org %}`: schema.org JSON-LD script elements for the public pages.

Each tag renders `<script type="application/ld+json">…</script>` from the page's own context, so a
page gains its structured data from its template alone. The documents are built by
`catalogue.jsonld` and `festival.jsonld`, whose `dumps` escapes `<`, `>` and `&`: no title or
description can close the script element.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.core.paginator import Page
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from learningcity.catalogue import jsonld
from learningcity.catalogue.models import City, Opportunity, Organisation, Venue
from learningcity.festival.jsonld import festival_list_jsonld
from learningcity.festival.models import Festival

register = template.Library()


def script(document: str) -> SafeString:
    """A JSON-LD script element around a document made by `jsonld.dumps`."""
    return mark_safe(f'<script type="application/ld+json">{document}</script>')  # noqa: S308 (escaped by dumps)


@register.simple_tag(takes_context=True)
def website_jsonld(context: dict[str, Any], city: City | None) -> SafeString:
    """The home page: WebSite with its SearchAction, and the city."""
    return script(jsonld.website_jsonld(city, context["request"]))


@register.simple_tag(takes_context=True)
def organisation_jsonld(context: dict[str, Any], organisation: Organisation, venues: Sequence[Venue]) -> SafeString:
    """An organisation's page: the organisation and its venues."""
    return script(jsonld.organisation_jsonld(organisation, list(venues), context["request"]))


@register.simple_tag(takes_context=True)
def venue_jsonld(context: dict[str, Any], venue: Venue) -> SafeString:
    """A venue's page: the Place."""
    return script(jsonld.venue_jsonld(venue, context["request"]))


@register.simple_tag(takes_context=True)
def opportunity_page_jsonld(context: dict[str, Any], page: Page[Opportunity]) -> SafeString:
    """A paginated list of opportunities: an ItemList."""
    return script(jsonld.page_jsonld(page, context["request"]))


@register.simple_tag(takes_context=True)
def search_results_jsonld(context: dict[str, Any], result: Any) -> SafeString:
    """A page of search results (a `search.selectors.SearchResult`): an ItemList."""
    from learningcity.search.selectors import PAGE_SIZE

    start = (max(1, result.page) - 1) * PAGE_SIZE + 1
    return script(jsonld.item_list_jsonld(result.opportunities, context["request"], start=start, total=result.total))


@register.simple_tag(takes_context=True)
def festivals_jsonld(context: dict[str, Any], festivals: Sequence[Festival]) -> SafeString:
    """The list of festivals: an ItemList of Festivals."""
    return script(festival_list_jsonld(festivals, context["request"]))


@register.simple_tag(takes_context=True)
def key_figures_jsonld(context: dict[str, Any], city: City, year: int) -> SafeString:
    """The city's key figures: a Dataset with its CSV and JSON downloads."""
    request = context["request"]
    page = request.build_absolute_uri(reverse("monitoring:key-figures"))
    query = "?" + urlencode({"year": year})
    downloads = [
        {"@type": "DataDownload", "encodingFormat": media_type,
         "contentUrl": request.build_absolute_uri(reverse("monitoring:key-figures-download", args=[fmt])) + query}
        for fmt, media_type in [("csv", "text/csv"), ("json", "application/json")]
    ]  # fmt: skip
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": _("%(city)s in figures, %(year)s") % {"city": city.name, "year": year},
        "description": _(
            "How the city is doing as a learning city, measured with UNESCO's framework. "
            "Figures about fewer than 10 people are not published."
        ),
        "url": page,
        "temporalCoverage": str(year),
        "spatialCoverage": {"@type": "City", "name": city.name},
        "creator": {"@type": "GovernmentOrganization", "name": city.name},
        "isAccessibleForFree": True,
        "distribution": downloads,
    }
    return script(jsonld.dumps(data))

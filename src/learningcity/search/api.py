"""Search endpoints of the read API: the same search as the page, with facet counts, and completion.

The parameters are declared in `SearchQuerySchema` so that the OpenAPI document describes each
of them; the values are then checked again by `SearchForm`, the one validator the page and saved
searches use, so a search means the same thing whichever door it comes in by.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import QueryDict
from django.utils.translation import get_language, ngettext
from ninja import Query, Router, Schema
from pydantic import Field

from learningcity.catalogue.api import opportunity_data
from learningcity.catalogue.models import Kind, Mode, Sector
from learningcity.catalogue.schemas import ErrorSchema, OpportunitySchema
from learningcity.catalogue.selectors import current_city
from learningcity.search import demand, selectors
from learningcity.search import query as q
from learningcity.search.forms import MAX_PAGE, MAX_RADIUS_KM, SearchForm

router = Router(tags=["search"])
ERRORS: dict[int, Any] = {400: ErrorSchema, 404: ErrorSchema}

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TimeOfDay = Literal["morning", "afternoon", "evening"]
AccessFeature = Literal["step_free_access", "accessible_toilets", "hearing_loop", "sign_language", "easy_read"]
Sort = Literal["relevance", "date", "distance"]


class SearchQuerySchema(Schema):
    """The search parameters, as on the search page. Several values of one filter widen it; filters narrow."""

    q: str = Field(
        "",
        max_length=q.MAX_QUERY_LENGTH,
        description='Words or "quoted phrases" in French or English; empty browses everything',
    )
    block: list[str] = Field([], description="Building block codes (see /building-blocks)")
    kind: list[Kind] = Field([], description="Kinds of opportunity")
    topic: list[str] = Field([], description="Topic codes (see /topics); a parent topic includes its children")
    age: int | None = Field(None, ge=0, le=120, description="Only what admits a learner of this age")
    date_from: date | None = Field(None, description="A session on or after this day (the city's local time)")
    date_to: date | None = Field(None, description="A session on or before this day; at most two years after date_from")
    day: list[Day] = Field([], description="A coming session on one of these days of the week")
    time: list[TimeOfDay] = Field(
        [], description="A coming session in one of these parts of the day (evening: from 6 pm)"
    )
    free: bool = Field(False, description="Only what is free")
    max_price: float | None = Field(None, ge=0, le=10000, description="Free, or at most this price in euros")
    language: list[str] = Field([], description="Language codes of teaching")
    mode: list[Mode] = Field([], description="On site, online or both")
    access: list[AccessFeature] = Field([], description="Accessibility features the venue must all have")
    district: list[str] = Field([], description="District codes of the venue (see /districts)")
    sector: list[Sector] = Field([], description="Sectors of the provider")
    places: bool = Field(False, description="Only what has places left")
    near: str | None = Field(None, max_length=60, description="Search around a point: latitude,longitude in degrees")
    near_venue: int | None = Field(None, ge=1, description="Search around a venue of the city (venue id)")
    near_district: str | None = Field(None, max_length=32, description="Search around the centre of a district (code)")
    radius: float | None = Field(
        None, ge=0.1, le=MAX_RADIUS_KM, description="Radius in km around the chosen place (default 3); needs a place"
    )
    past: bool = Field(False, description="Include opportunities whose sessions are all past")
    sort: Sort = Field("relevance", description="Order of results; distance needs a place")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page of 20 results")


class FacetValueSchema(Schema):
    """One value of a filter with the number of results it would give."""

    value: str = Field(description="The value as written in the parameter of the same filter")
    label: str = Field(description="Its name in the language of the request (Accept-Language)")
    count: int
    selected: bool


class SearchResultSchema(OpportunitySchema):
    """A matching opportunity, with its distance when searching near a place."""

    distance_km: float | None = Field(None, description="Straight-line distance from the chosen place")


class SearchResponseSchema(Schema):
    """One page of results, the total, the counts per filter value and any spelling correction."""

    total: int
    page: int
    pages: int
    results: list[SearchResultSchema]
    facets: dict[str, list[FacetValueSchema]] = Field(
        description="Per filter (blocks, kinds, topics, days, times, price, languages, modes, access, "
        "districts, sectors, places): the values that would give results under the other filters"
    )
    corrected_query: str | None = Field(description="The query searched instead, when the one asked found nothing")


class SuggestQuerySchema(Schema):
    """What a resident is typing."""

    q: str = Field(
        "", max_length=q.MAX_QUERY_LENGTH * 2, description="The text so far; the last word may be unfinished"
    )
    language: Literal["fr", "en"] | None = Field(None, description="Language of the titles (default: Accept-Language)")


class SuggestionsSchema(Schema):
    """Titles that complete the text."""

    suggestions: list[str]


def form_data(params: Schema) -> QueryDict:
    """The parameters as the search page receives them, for `SearchForm`."""
    data = QueryDict(mutable=True)
    for name, value in params.model_dump().items():
        if isinstance(value, list):
            data.setlist(name, [str(item) for item in value])
        elif value is True:
            data[name] = "on"
        elif value not in (None, False, ""):
            data[name] = value.isoformat() if isinstance(value, date) else str(value)
    return data


def invalid(request: HttpRequest, details: list[dict[str, str | None]]) -> HttpResponse:
    """A 400 in the API's one error shape, naming each parameter as the client wrote it."""
    from learningcity.api import error_response  # the API module imports this router

    message = "The request is not valid."  # as every other 400 of the API (`api.on_validation_error`)
    return error_response(request, status=400, code="invalid_request", message=message, details=details)


def result_data(opportunity: Any, distances: dict[int, float]) -> dict[str, Any]:
    """An opportunity as the catalogue API shows it, with its distance."""
    data = opportunity_data(opportunity)
    distance = distances.get(opportunity.pk)
    data["distance_km"] = None if distance is None else round(distance, 3)
    return data


@router.get("/search", response={200: SearchResponseSchema, **ERRORS}, summary="Search opportunities")
def search(request: HttpRequest, filters: Query[SearchQuerySchema]) -> dict[str, Any] | HttpResponse:
    """Published opportunities of the city matching the words and filters, best first, with facet counts."""
    city = current_city()
    if city is None:
        raise Http404
    form = SearchForm(form_data(filters), city=city)
    if not form.is_valid():
        return invalid(request, form.errors_by_field())
    params = form.params()
    try:
        result = selectors.search(city, params)
    except q.QueryError as error:
        return invalid(request, [{"field": "q", "message": str(error)}])
    if params.page > result.pages:
        last = ngettext(
            "There is only %(pages)d page of results.", "There are only %(pages)d pages of results.", result.pages
        )
        return invalid(request, [{"field": "page", "message": last % {"pages": result.pages}}])
    if params.text and params.page == 1:
        demand.record_search(city=city, text=params.text, total=result.total, request=request)
    prefetch_related_objects(result.opportunities, "city", "topics", "audience_labels")
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "results": [result_data(opportunity, result.distances) for opportunity in result.opportunities],
        "facets": {facet: [vars(value) for value in values] for facet, values in result.facets.items()},
        "corrected_query": result.corrected_text or None,
    }


@router.get("/search/suggest", response={200: SuggestionsSchema, **ERRORS}, summary="Complete a search")
def suggest(request: HttpRequest, filters: Query[SuggestQuerySchema]) -> dict[str, Any]:
    """Titles of published opportunities that complete what a resident is typing."""
    city = current_city()
    if city is None:
        raise Http404
    language = filters.language or (get_language() or "fr")[:2]
    return {"suggestions": selectors.suggestions(city, filters.q, language=language)}

"""Catalogue endpoints of the read API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from learningcity.catalogue import selectors
from learningcity.catalogue.models import (
    BuildingBlock,
    District,
    Kind,
    Mode,
    Opportunity,
    Organisation,
    OrganisationType,
    Sector,
    Session,
    Topic,
    Venue,
)
from learningcity.catalogue.schemas import (
    CodeNameSchema,
    DistrictSchema,
    ErrorSchema,
    OpportunityDetailSchema,
    OpportunitySchema,
    OrganisationSchema,
    PageSchema,
    SessionSchema,
    VenueSchema,
)

router = Router(tags=["catalogue"])
ERRORS: dict[int, Any] = {400: ErrorSchema, 404: ErrorSchema}


class PageParams(Schema):
    """Limit/offset pagination."""

    limit: int = Field(20, ge=1, le=100, description="Items per page (at most 100)")
    offset: int = Field(0, ge=0, le=10_000_000)


def paginate(queryset: QuerySet[Any], page: PageParams, serialize: Any) -> dict[str, Any]:
    """A page of serialized items and the total count."""
    limit = min(page.limit, settings.API_PAGE_SIZE_MAX)
    items = list(queryset[page.offset : page.offset + limit])
    return {"count": queryset.count(), "limit": limit, "offset": page.offset, "results": [serialize(i) for i in items]}


def absolute(path: str) -> str:
    """An absolute URL on this instance."""
    return f"{settings.SITE_URL}{path}"


def text(french: str, english: str) -> dict[str, str]:
    """A bilingual text."""
    return {"fr": french, "en": english}


def organisation_data(organisation: Organisation) -> dict[str, Any]:
    """An organisation as the API shows it."""
    return {
        "id": organisation.pk,
        "city": organisation.city.slug,
        "name": organisation.name,
        "sector": organisation.sector,
        "type": organisation.type,
        "description": text(organisation.description_fr, organisation.description_en),
        "email": organisation.email,
        "phone": organisation.phone,
        "website": organisation.website,
        "siret": organisation.siret,
        "verified": organisation.verified,
        "url": absolute(reverse("catalogue:organisation", args=[organisation.pk])),
    }


def venue_data(venue: Venue) -> dict[str, Any]:
    """A venue as the API shows it."""
    return {
        "id": venue.pk,
        "city": venue.city.slug,
        "name": venue.name,
        "address": venue.address,
        "postcode": venue.postcode,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "district": venue.district.code if venue.district else None,
        "opening_hours": venue.opening_hours,
        "accessibility": {
            "step_free_access": venue.step_free_access,
            "accessible_toilets": venue.accessible_toilets,
            "hearing_loop": venue.hearing_loop,
            "sign_language": venue.sign_language,
            "easy_read": venue.easy_read,
        },
        "organisation_id": venue.organisation_id,
        "url": absolute(reverse("catalogue:venue", args=[venue.pk])),
    }


def session_data(session: Session) -> dict[str, Any]:
    """A session as the API shows it."""
    return {
        "id": session.pk,
        "opportunity_id": session.opportunity_id,
        "start": session.start,
        "end": session.end,
        "time_zone": session.time_zone,
        "capacity": session.capacity,
        "series": session.series_key,
    }


def opportunity_data(opportunity: Opportunity) -> dict[str, Any]:
    """An opportunity as the API shows it (relations must be prefetched)."""
    return {
        "id": opportunity.pk,
        "city": opportunity.city.slug,
        "title": text(opportunity.title_fr, opportunity.title_en),
        "description": text(opportunity.description_fr, opportunity.description_en),
        "kind": opportunity.kind,
        "building_blocks": [block.code for block in opportunity.building_blocks.all()],
        "topics": [topic.code for topic in opportunity.topics.all()],
        "audience": {
            "age_min": opportunity.age_min,
            "age_max": opportunity.age_max,
            "labels": [label.code for label in opportunity.audience_labels.all()],
        },
        "languages": [language.code for language in opportunity.languages.all()],
        "cost": {
            "free": opportunity.is_free,
            "price": opportunity.price,
            "reduced_price": opportunity.reduced_price,
            "reduced_price_conditions": text(
                opportunity.reduced_price_conditions_fr, opportunity.reduced_price_conditions_en
            ),
        },
        "mode": opportunity.mode,
        "venue_id": opportunity.venue_id,
        "online_url": opportunity.online_url,
        "organisation_id": opportunity.organisation_id,
        "capacity": opportunity.capacity,
        "registration_required": opportunity.registration_required,
        "booked_as_series": opportunity.booked_as_series,
        "credential": text(opportunity.credential_fr, opportunity.credential_en),
        "last_verified": opportunity.last_verified,
        "updated_at": opportunity.updated_at,
        "url": absolute(reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug])),
    }


def with_relations(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Prefetch what opportunity_data reads, so a page costs a fixed number of queries."""
    return queryset.select_related("city").prefetch_related(
        Prefetch("building_blocks", queryset=BuildingBlock.objects.only("code")),
        Prefetch("topics", queryset=Topic.objects.only("code")),
        "audience_labels",
        "languages",
    )


class OpportunityFilterParams(Schema):
    """Filters of the opportunity list."""

    text: str = Field("", max_length=200, description="Words in the title or description")
    building_block: str = Field("", max_length=64, description="Building block code")
    kind: Kind | None = None
    age: int | None = Field(None, ge=0, le=120, description="Only what admits this age")
    free: bool = False
    mode: Mode | None = None
    district: str = Field("", max_length=32, description="District code of the venue")
    language: str = Field("", max_length=3)
    organisation: int | None = Field(None, ge=1)
    venue: int | None = Field(None, ge=1)
    upcoming: bool = Field(False, description="Only those with a session still to come")


@router.get("/opportunities", response={200: PageSchema[OpportunitySchema], **ERRORS}, summary="List opportunities")
def list_opportunities(
    request: HttpRequest, filters: Query[OpportunityFilterParams], page: Query[PageParams]
) -> dict[str, Any]:
    """Published learning opportunities, newest first."""
    queryset = selectors.opportunity_list(
        filters=selectors.OpportunityFilters(
            text=filters.text,
            building_block=filters.building_block,
            kind=filters.kind or "",
            age=filters.age,
            free=filters.free,
            mode=filters.mode or "",
            district=filters.district,
            language=filters.language,
            organisation_id=filters.organisation,
            venue_id=filters.venue,
            upcoming=filters.upcoming,
        )
    )
    return paginate(with_relations(queryset), page, opportunity_data)


@router.get(
    "/opportunities/{opportunity_id}", response={200: OpportunityDetailSchema, **ERRORS}, summary="One opportunity"
)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> dict[str, Any]:
    """A published opportunity with its provider, venue and upcoming sessions."""
    queryset = with_relations(
        Opportunity.objects.published().select_related("organisation__city", "venue__city", "venue__district")
    )
    opportunity = get_object_or_404(queryset, pk=opportunity_id)
    data = opportunity_data(opportunity)
    data["organisation"] = organisation_data(opportunity.organisation)
    data["venue"] = venue_data(opportunity.venue) if opportunity.venue else None
    data["upcoming_sessions"] = [session_data(s) for s in selectors.upcoming_sessions(opportunity)]
    return data


class SessionFilterParams(Schema):
    """Filters of the session list."""

    opportunity: int | None = Field(None, ge=1)
    starts_after: str | None = Field(None, description="ISO 8601 date or date-time; default: now")
    starts_before: str | None = Field(None, description="ISO 8601 date or date-time")


def parse_moment(value: str, field: str) -> Any:
    """An ISO date or date-time, made aware in the server's time zone."""
    from datetime import datetime

    from ninja.errors import ValidationError as NinjaValidationError

    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise NinjaValidationError(
            [{"loc": ["query", field], "msg": "Use an ISO 8601 date or date-time, e.g. 2026-12-01"}]
        ) from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@router.get("/sessions", response={200: PageSchema[SessionSchema], **ERRORS}, summary="List sessions")
def list_sessions(request: HttpRequest, filters: Query[SessionFilterParams], page: Query[PageParams]) -> dict[str, Any]:
    """Sessions of published opportunities, soonest first."""
    queryset = Session.objects.filter(opportunity__status="published").order_by("start", "id")
    after = parse_moment(filters.starts_after, "starts_after") if filters.starts_after else timezone.now()
    queryset = queryset.filter(start__gte=after)
    if filters.starts_before:
        queryset = queryset.filter(start__lt=parse_moment(filters.starts_before, "starts_before"))
    if filters.opportunity:
        queryset = queryset.filter(opportunity_id=filters.opportunity)
    return paginate(queryset, page, session_data)


class OrganisationFilterParams(Schema):
    """Filters of the organisation list."""

    sector: Sector | None = None
    type: OrganisationType | None = None


@router.get("/organisations", response={200: PageSchema[OrganisationSchema], **ERRORS}, summary="List organisations")
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilterParams], page: Query[PageParams]
) -> dict[str, Any]:
    """Providers of learning, by name."""
    queryset = Organisation.objects.select_related("city").order_by("name", "id")
    if filters.sector:
        queryset = queryset.filter(sector=filters.sector)
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    return paginate(queryset, page, organisation_data)


@router.get(
    "/organisations/{organisation_id}", response={200: OrganisationSchema, **ERRORS}, summary="One organisation"
)
def get_organisation(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """A provider of learning."""
    return organisation_data(get_object_or_404(Organisation.objects.select_related("city"), pk=organisation_id))


class VenueFilterParams(Schema):
    """Filters of the venue list."""

    district: str = Field("", max_length=32, description="District code")


@router.get("/venues", response={200: PageSchema[VenueSchema], **ERRORS}, summary="List venues")
def list_venues(request: HttpRequest, filters: Query[VenueFilterParams], page: Query[PageParams]) -> dict[str, Any]:
    """Places of learning, by name."""
    queryset = Venue.objects.select_related("city", "district").order_by("name", "id")
    if filters.district:
        queryset = queryset.filter(district__code=filters.district)
    return paginate(queryset, page, venue_data)


@router.get("/venues/{venue_id}", response={200: VenueSchema, **ERRORS}, summary="One venue")
def get_venue(request: HttpRequest, venue_id: int) -> dict[str, Any]:
    """A place of learning."""
    return venue_data(get_object_or_404(Venue.objects.select_related("city", "district"), pk=venue_id))


def district_data(district: District) -> dict[str, Any]:
    """A district as the API shows it (population annotated)."""
    return {
        "id": district.pk,
        "city": district.city.slug,
        "code": district.code,
        "name": district.name,
        "population": int(getattr(district, "total_population", 0) or 0),
        "boundary": district.boundary,
    }


def districts() -> QuerySet[District]:
    """Districts with their total population."""
    return District.objects.select_related("city").annotate(total_population=Sum("population_counts__count"))


@router.get("/districts", response={200: PageSchema[DistrictSchema], **ERRORS}, summary="List districts")
def list_districts(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Districts of the city, by code."""
    return paginate(districts().order_by("city_id", "code"), page, district_data)


@router.get("/districts/{district_id}", response={200: DistrictSchema, **ERRORS}, summary="One district")
def get_district(request: HttpRequest, district_id: int) -> dict[str, Any]:
    """A district with its population."""
    return district_data(get_object_or_404(districts(), pk=district_id))


@router.get("/building-blocks", response=list[CodeNameSchema], summary="UNESCO building blocks")
def list_building_blocks(request: HttpRequest) -> list[dict[str, Any]]:
    """The six building blocks of a learning city."""
    return [{"code": b.code, "name": text(b.name_fr, b.name_en)} for b in BuildingBlock.objects.all()]


@router.get("/topics", response=list[CodeNameSchema], summary="Topics")
def list_topics(request: HttpRequest) -> list[dict[str, Any]]:
    """The topic taxonomy."""
    return [{"code": t.code, "name": text(t.name_fr, t.name_en)} for t in Topic.objects.all()]

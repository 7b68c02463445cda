"""Open Referral HSDS 3.0 read API under /api/v1/hsds/ (the profile's paths, `Page` shape and filters).

Open data: the published listings of the city this instance serves, the same for everyone (drafts
and listings of other cities answer 404, whoever asks). Objects are built by `interop.hsds`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from math import ceil
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from learningcity.catalogue import selectors
from learningcity.catalogue.models import City, Opportunity, Organisation
from learningcity.catalogue.schemas import ErrorSchema
from learningcity.interop import hsds
from learningcity.interop.formats.hsds import (
    BUILDING_BLOCKS_TAXONOMY_ID,
    HSDS_VERSION,
    TOPICS_TAXONOMY_ID,
)

router = Router(tags=["hsds"])
ERRORS: dict[int, Any] = {400: ErrorSchema, 404: ErrorSchema}
HSDS_OPENAPI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
T = TypeVar("T")


# Schemas (HSDS 3.0 objects; absent fields are omitted, never null) ------------------------------------


class HsdsTaxonomySchema(Schema):
    """A taxonomy whose terms classify services."""

    id: str
    name: str
    description: str
    uri: str | None = None
    version: str | None = None


class HsdsTaxonomyTermSchema(Schema):
    """A term of a taxonomy (a topic or a UNESCO building block)."""

    id: str
    code: str | None = None
    name: str
    description: str
    parent_id: str | None = None
    taxonomy: str | None = None
    taxonomy_id: str | None = None
    language: str | None = None
    term_uri: str | None = None
    taxonomy_detail: HsdsTaxonomySchema | None = None


class HsdsAttributeSchema(Schema):
    """A link from a service to a taxonomy term."""

    id: str
    link_id: str | None = None
    taxonomy_term_id: str | None = None
    link_type: str | None = None
    link_entity: str | None = None
    value: str | None = Field(None, description="For a topic: its Formacode")
    taxonomy_term: HsdsTaxonomyTermSchema | None = None


class HsdsLanguageSchema(Schema):
    """A language the service is given in (ISO 639-1 code)."""

    id: str
    service_id: str | None = None
    name: str | None = None
    code: str | None = None


class HsdsCostOptionSchema(Schema):
    """A price (in euros; an amount of 0 means free of charge)."""

    id: str
    service_id: str | None = None
    option: str | None = None
    currency: str | None = None
    amount: float | None = None


class HsdsScheduleSchema(Schema):
    """When the service happens: one dated session, or a WEEKLY/MONTHLY rule (RFC 5545)."""

    id: str
    service_id: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    dtstart: str | None = None
    timezone: float | None = Field(
        None, description="UTC offset in hours on the first day (local times are wall-clock)"
    )
    until: str | None = None
    wkst: str | None = None
    freq: str | None = None
    interval: int | None = None
    byday: str | None = None
    bymonthday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None


class HsdsPhoneSchema(Schema):
    """A telephone number."""

    id: str
    organization_id: str | None = None
    number: str


class HsdsAddressSchema(Schema):
    """The street address of a location."""

    id: str
    location_id: str | None = None
    address_1: str
    city: str
    state_province: str
    postal_code: str
    country: str
    address_type: str


class HsdsAccessibilitySchema(Schema):
    """An accessibility feature of a location."""

    id: str
    location_id: str | None = None
    description: str | None = None


class HsdsOrganizationIdentifierSchema(Schema):
    """A registration number (SIRET)."""

    id: str
    organization_id: str | None = None
    identifier_type: str
    identifier: str


class HsdsLocationSchema(Schema):
    """A venue (physical, with its address) or an online link (virtual)."""

    id: str
    location_type: str
    url: str | None = None
    organization_id: str | None = None
    name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    addresses: list[HsdsAddressSchema] | None = None
    accessibility: list[HsdsAccessibilitySchema] | None = None


class HsdsOrganizationSchema(Schema):
    """A provider of learning."""

    id: str
    name: str
    description: str
    email: str | None = None
    website: str | None = None


class HsdsServiceSchema(Schema):
    """A learning opportunity; nested lists only in the full form."""

    id: str
    organization_id: str | None = None
    name: str
    alternate_name: str | None = Field(None, description="The English title")
    description: str | None = None
    url: str | None = None
    status: str
    application_process: str | None = None
    fees_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    assured_date: str | None = Field(None, description="Last confirmed by its provider")
    last_modified: str | None = None
    organization: HsdsOrganizationSchema | None = None
    service_at_locations: list[HsdsServiceAtLocationSchema] | None = None
    schedules: list[HsdsScheduleSchema] | None = None
    languages: list[HsdsLanguageSchema] | None = None
    cost_options: list[HsdsCostOptionSchema] | None = None
    attributes: list[HsdsAttributeSchema] | None = None


class HsdsServiceAtLocationSchema(Schema):
    """A service at one of its locations."""

    id: str
    service_id: str | None = None
    location_id: str | None = None
    location: HsdsLocationSchema | None = None
    service: HsdsServiceSchema | None = None
    schedules: list[HsdsScheduleSchema] | None = None


class HsdsOrganizationFullSchema(HsdsOrganizationSchema):
    """A provider with its phones, identifiers, locations and services."""

    phones: list[HsdsPhoneSchema] | None = None
    organization_identifiers: list[HsdsOrganizationIdentifierSchema] | None = None
    locations: list[HsdsLocationSchema] | None = None
    services: list[HsdsServiceSchema] | None = None


HsdsServiceSchema.model_rebuild()


class HsdsPageSchema(Schema, Generic[T]):
    """The HSDS `Page`: one page of results and where it stands."""

    total_items: int
    total_pages: int
    page_number: int
    size: int = Field(description="Items on this page")
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[T]


class HsdsApiInfoSchema(Schema):
    """What this API is."""

    version: str
    profile: str
    openapi_url: str


# Parameters ------------------------------------------------------------------------------------------


class HsdsPageParams(Schema):
    """HSDS pagination."""

    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1")
    per_page: int = Field(50, ge=1, le=100, description="Items per page (at most 100)")


class HsdsServiceFilterParams(Schema):
    """Filters of the service list."""

    search: str = Field("", max_length=200, description="Words in the title or description")
    taxonomy_term_id: str = Field("", max_length=64, description="Only services with this term")
    taxonomy_id: str = Field("", max_length=64, description="Only services with a term of this taxonomy")
    organization_id: str = Field("", max_length=64, description="Only services of this organization")
    modified_after: datetime | None = Field(None, description="Only services modified at or after this moment")
    full: bool = Field(False, description="Fully nested services")


class HsdsServiceAtLocationFilterParams(HsdsServiceFilterParams):
    """Filters of the service_at_location list."""

    postcode: str = Field("", max_length=16, description="Only locations with this postcode")


class HsdsOrganizationParams(Schema):
    """Filters of the organization list."""

    search: str = Field("", max_length=200, description="Words in the name")
    full: bool = Field(False, description="With phones, identifiers, locations and services")
    full_service: bool = Field(False, description="With fully nested services")


class HsdsTermFilterParams(Schema):
    """Filters of the taxonomy term list."""

    search: str = Field("", max_length=200, description="Words in the name or description")
    taxonomy_id: str = Field("", max_length=64)
    parent_id: str = Field("", max_length=64, description="Only children of this term")
    top_only: bool = Field(False, description="Only terms without a parent")


class HsdsSearchParams(Schema):
    """Search in names."""

    search: str = Field("", max_length=200)


# Helpers ---------------------------------------------------------------------------------------------


def paginate(
    items: QuerySet[Any] | Sequence[Any], page: HsdsPageParams, serialize: Callable[[Any], Any]
) -> dict[str, Any]:
    """The HSDS `Page` of `items`."""
    size = min(page.per_page, settings.API_PAGE_SIZE_MAX)
    total = items.count() if isinstance(items, QuerySet) else len(items)
    start = (page.page - 1) * size
    contents = [serialize(item) for item in items[start : start + size]]
    total_pages = ceil(total / size)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page.page,
        "size": len(contents),
        "first_page": page.page == 1,
        "last_page": page.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def services(filters: HsdsServiceFilterParams) -> QuerySet[Opportunity]:
    """Published listings of the current city, filtered as the HSDS profile says."""
    city = selectors.current_city()
    queryset = hsds.published_services(city)
    if filters.search:
        found = selectors.opportunity_list(filters=selectors.OpportunityFilters(text=filters.search), city=city)
        queryset = queryset.filter(pk__in=found.values("pk"))
    if filters.organization_id:
        organisation_id = hsds.find_pk("organisation", filters.organization_id)
        queryset = queryset.filter(organisation_id=organisation_id) if organisation_id else queryset.none()
    if filters.taxonomy_term_id:
        queryset = queryset.filter(_term_condition(filters.taxonomy_term_id))
    if filters.taxonomy_id:
        queryset = queryset.filter(_taxonomy_condition(filters.taxonomy_id))
    if filters.modified_after:
        moment = filters.modified_after
        queryset = queryset.filter(updated_at__gte=moment if timezone.is_aware(moment) else timezone.make_aware(moment))
    return queryset


def _term_condition(term_id: str) -> Q:
    found = hsds.find_term(term_id)
    if found is None:
        return Q(pk__in=[])
    kind, pk = found
    if kind == "topic":
        return Q(Exists(Opportunity.topics.through.objects.filter(opportunity_id=OuterRef("pk"), topic_id=pk)))
    links = Opportunity.building_blocks.through.objects.filter(opportunity_id=OuterRef("pk"), buildingblock_id=pk)
    return Q(Exists(links))


def _taxonomy_condition(taxonomy_id: str) -> Q:
    if taxonomy_id == TOPICS_TAXONOMY_ID:
        return Q(Exists(Opportunity.topics.through.objects.filter(opportunity_id=OuterRef("pk"))))
    if taxonomy_id == BUILDING_BLOCKS_TAXONOMY_ID:
        return Q(Exists(Opportunity.building_blocks.through.objects.filter(opportunity_id=OuterRef("pk"))))
    return Q(pk__in=[])


def _one(queryset: QuerySet[Any], pk: int | None) -> Any:
    """The object with this pk in the queryset, or 404 in the API's error shape."""
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


# Endpoints -------------------------------------------------------------------------------------------


@router.get("/", response=HsdsApiInfoSchema, summary="About this HSDS API")
def api_info(request: HttpRequest) -> dict[str, Any]:
    """The HSDS version this API follows and where its OpenAPI document is."""
    return {
        "version": HSDS_VERSION,
        "profile": "https://docs.openreferral.org/en/3.0/",
        "openapi_url": f"{settings.SITE_URL}/api/v1/openapi.json",
    }


@router.get(
    "/services", response={200: HsdsPageSchema[HsdsServiceSchema], **ERRORS}, exclude_none=True, summary="Services"
)
def list_services(
    request: HttpRequest, filters: Query[HsdsServiceFilterParams], page: Query[HsdsPageParams]
) -> dict[str, Any]:
    """Published learning opportunities as HSDS services, by id (with `full`, fully nested)."""
    return paginate(services(filters), page, lambda item: hsds.service_object(item, full=filters.full))


@router.get("/services/{id}", response={200: HsdsServiceSchema, **ERRORS}, exclude_none=True, summary="One service")
def get_service(request: HttpRequest, id: str) -> dict[str, Any]:
    """A fully nested service."""
    city = selectors.current_city()
    return hsds.service_object(_one(hsds.published_services(city), hsds.find_pk("opportunity", id)), full=True)


def _organisations(city: City | None, *, with_services: bool, full_service: bool) -> QuerySet[Organisation]:
    """Providers with published listings, with those listings when they are shown."""
    queryset = hsds.hsds_organisations(city)
    if not with_services:
        return queryset
    services = hsds.published_services(city)
    if not full_service:
        services = services.prefetch_related(None)  # one-to-one fields only: no nested lists to fetch
    return queryset.prefetch_related(Prefetch("opportunities", queryset=services, to_attr="hsds_services"))


def _organization(organisation: Organisation, *, full: bool, full_service: bool) -> dict[str, Any]:
    data = hsds.organization_object(organisation, full=full or full_service)
    if full or full_service:
        data["services"] = [hsds.service_object(item, full=full_service) for item in organisation.hsds_services]  # type: ignore[attr-defined]
    return data


@router.get(
    "/organizations",
    response={200: HsdsPageSchema[HsdsOrganizationFullSchema], **ERRORS},
    exclude_none=True,
    summary="Organizations",
)
def list_organizations(
    request: HttpRequest, filters: Query[HsdsOrganizationParams], page: Query[HsdsPageParams]
) -> dict[str, Any]:
    """Providers with published listings, by name."""
    with_services = filters.full or filters.full_service
    queryset = _organisations(selectors.current_city(), with_services=with_services, full_service=filters.full_service)
    if filters.search:
        queryset = queryset.filter(name__icontains=filters.search)
    return paginate(
        queryset, page, lambda item: _organization(item, full=filters.full, full_service=filters.full_service)
    )


@router.get(
    "/organizations/{id}",
    response={200: HsdsOrganizationFullSchema, **ERRORS},
    exclude_none=True,
    summary="One organization",
)
def get_organization(request: HttpRequest, id: str, full_service: bool = False) -> dict[str, Any]:
    """A provider with its phones, identifiers, locations and services (fully nested with `full_service`)."""
    queryset = _organisations(selectors.current_city(), with_services=True, full_service=full_service)
    organisation = _one(queryset, hsds.find_pk("organisation", id))
    return _organization(organisation, full=True, full_service=full_service)


# Services at locations -------------------------------------------------------------------------------


class LinkList(Sequence[tuple[str, Opportunity]]):
    """The service_at_locations of the filtered listings: every venue link, then every online link.

    Two querysets side by side, so that a page is two sliced queries and counting is two COUNTs.
    """

    def __init__(self, venue: QuerySet[Opportunity], online: QuerySet[Opportunity]) -> None:
        self.parts = [("venue", venue), ("online", online)]
        self.sizes = [part.count() for _which, part in self.parts]

    def __len__(self) -> int:
        return sum(self.sizes)

    def __getitem__(self, index: Any) -> Any:
        assert isinstance(index, slice), "pages are slices"
        start, stop = index.start or 0, index.stop
        found: list[tuple[str, Opportunity]] = []
        for (which, part), size in zip(self.parts, self.sizes, strict=True):
            if stop > start and start < size:
                found.extend((which, item) for item in part[start : min(stop, size)])
            start, stop = max(0, start - size), max(0, stop - size)
        return found


def _link(which: str, opportunity: Opportunity, *, full: bool) -> dict[str, Any] | None:
    """A service_at_location with its location and its service (fully nested with `full`)."""
    link = hsds.venue_link(opportunity, full=full) if which == "venue" else hsds.online_link(opportunity)
    if link is None:
        return None
    service = hsds.service_object(opportunity, full=full)
    if full:
        service.pop("service_at_locations")
        link["schedules"] = service["schedules"]
    return link | {"service": service}


@router.get(
    "/service_at_locations",
    response={200: HsdsPageSchema[HsdsServiceAtLocationSchema], **ERRORS},
    exclude_none=True,
    summary="Services at locations",
)
def list_service_at_locations(
    request: HttpRequest, filters: Query[HsdsServiceAtLocationFilterParams], page: Query[HsdsPageParams]
) -> dict[str, Any]:
    """Each published listing at its venue, then each one online (with `full`, fully nested)."""
    queryset = services(filters)
    venue = queryset.filter(venue__isnull=False).exclude(mode="online")
    online = queryset.exclude(online_url="").exclude(mode="on_site")
    if filters.postcode:
        venue, online = venue.filter(venue__postcode=filters.postcode), online.none()
    return paginate(LinkList(venue, online), page, lambda pair: _link(*pair, full=filters.full))


@router.get(
    "/service_at_locations/{id}",
    response={200: HsdsServiceAtLocationSchema, **ERRORS},
    exclude_none=True,
    summary="One service at a location",
)
def get_service_at_location(request: HttpRequest, id: str) -> dict[str, Any]:
    """A fully nested service_at_location."""
    queryset = hsds.published_services(selectors.current_city())
    for which in ("venue", "online"):
        pk = hsds.find_pk(f"opportunity_{which}", id)
        opportunity = queryset.filter(pk=pk).first() if pk is not None else None
        link = _link(which, opportunity, full=True) if opportunity else None
        if link is not None:
            return link
    raise Http404


# Taxonomies ------------------------------------------------------------------------------------------


def _matches(words: str, *texts: Any) -> bool:
    """Whether every word is in one of the texts (case-insensitive)."""
    haystack = " ".join(str(text or "") for text in texts).casefold()
    return all(word in haystack for word in words.casefold().split())


@router.get(
    "/taxonomies", response={200: HsdsPageSchema[HsdsTaxonomySchema], **ERRORS}, exclude_none=True, summary="Taxonomies"
)
def list_taxonomies(
    request: HttpRequest, filters: Query[HsdsSearchParams], page: Query[HsdsPageParams]
) -> dict[str, Any]:
    """The learning topics (with their Formacodes) and UNESCO's building blocks."""
    found = [item for item in hsds.taxonomy_objects() if _matches(filters.search, item["name"], item["description"])]
    return paginate(found, page, lambda item: item)


@router.get("/taxonomies/{id}", response={200: HsdsTaxonomySchema, **ERRORS}, exclude_none=True, summary="One taxonomy")
def get_taxonomy(request: HttpRequest, id: str) -> dict[str, Any]:
    """One taxonomy."""
    taxonomy = hsds.taxonomy_object(id)
    if taxonomy is None:
        raise Http404
    return taxonomy


@router.get(
    "/taxonomy_terms",
    response={200: HsdsPageSchema[HsdsTaxonomyTermSchema], **ERRORS},
    exclude_none=True,
    summary="Terms",
)
def list_taxonomy_terms(
    request: HttpRequest, filters: Query[HsdsTermFilterParams], page: Query[HsdsPageParams]
) -> dict[str, Any]:
    """Building blocks in their order, then topics by code."""
    terms = [
        term
        for term in hsds.taxonomy_terms()
        if _matches(filters.search, term["name"], term["description"], term.get("code"))
        and (not filters.taxonomy_id or term.get("taxonomy_id") == filters.taxonomy_id)
        and (not filters.parent_id or term.get("parent_id") == filters.parent_id)
        and (not filters.top_only or "parent_id" not in term)
    ]
    return paginate(terms, page, lambda term: term)


@router.get(
    "/taxonomy_terms/{id}", response={200: HsdsTaxonomyTermSchema, **ERRORS}, exclude_none=True, summary="One term"
)
def get_taxonomy_term(request: HttpRequest, id: str) -> dict[str, Any]:
    """One term, with its taxonomy."""
    term = next((term for term in hsds.taxonomy_terms(detail=True) if term["id"] == id), None)
    if term is None:
        raise Http404
    return term

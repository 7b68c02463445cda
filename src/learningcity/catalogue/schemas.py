"""API schemas of the catalogue (the OpenAPI document is generated from these)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


class LocalizedTextSchema(Schema):
    """The same text in French and English; either may be empty."""

    fr: str
    en: str


class PageSchema(Schema, Generic[T]):
    """A page of results with the total count."""

    count: int = Field(description="Total number of matching items")
    limit: int
    offset: int
    results: list[T]


class CodeNameSchema(Schema):
    """A coded vocabulary entry with its names."""

    code: str
    name: LocalizedTextSchema


class DistrictSchema(Schema):
    """A district of the city."""

    id: int
    city: str = Field(description="Slug of the city")
    code: str
    name: str
    population: int
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON geometry (WGS84)")


class OrganisationSchema(Schema):
    """A provider of learning."""

    id: int
    city: str
    name: str
    sector: str
    type: str
    description: LocalizedTextSchema
    email: str
    phone: str
    website: str
    siret: str
    verified: bool
    url: str = Field(description="Public page")


class AccessibilitySchema(Schema):
    """Accessibility features of a venue."""

    step_free_access: bool
    accessible_toilets: bool
    hearing_loop: bool
    sign_language: bool
    easy_read: bool


class VenueSchema(Schema):
    """A place of learning."""

    id: int
    city: str
    name: str
    address: str
    postcode: str
    latitude: float
    longitude: float
    district: str | None = Field(None, description="District code")
    opening_hours: str
    accessibility: AccessibilitySchema
    organisation_id: int | None
    url: str


class SessionSchema(Schema):
    """A dated occurrence of an opportunity."""

    id: int
    opportunity_id: int
    start: datetime
    end: datetime
    time_zone: str
    capacity: int | None
    series: str = Field(description="Sessions of one series share this key")


class CostSchema(Schema):
    """What it costs."""

    free: bool
    price: Decimal | None
    reduced_price: Decimal | None
    reduced_price_conditions: LocalizedTextSchema
    currency: str = "EUR"


class AudienceSchema(Schema):
    """Who it is for."""

    age_min: int
    age_max: int
    labels: list[str]


class OpportunitySchema(Schema):
    """A published learning opportunity."""

    id: int
    city: str
    title: LocalizedTextSchema
    description: LocalizedTextSchema
    kind: str
    building_blocks: list[str]
    topics: list[str]
    audience: AudienceSchema
    languages: list[str]
    cost: CostSchema
    mode: str
    venue_id: int | None
    online_url: str
    organisation_id: int
    capacity: int | None
    registration_required: bool
    booked_as_series: bool
    credential: LocalizedTextSchema
    last_verified: date | None
    updated_at: datetime
    url: str


class OpportunityDetailSchema(OpportunitySchema):
    """An opportunity with its provider, venue and next sessions."""

    organisation: OrganisationSchema
    venue: VenueSchema | None
    upcoming_sessions: list[SessionSchema]


class ErrorDetailSchema(Schema):
    """One problem with the request."""

    field: str | None
    message: str


class ErrorBodySchema(Schema):
    """What went wrong."""

    status: int
    code: str
    message: str
    details: list[ErrorDetailSchema]


class ErrorSchema(Schema):
    """The one error shape of the API."""

    error: ErrorBodySchema

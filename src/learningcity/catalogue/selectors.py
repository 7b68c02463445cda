"""Reads of the catalogue shared by the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from learningcity.catalogue.models import City, Opportunity, Session, Status


@dataclass(frozen=True)
class OpportunityFilters:
    """What a resident can narrow the catalogue by (full search comes with the search app)."""

    text: str = ""
    building_block: str = ""
    kind: str = ""
    age: int | None = None
    free: bool = False
    mode: str = ""
    district: str = ""
    language: str = ""
    organisation_id: int | None = None
    venue_id: int | None = None
    upcoming: bool = False


def current_city() -> City | None:
    """The city this instance serves by default (the first one, or CITY_SLUG)."""
    from django.conf import settings

    cities = City.objects.order_by("id")
    if settings.CITY_SLUG:
        cities = cities.filter(slug=settings.CITY_SLUG)
    return cities.first()


def opportunity_list(*, filters: OpportunityFilters, city: City | None = None) -> QuerySet[Opportunity]:
    """Published opportunities matching the filters, newest first."""
    queryset = Opportunity.objects.published().select_related("organisation", "venue", "venue__district")
    if city is not None:
        queryset = queryset.filter(city=city)
    conditions: list[Any] = []
    if filters.text:
        for word in filters.text.split()[:8]:
            conditions.append(
                Q(title_fr__icontains=word)
                | Q(title_en__icontains=word)
                | Q(description_fr__icontains=word)
                | Q(description_en__icontains=word)
            )
    if filters.building_block:
        conditions.append(Q(building_blocks__code=filters.building_block))
    if filters.kind:
        conditions.append(Q(kind=filters.kind))
    if filters.age is not None:
        conditions.append(Q(age_min__lte=filters.age, age_max__gte=filters.age))
    if filters.free:
        conditions.append(Q(is_free=True))
    if filters.mode:
        conditions.append(Q(mode=filters.mode))
    if filters.district:
        conditions.append(Q(venue__district__code=filters.district))
    if filters.language:
        conditions.append(Q(languages__code=filters.language))
    if filters.organisation_id is not None:
        conditions.append(Q(organisation_id=filters.organisation_id))
    if filters.venue_id is not None:
        conditions.append(Q(venue_id=filters.venue_id))
    if filters.upcoming:
        upcoming = Session.objects.filter(opportunity=OuterRef("pk"), start__gte=timezone.now())
        conditions.append(Exists(upcoming))
    for condition in conditions:
        queryset = queryset.filter(condition)
    return queryset.distinct() if filters.building_block or filters.language else queryset


def upcoming_sessions(opportunity: Opportunity, *, limit: int = 20) -> QuerySet[Session]:
    """The next sessions of an opportunity."""
    return opportunity.sessions.filter(end__gte=timezone.now()).order_by("start")[:limit]


def review_queue(*, city_ids: list[int] | None) -> QuerySet[Opportunity]:
    """Listings waiting for a coordinator, oldest first; `None` means every city (admins)."""
    queryset = Opportunity.objects.filter(status=Status.PENDING).select_related("organisation")
    if city_ids is not None:
        queryset = queryset.filter(city_id__in=city_ids)
    return queryset.order_by("updated_at")


def provider_opportunities(*, organisation_ids: set[int]) -> QuerySet[Opportunity]:
    """Every listing of the given organisations, whatever its status."""
    return (
        Opportunity.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation")
        .order_by("-updated_at")
    )

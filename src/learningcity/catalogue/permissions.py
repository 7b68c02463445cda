"""Who may see and change what in the catalogue."""

from __future__ import annotations

from typing import Any

from learningcity.catalogue.models import City, Opportunity, Organisation, Status


def is_coordinator_of(user: Any, city_id: int) -> bool:
    """Coordinates this city, or is an admin."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.coordinated_cities.filter(pk=city_id).exists())


def coordinated_city(user: Any, *, refusal: str) -> City:
    """The instance's city, for one of its coordinators; 404 without a city, 403 (`refusal`) for others."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from learningcity.catalogue.selectors import current_city

    city = current_city()
    if city is None:
        raise Http404
    if not is_coordinator_of(user, city.pk):
        raise PermissionDenied(refusal)
    return city


def is_staff_of(user: Any, organisation: Organisation | int) -> bool:
    """Works for this organisation."""
    if not user.is_authenticated:
        return False
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return bool(user.memberships.filter(organisation_id=organisation_id).exists())


def can_view_opportunity(user: Any, opportunity: Opportunity) -> bool:
    """Published listings are public; others only for their provider and the city's coordinators."""
    if opportunity.status == Status.PUBLISHED:
        return True
    return is_staff_of(user, opportunity.organisation_id) or is_coordinator_of(user, opportunity.city_id)


def can_edit_opportunity(user: Any, opportunity: Opportunity) -> bool:
    """Providers edit their own non-archived listings."""
    return opportunity.status != Status.ARCHIVED and is_staff_of(user, opportunity.organisation_id)


def can_review_opportunity(user: Any, opportunity: Opportunity) -> bool:
    """Coordinators review, publish and archive in their city."""
    return is_coordinator_of(user, opportunity.city_id)

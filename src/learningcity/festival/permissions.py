"""Who may run a festival and who may submit events to it."""

from __future__ import annotations

from typing import Any

from learningcity.catalogue.models import Organisation
from learningcity.catalogue.permissions import is_coordinator_of, is_staff_of
from learningcity.festival.models import Festival


def can_manage_festival(user: Any, festival: Festival) -> bool:
    """Only the coordinators of the festival's city (and admins) run it."""
    return is_coordinator_of(user, festival.city_id)


def can_open_festival(user: Any, city_id: int) -> bool:
    """Coordinators open festivals in the cities they coordinate."""
    return is_coordinator_of(user, city_id)


def can_submit_for(user: Any, festival: Festival, organisation: Organisation) -> bool:
    """Staff of a verified organisation of the festival's city submit events for it."""
    return organisation.verified and organisation.city_id == festival.city_id and is_staff_of(user, organisation)


def submitting_organisations(user: Any, festival: Festival) -> list[Organisation]:
    """The organisations this person may submit events for, by name."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(memberships__user=user, city_id=festival.city_id, verified=True).order_by("name")
    )

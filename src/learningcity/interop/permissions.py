"""Who may import, and see an import: its provider's staff and the city's coordinators."""

from __future__ import annotations

from typing import Any

from learningcity.catalogue.models import Organisation
from learningcity.catalogue.permissions import is_coordinator_of, is_staff_of
from learningcity.interop.models import ImportJob


def can_manage_job(user: Any, job: ImportJob) -> bool:
    """Coordinators of the job's city; staff of the organisation it imports into."""
    if not user.is_authenticated:
        return False
    if is_coordinator_of(user, job.city_id):
        return True
    return job.organisation_id is not None and is_staff_of(user, job.organisation_id)


def importable_organisations(user: Any, city_id: int) -> list[Organisation]:
    """The organisations a user may import listings into (all of the city's for a coordinator)."""
    if not user.is_authenticated:
        return []
    organisations = Organisation.objects.filter(city_id=city_id).order_by("name")
    if is_coordinator_of(user, city_id):
        return list(organisations)
    return list(organisations.filter(memberships__user=user).distinct())


def can_manage_subscription(user: Any, subscription: Any) -> bool:
    """Coordinators of its city; staff of the organisation that follows the calendar."""
    if not user.is_authenticated:
        return False
    return is_coordinator_of(user, subscription.city_id) or is_staff_of(user, subscription.organisation_id)

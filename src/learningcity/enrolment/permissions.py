"""Who may register whom, and who sees and manages a session's registrations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from learningcity.catalogue.models import Opportunity, Organisation
from learningcity.catalogue.permissions import is_coordinator_of, is_staff_of
from learningcity.enrolment.models import Registration


def can_manage_registrations(user: Any, opportunity: Opportunity) -> bool:
    """The provider's staff and the city's coordinators see rosters, take attendance, cancel sessions."""
    return is_staff_of(user, opportunity.organisation_id) or is_coordinator_of(user, opportunity.city_id)


def group_organisations(user: Any, opportunity: Opportunity) -> QuerySet[Organisation]:
    """Organisations of the opportunity's city for which this person may book places for a group."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    # Through `user.memberships`: an API token bound to one organisation shows its owner there only.
    own = user.memberships.values("organisation_id")
    return Organisation.objects.filter(pk__in=own, city_id=opportunity.city_id).order_by("name")


def can_book_for_group(user: Any, opportunity: Opportunity) -> bool:
    """Staff of the provider, or a contact of another organisation of the city (a school, an association)."""
    return group_organisations(user, opportunity).exists()


def owns_registration(user: Any, registration: Registration) -> bool:
    """The account that booked: it cancels, confirms and receives the messages."""
    return bool(user.is_authenticated and registration.user_id == user.pk)

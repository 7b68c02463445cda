"""Who may read the staff access log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from learningcity.privacy.models import StaffAccess


def can_read_access_log(user: Any) -> bool:
    """Coordinators (of their cities) and administrators (of everything)."""
    return bool(user.is_authenticated and (user.is_superuser or user.coordinated_cities.exists()))


def visible_access_log(user: Any) -> QuerySet[StaffAccess]:
    """Entries of the cities the person coordinates; administrators also see instance-wide ones."""
    if user.is_superuser:
        return StaffAccess.objects.all()
    return StaffAccess.objects.filter(Q(city__in=user.coordinated_cities.all()))

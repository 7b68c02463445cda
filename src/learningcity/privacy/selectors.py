"""Reads of the privacy pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from learningcity.privacy.models import StaffAccess
from learningcity.privacy.permissions import visible_access_log


def access_log(*, viewer: Any, staff_email: str = "", subject_email: str = "") -> QuerySet[StaffAccess]:
    """The log the viewer may read, newest first, filtered by staff member and by person concerned."""
    entries = visible_access_log(viewer).select_related("staff", "city")
    if staff_email:
        entries = entries.filter(staff__email__iexact=staff_email)
    if subject_email:
        entries = entries.filter(subjects__email__iexact=subject_email).distinct()
    return entries.order_by("-at", "-id")

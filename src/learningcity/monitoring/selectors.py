"""Reads of the monitoring app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from learningcity.enrolment.models import Registration
from learningcity.monitoring.services import FOLLOW_UP_AFTER


def feedback_due(*, user: Any, limit: int = 10) -> QuerySet[Registration]:
    """Sessions the person attended, that are over, and that they have not rated yet."""
    return (
        Registration.objects.filter(user=user, attended=True, session__end__lt=timezone.now(), feedback__isnull=True)
        .select_related("session__opportunity")
        .order_by("-session__start")[:limit]
    )


def follow_up_due(*, user: Any, limit: int = 10) -> QuerySet[Registration]:
    """Attended sessions, over for four weeks or more, whose outcome the person has not told yet."""
    return (
        Registration.objects.filter(
            user=user, attended=True, session__end__lt=timezone.now() - FOLLOW_UP_AFTER, follow_up__isnull=True
        )
        .select_related("session__opportunity")
        .order_by("-session__start")[:limit]
    )

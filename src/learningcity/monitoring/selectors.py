"""Reads of the monitoring app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.monitoring.services import FOLLOW_UP_EMAIL_WINDOW, follow_up_after


def feedback_due(*, user: Any, limit: int = 10) -> QuerySet[Registration]:
    """Sessions the person attended, that are over, and that they have not rated yet."""
    return (
        Registration.objects.filter(user=user, attended=True, session__end__lt=timezone.now(), feedback__isnull=True)
        .select_related("session__opportunity")
        .order_by("-session__start")[:limit]
    )


def follow_up_due(*, user: Any, limit: int = 10) -> QuerySet[Registration]:
    """Attended sessions whose follow-up question is open and that the person has not answered yet."""
    return (
        Registration.objects.filter(
            user=user, attended=True, session__end__lt=timezone.now() - follow_up_after(), follow_up__isnull=True
        )
        .select_related("session__opportunity")
        .order_by("-session__start")[:limit]
    )


def follow_up_reminders_due(*, now: datetime | None = None, user_id: int | None = None) -> QuerySet[Registration]:
    """Registrations whose follow-up question should be e-mailed now.

    The person attended; the question opened (FOLLOW_UP_AFTER_DAYS after the session ended) less
    than FOLLOW_UP_EMAIL_WINDOW ago; they have not answered it, were not e-mailed about it, and
    have not opted out of these e-mails.
    """
    opened_before = (now or timezone.now()) - follow_up_after()
    due = Registration.objects.filter(
        attended=True, status=RegistrationStatus.CONFIRMED, user__is_active=True,
        session__end__lte=opened_before, session__end__gt=opened_before - FOLLOW_UP_EMAIL_WINDOW,
        follow_up__isnull=True, follow_up_reminder__isnull=True,
    ).exclude(Q(user__reminder_preference__follow_up_emails=False) | Q(user__email=""))  # fmt: skip
    if user_id is not None:
        due = due.filter(user_id=user_id)
    return due.select_related("session__opportunity", "user").order_by("session__start")

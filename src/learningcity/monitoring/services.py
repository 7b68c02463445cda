"""Writes of the monitoring app: learners' feedback and follow-ups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.enrolment.models import Registration
from learningcity.monitoring.models import Feedback, FollowUp

FOLLOW_UP_AFTER = timedelta(days=28)


def _check_attended(registration: Registration, by: Any) -> None:
    if registration.user_id != by.pk:
        raise PermissionDenied(_("This is someone else's registration."))
    if registration.attended is not True:
        raise ValidationError(_("Feedback is open to people who attended the session."))
    if registration.session.end > timezone.now():
        raise ValidationError(_("Feedback opens when the session is over."))


@transaction.atomic
def feedback_give(*, registration: Registration, by: Any, rating: int, comment: str = "") -> Feedback:
    """A learner rates a session they attended, once."""
    _check_attended(registration, by)
    feedback = Feedback(registration=registration, rating=rating, comment=comment.strip())
    feedback.full_clean(exclude=["registration"])
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError as error:
        raise ValidationError(_("You already gave your feedback on this session.")) from error
    return feedback


@transaction.atomic
def follow_up_give(*, registration: Registration, by: Any, outcome: str, comment: str = "") -> FollowUp:
    """Some weeks later, a learner says what the learning led to, once."""
    _check_attended(registration, by)
    if timezone.now() < registration.session.end + FOLLOW_UP_AFTER:
        raise ValidationError(_("The follow-up question opens four weeks after the session."))
    follow_up = FollowUp(registration=registration, outcome=outcome, comment=comment.strip())
    follow_up.full_clean(exclude=["registration"])
    try:
        with transaction.atomic():
            follow_up.save()
    except IntegrityError as error:
        raise ValidationError(_("You already answered this question.")) from error
    return follow_up

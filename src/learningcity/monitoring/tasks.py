"""Background work of the monitoring app, run by the task worker."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from learningcity.monitoring.models import FollowUpReminder
from learningcity.monitoring.selectors import follow_up_reminders_due


@task()
def send_follow_up_reminder(user_id: int) -> int:
    """E-mail a person, in their language, the follow-up question of each session now due; returns sessions asked.

    The reminders are recorded in the same transaction as the sending: if the mail cannot be sent
    nothing is recorded (the next run tries again), and a second run finds nothing left to send.
    """
    user = get_user_model().objects.get(pk=user_id)
    with transaction.atomic():
        due = list(follow_up_reminders_due(user_id=user_id).select_for_update(of=("self",)))
        if not due:
            return 0
        FollowUpReminder.objects.bulk_create([FollowUpReminder(registration=registration) for registration in due])
        with translation.override(user.preferred_language):
            context = {
                "user": user,
                "sessions": [
                    {"title": registration.session.opportunity.title, "start": registration.session.start,
                     "url": settings.SITE_URL + reverse("monitoring:follow-up", args=[registration.pk])}
                    for registration in due
                ],
                "opt_out_url": settings.SITE_URL + reverse("monitoring:reminders"),
            }  # fmt: skip
            subject = render_to_string("monitoring/email/follow_up_subject.txt", context).strip()
            body = render_to_string("monitoring/email/follow_up.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return len(due)

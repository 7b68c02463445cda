"""Background work of the festival, run by the task worker."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from learningcity.festival.models import Submission, SubmissionStatus


@task()
def send_submission_decision(submission_id: int) -> int:
    """Tell the provider's staff, each in their own language, whether their event joins the festival."""
    submission = Submission.objects.select_related("festival", "opportunity__organisation").get(pk=submission_id)
    sent = 0
    for membership in submission.opportunity.organisation.memberships.select_related("user"):
        user = membership.user
        with translation.override(user.preferred_language):
            if submission.status == SubmissionStatus.ACCEPTED:
                path = reverse("festival:programme", args=[submission.festival.slug])
            else:
                path = reverse("festival:submit", args=[submission.festival.slug])
            context = {"submission": submission, "user": user, "url": settings.SITE_URL + path}
            subject = render_to_string("festival/email/decision_subject.txt", context).strip()
            body = render_to_string("festival/email/decision.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent

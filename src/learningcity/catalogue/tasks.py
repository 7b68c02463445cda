"""Background work of the catalogue, run by the task worker."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from learningcity.catalogue.models import Opportunity


@task()
def send_review_outcome(opportunity_id: int) -> int:
    """Tell the provider's staff, each in their own language, what the coordinator decided."""
    opportunity = Opportunity.objects.select_related("organisation").get(pk=opportunity_id)
    sent = 0
    for membership in opportunity.organisation.memberships.select_related("user"):
        user = membership.user
        with translation.override(user.preferred_language):
            context = {
                "opportunity": opportunity,
                "user": user,
                "url": settings.SITE_URL + reverse("catalogue:session-add", args=[opportunity.pk]),
            }
            subject = render_to_string("catalogue/email/review_outcome_subject.txt", context).strip()
            body = render_to_string("catalogue/email/review_outcome.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent

"""Background work of awarding, run by the task worker: telling residents what the issuer decided."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_tasks import task

from learningcity.passport.models import AwardRequest, RequestStatus


def _decision_url(request: AwardRequest) -> str:
    """Where the person reads the outcome: their credential when accepted (if that page exists), else the page."""
    if request.status == RequestStatus.ACCEPTED and request.award is not None:
        try:
            return settings.SITE_URL + reverse("passport:my-credential", args=[request.award.uuid])
        except NoReverseMatch:
            pass
    return settings.SITE_URL + reverse("passport:achievement", args=[request.achievement.uuid])


@task()
def send_request_decision(request_id: int) -> int:
    """E-mail the person who asked for an achievement the issuer's decision, in their language."""
    request = AwardRequest.objects.select_related(
        "achievement__organisation", "achievement__city", "user", "award"
    ).get(pk=request_id)
    user = request.user
    with translation.override(user.preferred_language):
        context = {"request": request, "user": user, "achievement": request.achievement, "url": _decision_url(request)}
        subject = render_to_string("passport/awarding/email/decision_subject.txt", context).strip()
        body = render_to_string("passport/awarding/email/decision.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])

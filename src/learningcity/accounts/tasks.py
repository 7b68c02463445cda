"""Background work for accounts, run by the task worker."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from learningcity.accounts.models import User


@task()
def send_verification_email(user_id: int) -> int:
    """E-mail the link that verifies the person's address, in their language; 0 if already verified."""
    user = User.objects.get(pk=user_id)
    if user.email_verified:
        return 0
    from learningcity.accounts.services import email_verification_token, verification_lifetime

    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "url": settings.SITE_URL + reverse("accounts:verify", args=[email_verification_token(user)]),
            "days": verification_lifetime().days,
        }
        subject = render_to_string("accounts/email/verify_subject.txt", context).strip()
        body = render_to_string("accounts/email/verify.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])

"""Password reset by e-mail: the request (same answer for any address) and the message, sent by the task worker."""

from __future__ import annotations

import hashlib
from functools import partial

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from learningcity.accounts.models import User
from learningcity.throttling import count_request

REQUESTS_PER_HOUR = 3  # per address: enough for a lost message, too few to flood someone's inbox
REQUESTS_PER_CLIENT_PER_HOUR = 20  # per client address: one place cannot send resets to thousands of addresses


def password_reset_request(*, email: str, client: str = "") -> bool:
    """Queue the reset e-mail for `email` after commit; False (and nothing queued) past the hourly limits.

    Whether an account uses the address is decided by the worker, so the page cannot tell.
    """
    address = email.strip().lower()
    if client and count_request("accounts:password-reset-client:" + client, 3600) > REQUESTS_PER_CLIENT_PER_HOUR:
        return False
    hashed = hashlib.sha256(address.encode()).hexdigest()
    if count_request("accounts:password-reset:" + hashed, 3600) > REQUESTS_PER_HOUR:
        return False
    transaction.on_commit(partial(send_password_reset_email.enqueue, address))
    return True


def reset_url(user: User) -> str:
    """The one-use link that lets `user` choose a new password (valid PASSWORD_RESET_TIMEOUT seconds)."""
    arguments = [urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)]
    return settings.SITE_URL + reverse("accounts:password-reset-confirm", args=arguments)


@task()
def send_password_reset_email(email: str) -> int:
    """E-mail a reset link to each active account with that address and a password (none for an unknown one)."""
    sent = 0
    for user in PasswordResetForm().get_users(email):
        with translation.override(user.preferred_language):
            context = {"user": user, "url": reset_url(user), "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
            subject = render_to_string("accounts/email/password_reset_subject.txt", context).strip()
            body = render_to_string("accounts/email/password_reset.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return sent


def after_password_reset(user: User) -> None:
    """A new password lifts any login lockout on the address (the person proved they read its mail)."""
    axes_reset(username=user.email)
    after_password_change(user)


def after_password_change(user: User) -> int:
    """Whoever knew the old password loses what they may have made with it: the account's API tokens are
    revoked and an authenticator being set up is dropped. Returns the number of tokens revoked."""
    from learningcity.accounts.models import ApiToken
    from learningcity.accounts.two_factor import pending_forget

    pending_forget(user)
    return ApiToken.objects.filter(owner=user, revoked_at__isnull=True).update(revoked_at=timezone.now())

"""Writes: making, replacing and revoking the secret address of a resident's private feed."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.calendars.models import FeedToken
from learningcity.calendars.selectors import token_digest

READ_MARK_EVERY = timedelta(hours=1)  # calendars poll often; one write an hour is enough to show "last read"


def _require_person(user: Any) -> None:
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in to manage your calendar address."))


def feed_token_version(feed_token: FeedToken | None) -> str:
    """Which address a page was showing ("" for none): a new one replaces only the one the person saw."""
    return "" if feed_token is None else f"{feed_token.created_at.timestamp():.6f}"


@transaction.atomic
def feed_token_issue(*, user: Any, replacing: str) -> str:
    """Give the person a new secret feed token, replacing the one they saw (`replacing`, its version); returns it.

    The token is returned once and never kept (only its digest is). A form sent twice (a reload) finds
    its address already replaced and changes nothing, so the address the person just copied keeps working.
    """
    _require_person(user)
    current = FeedToken.objects.select_for_update().filter(user=user).first()
    if feed_token_version(current) != replacing:
        raise ValidationError(
            _("Your address changed since this page was shown (was the form sent twice?). It still works."),
            code="stale",
        )
    token = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(
        user=user, defaults={"digest": token_digest(token), "created_at": timezone.now(), "last_read_at": None}
    )
    return token


@transaction.atomic
def feed_token_revoke(*, user: Any) -> bool:
    """Turn the person's private feed off; returns whether there was one."""
    _require_person(user)
    deleted, _details = FeedToken.objects.filter(user=user).delete()
    return deleted > 0


def feed_token_mark_read(*, feed_token: FeedToken) -> None:
    """Note that a calendar read the feed, at most once an hour (the person sees whether the address is in use)."""
    now = timezone.now()
    if feed_token.last_read_at is None or now - feed_token.last_read_at >= READ_MARK_EVERY:
        FeedToken.objects.filter(pk=feed_token.pk).update(last_read_at=now)
        feed_token.last_read_at = now

"""The secret address of a resident's private calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DIGEST_LENGTH = 64  # hexadecimal SHA-256


class FeedToken(models.Model):
    """A resident's private feed token, kept only as its SHA-256 digest: the address is shown once.

    One per person: making a new one replaces the old (which stops working at once); revoking deletes it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token", verbose_name=_("user")
    )
    digest = models.CharField(_("SHA-256 of the token"), max_length=DIGEST_LENGTH, unique=True)
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    last_read_at = models.DateTimeField(_("last read by a calendar"), null=True, blank=True)

    class Meta:
        verbose_name = _("private calendar address")
        verbose_name_plural = _("private calendar addresses")
        constraints = [
            models.CheckConstraint(condition=Exact(Length("digest"), DIGEST_LENGTH), name="feed_token_digest_length"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

"""Curation: asking providers to confirm stale listings, likely duplicates, and merges with provenance.

Imported into `interop.models` so that Django finds these models in the `interop` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import City, Opportunity

__all__ = ["ConfirmationRequest", "DuplicateCandidate", "DuplicateStatus", "MergeRecord"]


class ConfirmationRequest(models.Model):
    """A coordinator asked the provider to confirm that a listing is still accurate."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="confirmation_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("request to confirm a listing")
        verbose_name_plural = _("requests to confirm a listing")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["opportunity", "requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_at__gte=F("requested_at")),
                name="confirmation_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} @ {self.requested_at:%Y-%m-%d}"


class DuplicateStatus(models.TextChoices):
    """What a coordinator decided about a likely duplicate."""

    OPEN = "open", _("To decide")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not a duplicate")


class DuplicateCandidate(models.Model):
    """Two listings of a city that look like the same offer; `a` always has the smaller id."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="duplicate_candidates")
    a = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("title similarity"))
    reasons = models.JSONField(_("why they look alike"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN)
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        ordering = ["-score", "a_id", "b_id"]
        indexes = [models.Index(fields=["city", "status", "score"])]
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=Q(a__lt=F("b")), name="duplicate_pair_ordered"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="duplicate_score_bounded"),
            models.CheckConstraint(
                condition=Q(status=DuplicateStatus.OPEN) | Q(decided_at__isnull=False),
                name="duplicate_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a_id} ~ {self.b_id} ({self.score:.0f})"


class MergeRecord(models.Model):
    """Two listings made one: which was kept, which archived, and where each field's value came from.

    `provenance` maps a field name to `{"value", "from_opportunity", "from_source"}`.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="merge_records")
    kept = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="merge_records")
    removed = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(
        DuplicateCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged"), default=timezone.now)
    provenance = models.JSONField(_("where each field comes from"), default=dict)
    moved_sessions = models.PositiveIntegerField(_("sessions moved"), default=0)
    moved_source_records = models.PositiveIntegerField(_("source records moved"), default=0)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kept=F("removed")), name="merge_of_two_listings"),
        ]

    def __str__(self) -> str:
        return f"{self.removed_id} → {self.kept_id}"

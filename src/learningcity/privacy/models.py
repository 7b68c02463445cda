"""Consents to the privacy notice, erased accounts, and the log of staff looking at people's data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What a person agrees to. The platform sends no marketing: running registrations is its one purpose.

    A guardian's consent to keep a child's learning record is `passport.GuardianConsent`.
    """

    PRIVACY_NOTICE = "privacy_notice", _("Privacy notice: my data is used to run my account and registrations")


class ConsentMethod(models.TextChoices):
    """Where the person gave or withdrew consent."""

    SIGNUP = "signup", _("Sign-up form")
    ACCOUNT = "account", _("Account page")


class ConsentRecord(models.Model):
    """A person agreed to one version of the privacy notice (or another purpose), and maybe withdrew later."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records")
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    notice_version = models.CharField(_("notice version"), max_length=32)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["given_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose", "notice_version"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_once_per_version",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.purpose} {self.notice_version}"

    @property
    def active(self) -> bool:
        """Given and not withdrawn."""
        return self.withdrawn_at is None


class ErasureReason(models.TextChoices):
    """Why an account was erased."""

    SELF_SERVICE = "self_service", _("The person asked for it")
    UNVERIFIED = "unverified", _("E-mail address never confirmed")
    INACTIVE = "inactive", _("Account not used for years")


class Erasure(models.Model):
    """An account that was erased: the row left behind is a pseudonym with no name, address or password.

    It stays so that append-only records (the credit ledger, the staff access log) and the city's
    statistics still point to one person, without saying who.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure")
    reason = models.CharField(_("reason"), max_length=16, choices=ErasureReason.choices)
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)

    class Meta:
        verbose_name = _("erased account")
        verbose_name_plural = _("erased accounts")

    def __str__(self) -> str:
        return f"{self.user.email} ({self.reason})"


class AccessKind(models.TextChoices):
    """Which page showing other people's data a staff member opened."""

    ROSTER = "roster", _("Session roster")
    ROSTER_CSV = "roster_csv", _("Roster downloaded (CSV)")
    IDENTITY_CHECKS = "identity_checks", _("Identity checks (learning credit)")
    CREDIT_APPLICATIONS = "credit_applications", _("Job-seeker declarations (learning credit)")
    CREDIT_ACCOUNT = "credit_account", _("A resident's credit account")
    AWARD_REQUEST = "award_request", _("Achievement request")
    AWARD_EVIDENCE = "award_evidence", _("Evidence of an achievement request")
    ADMIN_PERSON = "admin_person", _("Person's page in the administration")


class StaffAccess(models.Model):
    """A staff member opened a page showing other people's personal data (GDPR art. 5(2), accountability).

    `city` is empty for instance-wide pages (the administration), which only administrators see.
    """

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    city = models.ForeignKey(
        "catalogue.City", verbose_name=_("city"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    what = models.CharField(_("what"), max_length=32, choices=AccessKind.choices)
    subjects = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people concerned"), blank=True, related_name="staff_accesses"
    )
    object_ref = models.CharField(_("object"), max_length=100, blank=True)
    path = models.CharField(_("address"), max_length=500)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("staff access")
        verbose_name_plural = _("staff accesses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["city", "at"]), models.Index(fields=["staff", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.staff} {self.what} {self.object_ref}"

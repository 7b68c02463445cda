"""Learning vouchers: schemes of public credit, residents' accounts and the append-only ledger behind them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import MAX_AGE, localized

CENT = Decimal("0.01")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Rows of a record that is never rewritten: no bulk update or delete through the ORM."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{self.model.__name__} rows are append-only; write a new row instead.")

    def delete(self) -> NoReturn:
        raise TypeError(f"{self.model.__name__} rows are append-only; they are never deleted.")


class AppendOnly(models.Model):
    """A model whose rows are written once (the database also refuses UPDATE, see the migration)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only; write a new row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} rows are append-only; they are never deleted.")


class Scheme(models.Model):
    """A city's learning-voucher scheme: an amount of credit for each eligible resident, within a budget."""

    city = models.ForeignKey("catalogue.City", on_delete=models.PROTECT, related_name="credit_schemes")
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("explanation for residents (French)"), blank=True, max_length=2000)
    description_en = models.TextField(_("explanation for residents (English)"), blank=True, max_length=2000)
    amount = models.DecimalField(
        _("credit per resident (EUR)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    budget = models.DecimalField(
        _("total budget (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    committed = models.DecimalField(
        _("budget committed (EUR)"), max_digits=12, decimal_places=2, default=Decimal(0), editable=False,
        help_text=_("Credit put into residents' accounts by grants and corrections"),
    )  # fmt: skip
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), help_text=_("Credit not used by the end of this day is lost"))
    age_min = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    job_seekers_only = models.BooleanField(_("job seekers only"), default=False)
    districts = models.ManyToManyField(
        "catalogue.District", verbose_name=_("districts"), blank=True, related_name="credit_schemes",
        help_text=_("Leave empty for every district of the city"),
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last modified"), default=timezone.now)

    class Meta:
        verbose_name = _("credit scheme")
        verbose_name_plural = _("credit schemes")
        ordering = ["-valid_until", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name_fr="") | ~Q(name_en=""), name="credit_scheme_has_a_name"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_scheme_amount_positive"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="credit_scheme_budget_non_negative"),
            models.CheckConstraint(
                condition=Q(committed__gte=0, committed__lte=F("budget")), name="credit_scheme_within_budget"
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="credit_scheme_dates_ordered"),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True) | Q(age_max__isnull=True) | Q(age_min__lte=F("age_max")),
                name="credit_scheme_ages_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(age_min__isnull=True) | Q(age_min__lte=MAX_AGE))
                & (Q(age_max__isnull=True) | Q(age_max__lte=MAX_AGE)),
                name="credit_scheme_ages_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to the other one."""
        return localized(self.name_fr, self.name_en)

    @property
    def description(self) -> str:
        """The explanation for residents in the active language."""
        return localized(self.description_fr, self.description_en)

    @property
    def remaining_budget(self) -> Decimal:
        """What is left of the budget for new grants."""
        return self.budget - self.committed

    def is_valid_on(self, day: date) -> bool:
        """Credit of this scheme can be spent on this day."""
        return self.valid_from <= day <= self.valid_until

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not self.name_fr and not self.name_en:
            errors["name_fr"] = _("Give a name in French or in English.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end date must be on or after the start date.")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = _("The maximum age must be at least the minimum age.")
        if self.budget is not None and self.committed is not None and self.budget < self.committed:
            errors["budget"] = _("The budget cannot be less than the %(committed)s € already granted.") % {
                "committed": self.committed
            }
        if errors:
            raise ValidationError(errors)


class Account(models.Model):
    """A resident's credit in one scheme; its balance is the sum of its ledger entries, and never negative."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_accounts")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="accounts")
    balance = models.DecimalField(_("balance (EUR)"), max_digits=10, decimal_places=2, default=Decimal(0))
    created_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.UniqueConstraint(fields=["user", "scheme"], name="credit_account_once_per_scheme"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="credit_account_balance_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.scheme}: {self.balance} €"


class EntryKind(models.TextChoices):
    """Why a balance moved."""

    GRANT = "grant", _("Credit granted")
    SPEND = "spend", _("Spent on a registration")
    REFUND = "refund", _("Refunded after a cancellation")
    EXPIRY = "expiry", _("Expired at the end of the scheme")
    CORRECTION = "correction", _("Correction by the city")


class Entry(AppendOnly):
    """One movement of credit on an account; entries are never changed or removed (corrections are new entries)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=10, decimal_places=2, help_text=_("Positive adds credit, negative takes it")
    )
    balance_after = models.DecimalField(_("balance after (EUR)"), max_digits=10, decimal_places=2)
    # A number, not a foreign key: the ledger outlives registrations (deleting a session must not rewrite it).
    registration_id = models.BigIntegerField(_("registration"), null=True, blank=True, db_index=True)
    label_fr = models.CharField(_("what it paid for (French)"), max_length=300, blank=True)
    label_en = models.CharField(_("what it paid for (English)"), max_length=300, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    grant_run = models.ForeignKey(
        "GrantRun", verbose_name=_("grant run"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["account", "created_at"]), models.Index(fields=["kind", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="credit_entry_balance_non_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["grant", "refund"], amount__gt=0)
                | Q(kind__in=["spend", "expiry"], amount__lt=0)
                | (Q(kind="correction") & ~Q(amount=0)),
                name="credit_entry_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["spend", "refund"]) | Q(registration_id__isnull=False),
                name="credit_entry_spend_names_registration",
            ),
            models.CheckConstraint(
                condition=~Q(kind="correction") | (Q(coordinator__isnull=False) & ~Q(note="")),
                name="credit_entry_correction_signed_and_explained",
            ),
            models.UniqueConstraint(fields=["account"], condition=Q(kind="grant"), name="credit_entry_one_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} € → {self.balance_after} €"

    @property
    def label(self) -> str:
        """What the credit paid for, in the active language."""
        return localized(self.label_fr, self.label_en)


class GrantStatus(models.TextChoices):
    """Where a grant to every eligible resident stands."""

    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    BUDGET_EXHAUSTED = "budget_exhausted", _("Stopped: budget exhausted")


class GrantRun(models.Model):
    """A coordinator's order to grant a scheme's credit to every eligible resident, and its report."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="grant_runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.QUEUED)
    granted_count = models.PositiveIntegerField(_("residents credited"), default=0)
    granted_amount = models.DecimalField(_("amount granted (EUR)"), max_digits=12, decimal_places=2, default=Decimal(0))
    left_without = models.PositiveIntegerField(
        _("eligible residents left without credit"), default=0, help_text=_("When the budget ran out")
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant run")
        verbose_name_plural = _("grant runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.created_at:%Y-%m-%d %H:%M} ({self.status})"


class DocumentKind(models.TextChoices):
    """The kind of identity document a coordinator looked at (the document itself is never kept)."""

    IDENTITY_CARD = "identity_card", _("National identity card")
    PASSPORT = "passport", _("Passport")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    OTHER = "other", _("Other official document with a photo")


class IdentityCheck(models.Model):
    """A coordinator saw an identity document of this resident: needed to spend public credit in the city."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_checks")
    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="identity_checks")
    document_kind = models.CharField(_("kind of document"), max_length=32, choices=DocumentKind.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        ordering = ["-checked_at"]
        constraints = [models.UniqueConstraint(fields=["user", "city"], name="identity_check_once_per_city")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_document_kind_display()} ({self.checked_at:%Y-%m-%d})"


class EvidenceKind(models.TextChoices):
    """What a resident shows to prove they are looking for work."""

    REGISTRATION = "registration", _("Job-seeker registration certificate (France Travail)")
    BENEFIT = "benefit", _("Statement of unemployment benefit")
    OTHER = "other", _("Other proof from an employment service")


class DeclarationStatus(models.TextChoices):
    """Where a job-seeker declaration stands."""

    PENDING = "pending", _("Waiting for a check")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")


class JobSeekerDeclaration(models.Model):
    """A resident says they are a job seeker, with the reference of their proof; a coordinator checks it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_seeker_declarations")
    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="job_seeker_declarations")
    evidence_kind = models.CharField(_("proof"), max_length=16, choices=EvidenceKind.choices)
    evidence_reference = models.CharField(
        _("reference on the proof"), max_length=64, help_text=_("For example your job-seeker identifier")
    )
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=DeclarationStatus.choices, default=DeclarationStatus.PENDING
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    valid_until = models.DateField(_("job-seeker status valid until"), null=True, blank=True)
    decision_note = models.CharField(_("note to the resident"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("job-seeker declaration")
        verbose_name_plural = _("job-seeker declarations")
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "city"], condition=Q(status="pending"), name="job_seeker_one_pending_declaration"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", checked_by__isnull=True, checked_at__isnull=True)
                | Q(status="accepted", checked_by__isnull=False, checked_at__isnull=False, valid_until__isnull=False)
                | (Q(status="rejected", checked_by__isnull=False, checked_at__isnull=False) & ~Q(decision_note="")),
                name="job_seeker_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_status_display()}"

    def is_valid_on(self, day: date) -> bool:
        """Accepted and not past its end date."""
        return self.status == DeclarationStatus.ACCEPTED and self.valid_until is not None and day <= self.valid_until


class AuditAction(models.TextChoices):
    """What a coordinator did in the voucher scheme."""

    SCHEME_CREATED = "scheme_created", _("Created a scheme")
    SCHEME_CHANGED = "scheme_changed", _("Changed a scheme")
    GRANT_STARTED = "grant_started", _("Granted credit to every eligible resident")
    IDENTITY_CHECKED = "identity_checked", _("Checked a resident's identity")
    JOB_SEEKER_ACCEPTED = "job_seeker_accepted", _("Accepted a job-seeker declaration")
    JOB_SEEKER_REJECTED = "job_seeker_rejected", _("Did not accept a job-seeker declaration")
    CORRECTION = "correction", _("Corrected a balance")
    LEDGER_EXPORTED = "ledger_exported", _("Downloaded the ledger")


class AuditRecord(AppendOnly):
    """Who did what in a city's voucher scheme, and when (append-only like the ledger)."""

    city = models.ForeignKey("catalogue.City", on_delete=models.PROTECT, related_name="credit_audit_records")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    scheme = models.ForeignKey(Scheme, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject_email = models.EmailField(_("resident"), blank=True)
    details = models.CharField(_("details"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["city", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

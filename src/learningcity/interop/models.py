"""Imports: where each listing came from, the jobs that brought it, and saved column mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import City, Opportunity, Organisation


class Format(models.TextChoices):
    """The file formats the import pipeline reads."""

    CSV = "csv", _("CSV spreadsheet")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    ICS = "ics", _("iCalendar (.ics)")
    OPENAGENDA = "openagenda", _("OpenAgenda / OpenDataSoft events (JSON)")
    LHEO = "lheo", _("LHÉO training offers (XML)")
    HSDS = "hsds", _("Open Referral HSDS 3.0 (JSON)")


class SourceRecord(models.Model):
    """A listing's identity at a source: re-importing the same id updates the same listing."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="source_records")
    source = models.CharField(_("source"), max_length=120)
    external_id = models.CharField(_("identifier at the source"), max_length=255)
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="source_records")
    fingerprint = models.CharField(max_length=64)
    data = models.JSONField(_("kept from the source"), default=dict, blank=True)
    job = models.ForeignKey("ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(_("first imported"))
    updated_at = models.DateTimeField(_("last updated by an import"))

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            models.UniqueConstraint(fields=["city", "source", "external_id"], name="source_record_unique"),
        ]
        indexes = [models.Index(fields=["opportunity"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class ExternalLink(models.Model):
    """A provider or venue known under an id at a source, so the next import finds it again."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("organisation")
        VENUE = "venue", _("venue")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="external_links")
    source = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    external_id = models.CharField(max_length=255)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "source", "kind", "external_id"], name="external_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.external_id}"


class JobStatus(models.TextChoices):
    """Where an import stands: checked first (dry run), then written all at once."""

    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Checking the file")
    CHECKED = "checked", _("Checked: ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("File rejected")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class TargetStatus(models.TextChoices):
    """What state imported listings are put in."""

    DRAFT = "draft", _("Drafts")
    PENDING = "pending", _("Submitted for review")
    PUBLISHED = "published", _("Published")


class ImportJob(models.Model):
    """One file brought in: checked as a dry run, then committed all or nothing, with a per-row report."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="import_jobs")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    source = models.CharField(_("source"), max_length=120)
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    options = models.JSONField(default=dict, blank=True)
    target_status = models.CharField(
        _("imported listings are"), max_length=16, choices=TargetStatus.choices, default=TargetStatus.DRAFT
    )
    skip_rejected = models.BooleanField(_("import the valid rows and skip the rejected ones"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")) | Q(progress_total=0),
                name="import_progress_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} — {self.filename}"

    @property
    def percent(self) -> int:
        """Progress of the current step, 0 to 100."""
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED, JobStatus.CANCELLED}


class ColumnMapping(models.Model):
    """How a provider's spreadsheet columns map to listing fields, remembered for the next file."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="column_mappings")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="column_mappings"
    )
    headings_key = models.CharField(max_length=64, help_text="Digest of the file's normalised column headings")
    headings = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["city", "organisation", "headings_key"], name="column_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation or self.city}: {len(self.mapping)} columns"


class Subscription(models.Model):
    """A calendar (.ics) published at an address, imported again and again (where the instance may fetch)."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="subscriptions")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(_("calendar address"), max_length=500)
    target_status = models.CharField(
        _("imported listings are"), max_length=16, choices=TargetStatus.choices, default=TargetStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)
    last_checked_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_error = models.TextField(_("last problem"), blank=True)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")
        ordering = ["organisation__name", "url"]
        constraints = [models.UniqueConstraint(fields=["organisation", "url"], name="subscription_unique")]

    def __str__(self) -> str:
        return self.url


from learningcity.interop.curation_models import *  # noqa: E402, F403

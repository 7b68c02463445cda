"""Import jobs: upload, check (dry run) in the background, then commit or cancel."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.catalogue.models import City, Organisation
from learningcity.interop import formats, tasks
from learningcity.interop.models import Format, ImportJob, JobStatus, TargetStatus
from learningcity.interop.pipeline import ImportResult, check_importer, file_problem, run_import, source_name
from learningcity.interop.records import ParseOptions

logger = logging.getLogger(__name__)

# A report keeps every row; the page shows them a page at a time.
TABULAR = {Format.CSV, Format.XLSX}


def job_create(
    *,
    city: City,
    by: Any,
    format_name: str,
    filename: str,
    content: bytes,
    organisation: Organisation | None = None,
    target_status: str = TargetStatus.DRAFT,
    source: str = "",
) -> ImportJob:
    """Store an uploaded file as an import job; the dry run starts at once except for spreadsheets,
    which first go through the column-mapping step."""
    if format_name not in formats.MODULES:
        raise ValidationError({"format": _("Unknown format: %(format)s") % {"format": format_name}})
    # Also refuses a provider's staff an import without their organisation (coordinators may leave it out).
    check_importer(city=city, organisation=organisation, by=by, target_status=target_status)
    problem = file_problem(len(content), blank=not content.strip())
    if problem:
        raise ValidationError({"file": problem})
    job = ImportJob.objects.create(
        city=city,
        organisation=organisation,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        format=format_name,
        source=source_name(format_name, organisation, source),
        filename=filename[:255],
        content=content,
        size=len(content),
        target_status=target_status,
    )
    if format_name not in TABULAR:
        job_check(job)
    return job


def job_check(job: ImportJob) -> ImportJob:
    """Queue the dry run (after commit, so the worker sees the job)."""
    job.status = JobStatus.QUEUED
    job.progress_done = job.progress_total = 0
    job.save(update_fields=["status", "progress_done", "progress_total", "options"])
    transaction.on_commit(lambda: tasks.check_import.enqueue(job.pk))
    return job


def job_commit(job: ImportJob, *, by: Any, skip_rejected: bool = False) -> ImportJob:
    """Queue the real import of a checked job."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.CHECKED:
            raise ValidationError(_("This import is not ready: check the file first."))
        if job.counts.get("rejected") and not skip_rejected:
            raise ValidationError(
                _("Some rows were rejected: correct the file, or choose to import the valid rows only.")
            )
        if not (job.counts.get("created") or job.counts.get("updated")):
            raise ValidationError(_("There is nothing to import: every row is unchanged or rejected."))
        job.skip_rejected = skip_rejected
        job.status = JobStatus.IMPORTING
        job.progress_done = job.progress_total = 0
        job.save(update_fields=["skip_rejected", "status", "progress_done", "progress_total"])
        transaction.on_commit(lambda: tasks.commit_import.enqueue(job.pk))
    return job


def job_cancel(job: ImportJob, *, by: Any) -> ImportJob:
    """Drop a job that was not imported; its file is forgotten."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in {JobStatus.IMPORTING, JobStatus.DONE}:
            raise ValidationError(_("This import has already been carried out."))
        job.status = JobStatus.CANCELLED
        job.content = b""
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "content", "finished_at"])
    return job


def run_job(job_id: int, *, commit: bool) -> ImportJob:
    """The worker's side: run the pipeline for a job (dry run or commit) and store its report."""
    job = ImportJob.objects.select_related("city", "organisation", "created_by").get(pk=job_id)
    expected = JobStatus.IMPORTING if commit else JobStatus.QUEUED
    if job.status != expected:
        return job  # cancelled meanwhile, or already run: never run twice
    if not commit:
        job.status = JobStatus.CHECKING
        job.save(update_fields=["status"])

    def progress(done: int) -> None:
        # Rows checked so far. While committing, the rows are written in the import's own transaction,
        # which this update must not join: the progress shown is the dry run's.
        if not commit:
            ImportJob.objects.filter(pk=job.pk).update(progress_done=done)

    options = ParseOptions(
        time_zone=job.city.time_zone,
        mapping=dict(job.options.get("mapping", {})),
        sheet=str(job.options.get("sheet", "")),
    )
    from django.utils import translation

    language = getattr(job.created_by, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            result = run_import(
                city=job.city,
                format=job.format,
                content=bytes(job.content),
                organisation=job.organisation,
                by=job.created_by,
                source=job.source,
                target_status=job.target_status,
                dry_run=not commit,
                skip_rejected=job.skip_rejected,
                options=options,
                progress=progress,
                job=job if commit else None,
            )
        except (PermissionDenied, ValidationError) as error:
            result = ImportResult(file_error=" ".join(getattr(error, "messages", [str(error)])))
        except DatabaseError as error:
            # The transaction was rolled back: say so, and keep the file so the import can be checked again.
            logger.exception("Import %s failed while writing", job.pk)
            job.status = JobStatus.FAILED
            job.error = _("The import failed and nothing was written (%(error)s).") % {"error": type(error).__name__}
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            return job
    if commit and result.committed:  # written in bulk, without the catalogue's signals: drop cached public pages
        from learningcity.public_cache import catalogue_changed

        catalogue_changed()
    return _store(job, result, commit=commit)


def _store(job: ImportJob, result: ImportResult, *, commit: bool) -> ImportJob:
    job.refresh_from_db(fields=["status"])
    job.counts = result.counts
    job.report = result.rows
    job.error = result.file_error or ""
    now = timezone.now()
    if result.file_error:
        job.status = JobStatus.REJECTED
        job.finished_at = now
    elif commit:
        job.status = JobStatus.DONE if result.committed else JobStatus.FAILED
        if not result.committed:
            job.error = _("The file changed since it was checked: check it again.")
        job.finished_at = now
        job.content = b""  # the listings hold what mattered; the file is not kept
    else:
        job.status = JobStatus.CHECKED
        job.checked_at = now
    total = len(result.rows)
    job.progress_done = job.progress_total = total
    job.save()
    return job

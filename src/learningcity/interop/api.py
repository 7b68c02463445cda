"""Import endpoints: upload a file, follow its check, read the per-row report, commit.

Logged-in provider staff and coordinators, by Django's session cookie; writes need the CSRF token
in an `X-CSRFToken` header. The same pipeline as the pages and the command line runs in the task
worker: upload, poll `GET /imports/{id}` until `status` is `checked`, read the report, then
`POST /imports/{id}/commit`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from learningcity.accounts.models import ApiScope
from learningcity.accounts.token_auth import client_auth
from learningcity.catalogue.api import PageParams
from learningcity.catalogue.models import Organisation
from learningcity.catalogue.schemas import ErrorSchema
from learningcity.catalogue.selectors import current_city
from learningcity.interop import permissions, services
from learningcity.interop.forms import detect_format
from learningcity.interop.models import ImportJob
from learningcity.interop.records import FileRejected

router = Router(tags=["imports"], auth=client_auth(ApiScope.IMPORTS_WRITE))  # a token with its scope, or the session
ERRORS: dict[int, Any] = {400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema}
FormatName = Literal["auto", "csv", "xlsx", "ics", "openagenda", "lheo", "hsds"]
Outcome = Literal["created", "updated", "unchanged", "rejected"]


class RowErrorSchema(Schema):
    field: str = Field(description="The field or column at fault; empty when the whole row is")
    reason: str


class ReportRowSchema(Schema):
    line: int = Field(description="Line (CSV, XLSX: spreadsheet row; JSON: item; XML: source line)")
    external_id: str
    outcome: Outcome
    title: str
    errors: list[RowErrorSchema]
    notes: list[str] = Field(default_factory=list, description="What the row left out (sessions without dates...)")
    opportunity_id: int | None


class CountsSchema(Schema):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


class ImportSchema(Schema):
    """An import and, once checked, what it does row by row (a page of the report)."""

    id: int
    format: str
    filename: str
    organisation_id: int | None
    target_status: Literal["draft", "pending", "published"]
    status: Literal["queued", "checking", "checked", "importing", "done", "rejected", "failed", "cancelled"]
    error: str = Field(description="Why the whole file was refused, or the import failed")
    progress_done: int
    progress_total: int
    counts: CountsSchema
    rows_total: int
    rows: list[ReportRowSchema]
    created_at: datetime


class CommitSchema(Schema):
    skip_rejected: bool = Field(False, description="Import the valid rows even though some were rejected")


class ReportFilter(Schema):
    outcome: Outcome | None = None


def _data(job: ImportJob, outcome: str | None, page: PageParams) -> dict[str, Any]:
    rows = [row for row in job.report if outcome is None or row["outcome"] == outcome]
    return {
        "id": job.pk,
        "format": job.format,
        "filename": job.filename,
        "organisation_id": job.organisation_id,
        "target_status": job.target_status,
        "status": job.status,
        "error": job.error,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "counts": job.counts or {},
        "rows_total": len(rows),
        "rows": rows[page.offset : page.offset + page.limit],
        "created_at": job.created_at,
    }


def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    from learningcity.api import validation_error_response  # the API module imports this router

    return validation_error_response(request, error)


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=job_id)
    if not permissions.can_manage_job(request.user, job):
        raise PermissionDenied("This import is not yours.")
    return job


@router.post("/imports", response={202: ImportSchema, **ERRORS}, summary="Upload a file to import")
def upload(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[FormatName] = "auto",
    organisation_id: Form[int | None] = None,
    target_status: Form[Literal["draft", "pending", "published"]] = "draft",
    mapping: Form[str] = "",
) -> Any:
    """Store the file and start its check (dry run). CSV and XLSX need `mapping`: a JSON object
    {column heading: field}; without it the headings are guessed."""
    import json

    city = current_city()
    if city is None:
        raise PermissionDenied("This instance has no city yet.")
    organisation = None
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id, city=city).first()
        if organisation is None:
            return _invalid(request, ValidationError({"organisation_id": "No such organisation in this city."}))
    content = file.read()
    name = format if format != "auto" else detect_format(file.name or "", content[:200_000])
    if name is None:
        return _invalid(request, ValidationError({"format": "The format could not be recognised: say it."}))
    try:
        job = services.job_create(
            city=city,
            by=request.user,
            format_name=name,
            filename=file.name or "upload",
            content=content,
            organisation=organisation,
            target_status=target_status,
        )
        if job.format in services.TABULAR:
            from learningcity.interop.formats import tabular

            try:
                chosen = (
                    json.loads(mapping) if mapping else tabular.guess_mapping(tabular.headings(content, job.format))
                )
            except ValueError as error:
                raise ValidationError({"mapping": f"Not a JSON object: {error}"}) from error
            if not isinstance(chosen, dict):
                raise ValidationError({"mapping": "The mapping must be a JSON object {column heading: field}."})
            job.options = {**job.options, "mapping": {str(key): str(value) for key, value in chosen.items()}}
            services.job_check(job)
    except ValidationError as error:
        return _invalid(request, error)
    except FileRejected as rejection:  # the spreadsheet's headings could not be read
        return _invalid(request, ValidationError({"file": rejection.reason}))
    return Status(202, _data(job, None, PageParams(limit=20, offset=0)))


@router.get("/imports/{job_id}", response={200: ImportSchema, **ERRORS}, summary="An import and its report")
def get_import(
    request: HttpRequest, job_id: int, filters: Query[ReportFilter], page: Query[PageParams]
) -> dict[str, Any]:
    """Where the import stands; `rows` is a page of its per-row report (filter by `outcome`)."""
    return _data(_job(request, job_id), filters.outcome, page)


@router.post("/imports/{job_id}/commit", response={202: ImportSchema, **ERRORS}, summary="Carry out a checked import")
def commit(request: HttpRequest, job_id: int, body: CommitSchema) -> Any:
    """Write the checked file, all or nothing (or the valid rows only, with `skip_rejected`)."""
    job = _job(request, job_id)
    try:
        job = services.job_commit(job, by=request.user, skip_rejected=body.skip_rejected)
    except ValidationError as error:
        from learningcity.api import error_response

        return error_response(request, status=409, code="not_ready", message=" ".join(error.messages))
    return Status(202, _data(job, None, PageParams(limit=20, offset=0)))

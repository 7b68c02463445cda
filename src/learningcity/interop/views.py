"""Pages of the import pipeline: upload, progress, preview with its per-row report, commit."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.catalogue.permissions import is_coordinator_of
from learningcity.catalogue.selectors import current_city
from learningcity.interop import permissions, services, subscriptions
from learningcity.interop.forms import SubscriptionForm, UploadForm
from learningcity.interop.models import ImportJob, JobStatus, Subscription
from learningcity.interop.pipeline import OUTCOMES
from learningcity.interop.subscriptions import fetching_allowed
from learningcity.service_errors import add_service_errors
from learningcity.spreadsheets import safe_cell

REPORT_PAGE = 100


def _city_or_404() -> Any:
    city = current_city()
    if city is None:
        raise Http404
    return city


def _job_for(request: HttpRequest, job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("organisation", "city", "created_by"), pk=job_id)
    if not permissions.can_manage_job(request.user, job):
        raise PermissionDenied(_("This import is not yours."))
    return job


def _importer(request: HttpRequest) -> tuple[Any, list[Any], bool]:
    """The city, the organisations this person may import into, and whether they coordinate it; 403 for others."""
    city = _city_or_404()
    organisations = permissions.importable_organisations(request.user, city.pk)
    coordinator = is_coordinator_of(request.user, city.pk)
    if not organisations and not coordinator:
        raise PermissionDenied(_("Imports are for the staff of a provider and the city's coordinators."))
    return city, organisations, coordinator


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a file, and the imports made before."""
    city, organisations, coordinator = _importer(request)
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations, coordinator=coordinator)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.job_create(
                city=city,
                by=request.user,
                format_name=form.cleaned_data["format"],
                filename=upload.name or "upload",
                content=upload.read(),
                organisation=form.cleaned_data["organisation"],
                target_status=form.cleaned_data["target_status"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error("organisation", str(error))
        else:
            if job.format in services.TABULAR:
                return redirect("interop:mapping", job.pk)
            return redirect("interop:job", job.pk)
    return _imports_page(request, city, organisations, coordinator, form=form)


def _imports_page(
    request: HttpRequest,
    city: Any,
    organisations: list[Any],
    coordinator: bool,
    *,
    form: UploadForm | None = None,
    subscription_form: SubscriptionForm | None = None,
) -> HttpResponse:
    jobs = ImportJob.objects.filter(city=city).select_related("organisation").defer("content", "report")
    subscriptions = Subscription.objects.filter(city=city, active=True).select_related("organisation", "last_job")
    if not coordinator:
        jobs = jobs.filter(organisation__in=organisations)
        subscriptions = subscriptions.filter(organisation__in=organisations)
    form = form or UploadForm(organisations=organisations, coordinator=coordinator)
    if fetching_allowed():
        subscription_form = subscription_form or SubscriptionForm(organisations=organisations, coordinator=coordinator)
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    invalid = bool(form.errors or (subscription_form is not None and subscription_form.errors))
    return render(
        request,
        "interop/imports.html",
        {
            "form": form,
            "subscription_form": subscription_form,
            "subscriptions": list(subscriptions),
            "page": page,
            "coordinator": coordinator,
        },
        status=400 if invalid else 200,
    )


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """Follow a calendar address: fetched now by the worker, then by the scheduled refresh."""
    city, organisations, coordinator = _importer(request)
    if not fetching_allowed():
        raise Http404
    form = SubscriptionForm(request.POST, organisations=organisations, coordinator=coordinator)
    if form.is_valid():
        try:
            subscriptions.subscription_create(
                organisation=form.cleaned_data["organisation"],
                by=request.user,
                url=form.cleaned_data["url"],
                target_status=form.cleaned_data["target_status"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Subscribed: the calendar is being fetched."))
            return redirect("interop:imports")
    return _imports_page(request, city, organisations, coordinator, subscription_form=form)


@login_required
@require_POST
def subscription_action(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Fetch a followed calendar now, or stop following it."""
    subscription = get_object_or_404(Subscription, pk=subscription_id, active=True)
    if not permissions.can_manage_subscription(request.user, subscription):
        raise PermissionDenied(_("This subscription is not yours."))
    if request.POST.get("action") == "stop":
        subscriptions.subscription_stop(subscription, by=request.user)
        messages.success(request, _("You no longer follow this calendar; its listings stay."))
    elif fetching_allowed():
        from learningcity.interop import tasks

        tasks.refresh_subscription.enqueue(subscription.pk)
        messages.success(request, _("The calendar is being fetched again."))
    return redirect("interop:imports")


@login_required
@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Where an import stands; once checked, what it would do row by row, and the buttons to go on."""
    job = _job_for(request, job_id)
    outcome = request.GET.get("outcome", "")
    rows = [row for row in job.report if not outcome or row["outcome"] == outcome]
    page = Paginator(rows, REPORT_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "interop/job.html",
        {
            "job": job,
            "page": page,
            "outcome": outcome if outcome in OUTCOMES else "",
            "outcomes": OUTCOMES,
            "counts": [(name, job.counts.get(name, 0)) for name in OUTCOMES],
            "running": job.status in {JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.IMPORTING},
            "statuses": JobStatus,
        },
    )


@login_required
@require_GET
def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """The progress bar's data, polled by the page's script."""
    job = _job_for(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "progress_text": ""
            if job.status == JobStatus.IMPORTING
            else ngettext("%(count)d row checked", "%(count)d rows checked", job.progress_done)
            % {"count": job.progress_done},
            "running": job.status in {JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.IMPORTING},
        }
    )


@login_required
@require_POST
def job_commit(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import the checked file, all or nothing."""
    job = _job_for(request, job_id)
    try:
        services.job_commit(job, by=request.user, skip_rejected=request.POST.get("skip_rejected") == "on")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("interop:job", job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    """Drop an import that was not carried out."""
    job = _job_for(request, job_id)
    try:
        services.job_cancel(job, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("interop:imports")


@login_required
@require_GET
def job_report(request: HttpRequest, job_id: int) -> HttpResponse:
    """The per-row report as CSV, to correct the file in a spreadsheet."""
    job = _job_for(request, job_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Line"), _("Identifier"), _("Outcome"), _("Title"), _("Field"), _("Reason")])
    for row in job.report:
        errors = row["errors"] or [{"field": "", "reason": ""}]
        for error in errors:
            writer.writerow(
                [
                    row["line"],
                    safe_cell(row["external_id"]),
                    _outcome_label(row["outcome"]),
                    safe_cell(row["title"]),
                    error["field"],
                    safe_cell(error["reason"]),
                ]
            )
    return response


def _outcome_label(outcome: str) -> str:
    return {
        "created": _("created"),
        "updated": _("updated"),
        "unchanged": _("unchanged"),
        "rejected": _("rejected"),
    }.get(outcome, outcome)

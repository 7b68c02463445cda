"""Pages of the voucher scheme: a resident's credit and job-seeker declaration; the coordinators' pages."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.catalogue.models import City
from learningcity.catalogue.permissions import coordinated_city
from learningcity.credits import selectors, services
from learningcity.credits.forms import (
    CorrectionForm,
    IdentityCheckForm,
    JobSeekerDecisionForm,
    JobSeekerForm,
    LedgerFilterForm,
    SchemeForm,
)
from learningcity.credits.models import (
    Account,
    AuditRecord,
    DeclarationStatus,
    Entry,
    EntryKind,
    GrantRun,
    IdentityCheck,
    JobSeekerDeclaration,
    Scheme,
)
from learningcity.privacy import audit
from learningcity.service_errors import add_service_errors
from learningcity.spreadsheets import safe_cell

PAGE_SIZE = 50


# A resident's pages.


@login_required
@require_GET
def my_credit(request: HttpRequest) -> HttpResponse:
    """The resident's learning credit: balances, what happened to them, and how it works."""
    summary = selectors.credit_summary(request.user)
    schemes = [(scheme, selectors.criteria_text(scheme)) for scheme in summary.open_schemes]
    context = {"summary": summary, "schemes": schemes}
    return render(request, "credits/my_credit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def job_seeker_declare(request: HttpRequest) -> HttpResponse:
    """A resident declares they are looking for work, for schemes kept for job seekers."""
    city = selectors.resident_city(request.user)
    if city is None:
        raise Http404
    form = JobSeekerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.job_seeker_declare(user=request.user, city=city, evidence_kind=data["evidence_kind"],
                                        evidence_reference=data["evidence_reference"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. The city will check your proof and tell you on this page."))
            return redirect("credits:mine")
    user: Any = request.user
    declaration = JobSeekerDeclaration.objects.filter(user=user, city=city).first()
    return render(request, "credits/job_seeker_form.html", {"form": form, "declaration": declaration})


# Coordinators' pages.


def _city(request: HttpRequest) -> City:
    return coordinated_city(request.user, refusal=_("Learning credit is run by the city's coordinators."))


def _scheme(request: HttpRequest, pk: int) -> Scheme:
    return get_object_or_404(Scheme, pk=pk, city=_city(request))


@login_required
@require_GET
def coordinate(request: HttpRequest) -> HttpResponse:
    """The city's schemes with their reconciliation line, and what waits for a coordinator."""
    city = _city(request)
    schemes = Scheme.objects.filter(city=city).annotate(account_count=Count("accounts"))
    context = {
        "city": city,
        "lines": [selectors.reconciliation(scheme) for scheme in schemes],
        "pending": JobSeekerDeclaration.objects.filter(city=city, status=DeclarationStatus.PENDING).count(),
        "audit": AuditRecord.objects.filter(city=city).select_related("actor", "scheme")[:20],
    }
    return render(request, "credits/coordinate.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Open a scheme (no pk) or change one of the city's."""
    city = _city(request)
    scheme = get_object_or_404(Scheme, pk=pk, city=city) if pk else Scheme(city=city)
    form = SchemeForm(request.POST or None, instance=scheme, city=city)
    if request.method == "POST" and form.is_valid():
        fields, districts = form.split()
        try:
            if pk:
                saved = services.scheme_update(scheme=scheme, by=request.user, fields=fields, districts=districts)
            else:
                saved = services.scheme_create(city=city, by=request.user, fields=fields, districts=districts)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Scheme “%(name)s” saved.") % {"name": saved.name})
            return redirect("credits:scheme", pk=saved.pk)
    title = _("Change the scheme") if pk else _("New learning-credit scheme")
    return render(request, "credits/scheme_form.html", {"form": form, "title": title, "scheme": scheme})


@login_required
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One scheme: its rules, reconciliation line and the reports of its grants."""
    scheme = _scheme(request, pk)
    context = {
        "scheme": scheme, "criteria": selectors.criteria_text(scheme), "lines": [selectors.reconciliation(scheme)],
        "runs": GrantRun.objects.filter(scheme=scheme).select_related("started_by")[:20],
        "eligible": selectors.eligible_residents(scheme, timezone.localdate()).count(),
        "ended": scheme.valid_until < timezone.localdate(),
    }  # fmt: skip
    return render(request, "credits/scheme_detail.html", context)


@login_required
@require_POST
def scheme_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the worker to credit every eligible resident who has not had this scheme's credit yet."""
    scheme = _scheme(request, pk)
    try:
        services.grant_run_start(scheme=scheme, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The grant has started; its report appears below when it is done."))
    return redirect("credits:scheme", pk=scheme.pk)


@login_required
@require_http_methods(["GET", "POST"])
@audit.logs_staff_access(audit.AccessKind.IDENTITY_CHECKS, audit.identity_check_people)
def identity_check(request: HttpRequest) -> HttpResponse:
    """Record that a resident's identity document was seen (needed to spend public credit)."""
    city = _city(request)
    form = IdentityCheckForm(request.POST or None, city=city)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = data["email"]
        try:
            services.identity_check_record(
                city=city, by=request.user, user=user, document_kind=data["document_kind"],
                year_of_birth=data.get("year_of_birth"), district=data.get("district"),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Identity of %(email)s recorded as checked.") % {"email": user.email})
            return redirect("credits:identity")
    checks = IdentityCheck.objects.filter(city=city).select_related("user", "checked_by")[:50]
    return render(request, "credits/identity.html", {"form": form, "checks": checks})


@login_required
@require_GET
@audit.logs_staff_access(audit.AccessKind.CREDIT_APPLICATIONS, audit.job_seeker_people)
def job_seekers(request: HttpRequest) -> HttpResponse:
    """Declarations waiting for a check, and the latest decisions."""
    city = _city(request)
    declarations = JobSeekerDeclaration.objects.filter(city=city).select_related("user", "checked_by")
    context = {
        "pending": declarations.filter(status=DeclarationStatus.PENDING).order_by("declared_at"),
        "decided": declarations.exclude(status=DeclarationStatus.PENDING).order_by("-checked_at")[:50],
    }
    return render(request, "credits/job_seekers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@audit.logs_staff_access(audit.AccessKind.CREDIT_APPLICATIONS, audit.job_seeker_people)
def job_seeker_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a job-seeker declaration until a date, or say why it is not accepted."""
    city = _city(request)
    declaration = get_object_or_404(JobSeekerDeclaration.objects.select_related("user"), pk=pk, city=city)
    form = JobSeekerDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.job_seeker_decide(declaration=declaration, by=request.user, accept=data["decision"] == "accept",
                                       valid_until=data.get("valid_until"), note=data.get("note") or "")  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded for %(email)s.") % {"email": declaration.user.email})
            return redirect("credits:job-seekers")
    return render(request, "credits/job_seeker_decide.html", {"form": form, "declaration": declaration})


@login_required
@require_http_methods(["GET", "POST"])
@audit.logs_staff_access(audit.AccessKind.CREDIT_ACCOUNT, audit.credit_account_people)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One resident's account in a scheme: its entries, and a correction (a new entry, never an edit)."""
    city = _city(request)
    account = get_object_or_404(Account.objects.select_related("user", "scheme"), pk=pk, scheme__city=city)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_correct(account=account, by=request.user, amount=form.cleaned_data["amount"],
                                     note=form.cleaned_data["note"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Correction written to the ledger."))
            return redirect("credits:account", pk=account.pk)
    entries = account.entries.select_related("coordinator").order_by("-created_at", "-pk")
    return render(request, "credits/account.html", {"account": account, "entries": entries, "form": form})


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """Every entry with filters and totals; `?download=csv` for the filtered entries."""
    city = _city(request)
    form = LedgerFilterForm(request.GET or None, city=city)
    entries = selectors.ledger_entries(city=city, filters=form.filters())
    if request.GET.get("download") == "csv":
        return ledger_csv(request, city, entries)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("download", None)
    context = {
        "form": form, "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
        "totals": _labelled_totals(selectors.totals_by_kind(entries)), "count": entries.count(),
        "query": query.urlencode(),
        "lines": [selectors.reconciliation(scheme) for scheme in Scheme.objects.filter(city=city)],
    }  # fmt: skip
    return render(request, "credits/ledger.html", context)


def _labelled_totals(totals: dict[str, Any]) -> list[tuple[str, Any]]:
    labels = {
        EntryKind.GRANT: _("Granted"), EntryKind.CORRECTION: _("Corrections"), EntryKind.SPEND: _("Spent"),
        EntryKind.REFUND: _("Refunded"), EntryKind.EXPIRY: _("Expired"),
    }  # fmt: skip
    return [(str(label), totals[kind]) for kind, label in labels.items()]


LEDGER_COLUMNS = [
    "entry", "date_time", "scheme", "resident_email", "resident_district", "kind", "amount_eur",
    "balance_after_eur", "registration", "paid_for", "coordinator", "reason",
]  # fmt: skip


def ledger_csv(request: HttpRequest, city: City, entries: Any) -> HttpResponse:
    """The filtered entries as CSV (UTF-8 with BOM, so spreadsheets read accents), traced in the audit."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{city.slug}-learning-credit-ledger.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(LEDGER_COLUMNS)
    rows = 0
    for entry in entries.iterator(chunk_size=2000):
        writer.writerow([safe_cell(cell) for cell in _ledger_row(entry)])
        rows += 1
    services.ledger_exported(city=city, by=request.user, rows=rows)
    return response


def _ledger_row(entry: Entry) -> list[object]:
    user = entry.account.user
    return [
        entry.pk, timezone.localtime(entry.created_at).isoformat(timespec="seconds"), entry.account.scheme.name,
        user.email, user.district.name if user.district else "", entry.kind, entry.amount, entry.balance_after,
        entry.registration_id or "", entry.label, entry.coordinator.email if entry.coordinator else "", entry.note,
    ]  # fmt: skip

"""Privacy pages: the notice, the person's own data (consents, export, erasure), the staff access log."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.privacy import services
from learningcity.privacy.audit import people_of
from learningcity.privacy.export import person_export
from learningcity.privacy.forms import AccessLogFilterForm, EraseForm
from learningcity.privacy.models import ConsentMethod, ConsentRecord, StaffAccess
from learningcity.privacy.permissions import can_read_access_log
from learningcity.privacy.selectors import access_log as access_log_entries
from learningcity.service_errors import add_service_errors

PAGE_SIZE = 50


def retention_periods() -> dict[str, int]:
    """The periods shown in the notice, read from settings."""
    return {
        "unverified_days": settings.RETENTION_UNVERIFIED_DAYS,
        "inactive_years": settings.RETENTION_INACTIVE_YEARS,
        "import_files_days": settings.RETENTION_IMPORT_FILES_DAYS,
        "evidence_days": settings.RETENTION_EVIDENCE_DAYS,
        "access_log_days": settings.RETENTION_ACCESS_LOG_DAYS,
        "task_results_days": settings.RETENTION_TASK_RESULTS_DAYS,
    }


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: what is kept, why, for how long, the person's rights and whom to ask."""
    context = {
        "periods": retention_periods(),
        "version": services.notice_version(),
        "contact": settings.PRIVACY_CONTACT_EMAIL,
        "consent_current": request.user.is_authenticated and services.consent_is_current(request.user),
    }
    return render(request, "privacy/notice.html", context)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's consents, their data to download, staff who looked at it, and erasing the account."""
    user: Any = request.user
    accesses = StaffAccess.objects.filter(subjects=user).select_related("staff")[:20]
    context = {
        "consents": ConsentRecord.objects.filter(user=user).order_by("-given_at"),
        "consent_current": services.consent_is_current(user),
        "version": services.notice_version(),
        "accesses": accesses,
    }
    return render(request, "privacy/my_data.html", context)


@login_required
@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    """Agree to the notice in force (after it changed)."""
    services.consent_give(user=request.user, method=ConsentMethod.ACCOUNT)  # type: ignore[arg-type]
    messages.success(request, _("Thank you: your agreement to this version of the notice is recorded."))
    return redirect("privacy:my-data")


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Everything held about the person (and the family members they manage), as one JSON file."""
    document = person_export(request.user)  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    """Erase the account, confirmed with the password; the person is logged out."""
    form = EraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(user=request.user, by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account and your personal data are erased. Goodbye."))
            return redirect("privacy:notice")
    return render(request, "privacy/erase.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who among the staff looked at whose data, filtered by staff member or person concerned."""
    if not can_read_access_log(request.user):
        raise PermissionDenied(_("The access log is for the city's coordinators."))
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = access_log_entries(
        viewer=request.user, staff_email=filters.get("staff") or "", subject_email=filters.get("subject") or ""
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    people = people_of(page.object_list)
    rows = [(entry, people.get(entry.pk, [])) for entry in page.object_list]
    context = {"form": form, "page": page, "rows": rows}
    return render(request, "privacy/access_log.html", context, status=400 if form.errors else 200)

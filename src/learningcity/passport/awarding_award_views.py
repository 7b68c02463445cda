"""Awarding pages of the issuer's workspace: by hand, from a roster, from a CSV file; revoking."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from learningcity.passport import awarding_csv
from learningcity.passport import awarding_services as services
from learningcity.passport.forms_awarding import (
    CsvAwardForm,
    CsvUploadForm,
    HandAwardForm,
    RevokeForm,
    RosterAwardForm,
    RosterChoiceForm,
)
from learningcity.passport.models import Achievement, Award
from learningcity.passport.views_awarding import managed_achievement, optional_url, posted, posted_files
from learningcity.service_errors import add_service_errors

CSV_SESSION_KEY = "passport-csv-previews"
CSV_PREVIEWS_KEPT = 3
PREVIEW_PAGE_SIZE = 200


@login_required
@require_http_methods(["GET", "POST"])
def award_hand(request: HttpRequest, value: UUID) -> HttpResponse:
    """Award to one adult, found by the e-mail address of their account."""
    achievement = managed_achievement(request, value)
    form = HandAwardForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            award = services.award_by_email(achievement=achievement, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s now holds “%(achievement)s”.") % {
                "name": award.holder_name or form.cleaned_data["email"], "achievement": achievement.name})  # fmt: skip
            return redirect("passport:achievement-manage", value=achievement.uuid)
    return render(request, "passport/awarding/award_hand.html", {"form": form, "achievement": achievement})


def _roster_choices(achievement: Achievement) -> list[Any]:
    """Grouped choices: per listing, "all its sessions" then each session (the most recent first)."""
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for session in services.roster_sessions(achievement):
        listing = session.opportunity
        _title, options = groups.setdefault(
            listing.pk, (listing.title, [(f"o:{listing.pk}", _("All sessions of this listing"))])
        )
        start = timezone.localtime(session.start, ZoneInfo(session.time_zone))
        options.append((f"s:{session.pk}", date_format(start, "DATETIME_FORMAT")))
    return [("", "—"), *[(title, options) for title, options in groups.values()]]


@login_required
@require_http_methods(["GET", "POST"])
def award_roster(request: HttpRequest, value: UUID) -> HttpResponse:
    """Choose a session (or all of a listing's), tick who attended (pre-ticked), award them all at once."""
    achievement = managed_achievement(request, value)
    data = request.POST if request.method == "POST" else request.GET
    choice = RosterChoiceForm(data if data.get("session") else None, choices=_roster_choices(achievement))
    context: dict[str, Any] = {"achievement": achievement, "choice": choice}
    session_ids = services.roster_selection(achievement, data.get("session", "")) if choice.is_valid() else None
    if session_ids is not None:
        people = services.roster_people(achievement, session_ids)
        form = RosterAwardForm(request.POST if request.method == "POST" else None, people=people)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.award_roster(achievement=achievement, by=request.user, session_ids=session_ids,
                                               keys_ticked=form.cleaned_data["people"])  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _roster_message(result))
                return redirect("passport:achievement-manage", value=achievement.uuid)
        context.update(people=people, form=form, selection=data.get("session"))
    return render(request, "passport/awarding/award_roster.html", context)


def _roster_message(result: services.RosterResult) -> str:
    message = ngettext("%(count)d person awarded.", "%(count)d people awarded.", result.awarded) % {
        "count": result.awarded
    }
    if result.skipped:
        message += " " + ngettext(
            "%(count)d left out: already holds it or has no guardian's consent.",
            "%(count)d left out: already hold it or have no guardian's consent.",
            result.skipped,
        ) % {"count": result.skipped}
    return message


# From a CSV file: upload, preview (kept in the session under a random token), award.


def _previews(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(CSV_SESSION_KEY, {}))


def _keep_preview(request: HttpRequest, achievement: Achievement, name: str, lines: list[awarding_csv.CsvLine]) -> str:
    previews = _previews(request)
    while len(previews) >= CSV_PREVIEWS_KEPT:
        previews.pop(next(iter(previews)))
    token = secrets.token_urlsafe(12)
    previews[token] = {"achievement": achievement.pk, "filename": name[:200], "lines": [x.as_list() for x in lines]}
    request.session[CSV_SESSION_KEY] = previews
    return token


@login_required
@require_http_methods(["GET", "POST"])
def award_csv(request: HttpRequest, value: UUID) -> HttpResponse:
    """Upload the list; nothing is awarded before the preview is confirmed."""
    achievement = managed_achievement(request, value)
    form = CsvUploadForm(posted(request), posted_files(request))
    if request.method == "POST" and form.is_valid():
        name = str(getattr(request.FILES.get("file"), "name", "") or "")
        token = _keep_preview(request, achievement, name, form.cleaned_data["file"])
        return redirect("passport:award-csv-preview", value=achievement.uuid, token=token)
    context = {"form": form, "achievement": achievement, "max_rows": f"{awarding_csv.CSV_MAX_ROWS:,}"}
    return render(request, "passport/awarding/award_csv.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def award_csv_preview(request: HttpRequest, value: UUID, token: str) -> HttpResponse:
    """Each row's outcome with its row number; "Award N" writes all or nothing."""
    achievement = managed_achievement(request, value)
    stored = _previews(request).get(token)
    if stored is None or stored["achievement"] != achievement.pk:
        messages.error(request, _("This preview is no longer available: upload the file again."))
        return redirect("passport:award-csv", value=achievement.uuid)
    lines = [awarding_csv.CsvLine.from_list(values) for values in stored["lines"]]
    form = CsvAwardForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = awarding_csv.award_rows(achievement=achievement, by=request.user, lines=lines,
                                             valid_rows_only=form.cleaned_data["valid_rows_only"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            previews = _previews(request)
            previews.pop(token, None)
            request.session[CSV_SESSION_KEY] = previews
            messages.success(request, _csv_message(result))
            return redirect("passport:achievement-manage", value=achievement.uuid)
    return render(
        request, "passport/awarding/award_csv_preview.html", _preview_context(request, achievement, stored, lines, form)
    )


def _preview_context(
    request: HttpRequest, achievement: Achievement, stored: dict[str, Any], lines: list[awarding_csv.CsvLine], form: Any
) -> dict[str, Any]:
    checked = awarding_csv.preview(achievement, lines)
    outcome = request.GET.get("outcome", "")
    rows = (
        [row for row in checked.rows if row.outcome == outcome]
        if outcome in awarding_csv.OUTCOME_LABELS
        else checked.rows
    )
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = [(name, str(awarding_csv.OUTCOME_LABELS[name]), count) for name, count in checked.counts.items()]
    return {
        "achievement": achievement, "filename": stored["filename"], "preview": checked, "page": page,
        "counts": counts, "outcome": outcome, "form": form, "to_award": len(checked.to_award),
        "errors": len(checked.errors), "query": f"outcome={outcome}&" if outcome else "",
    }  # fmt: skip


def _csv_message(result: awarding_csv.CsvResult) -> str:
    parts = [
        ngettext("%(count)d person awarded.", "%(count)d people awarded.", result.awarded) % {"count": result.awarded}
    ]
    if result.held:
        parts.append(
            ngettext("%(count)d already held it.", "%(count)d already held it.", result.held) % {"count": result.held}
        )
    if result.left_out:
        parts.append(
            ngettext("%(count)d row left out.", "%(count)d rows left out.", result.left_out)
            % {"count": result.left_out}
        )
    return " ".join(parts)


# Revoking


@login_required
@require_http_methods(["GET", "POST"])
def award_revoke(request: HttpRequest, value: UUID) -> HttpResponse:
    """Revoke one award, with a reason the holder and verifiers read."""
    award = get_object_or_404(Award.objects.select_related("achievement", "recipient", "family_member"), uuid=value)
    achievement = managed_achievement(request, award.achievement.uuid)
    if award.revoked_at is not None:
        messages.info(request, _("This award is already revoked."))
        return redirect("passport:achievement-manage", value=achievement.uuid)
    form = RevokeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.award_revoke(award=award, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Revoked: the credential of %(name)s now reads “revoked”.") % {"name": award.holder_name or "—"},
            )
            return redirect("passport:achievement-manage", value=achievement.uuid)
    context = {"form": form, "award": award, "achievement": achievement,
               "credential_url": optional_url("passport:credential", award.uuid)}  # fmt: skip
    return render(request, "passport/awarding/award_revoke.html", context)

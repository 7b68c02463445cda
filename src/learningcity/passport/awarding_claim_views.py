"""Residents' side of awarding: claiming with a code or a QR code, asking with evidence; the issuer's answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.passport import awarding_claims as claims
from learningcity.passport import awarding_requests as requests
from learningcity.passport.awarding_files import CONTENT_TYPES
from learningcity.passport.awarding_permissions import can_manage, can_see_request
from learningcity.passport.forms_awarding import ClaimForm, DecisionForm, RequestForm
from learningcity.passport.models import Achievement, Award, AwardRequest, RequestStatus
from learningcity.passport.views_awarding import optional_url, posted, posted_files
from learningcity.privacy import audit
from learningcity.service_errors import add_service_errors


def _after_award(award: Award) -> HttpResponse:
    """To the holder's credential page when it exists, else the achievement's page."""
    url = optional_url("passport:my-credential", award.uuid)
    return redirect(url) if url else redirect("passport:achievement", value=award.achievement.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """Type the code given at an event; a right code leads to the confirmation page."""
    form = ClaimForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            claims.find_claimable(request.user, form.cleaned_data["code"])
        except claims.ClaimError as error:
            form.add_error("code", error.message)
            status = 429 if error.code == "rate_limited" else 200
        else:
            return redirect("passport:claim-code", code=claims.normalise_code(form.cleaned_data["code"]))
    return render(request, "passport/awarding/claim.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def claim_code(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code's target: what the code gives, and a button to receive it."""
    try:
        achievement = claims.find_claimable(request.user, code)
    except claims.ClaimError as error:
        status = 429 if error.code == "rate_limited" else 200
        return render(request, "passport/awarding/claim_code.html", {"error": error.message}, status=status)
    if request.method == "POST":
        try:
            award = claims.claim(user=request.user, code=code)
        except claims.ClaimError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("You now hold “%(name)s”. It is in your learning record.") % {"name": achievement.name}
            )
            return _after_award(award)
    context = {
        "achievement": achievement,
        "code": claims.normalise_code(code),
        "held": claims.holds(request.user, achievement),
    }
    return render(request, "passport/awarding/claim_code.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def achievement_request(request: HttpRequest, value: UUID) -> HttpResponse:
    """Ask the issuer for the achievement, with a message and evidence (a link or a file)."""
    achievement = get_object_or_404(Achievement.objects.select_related("city", "organisation"), uuid=value)
    form = RequestForm(posted(request), posted_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            requests.request_create(
                achievement=achievement, user=request.user, message=form.cleaned_data["message"],
                evidence_url=form.cleaned_data["evidence_url"], evidence=form.cleaned_data["evidence_file"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your request was sent to %(issuer)s. You will receive their answer by e-mail.")
                             % {"issuer": achievement.issuer_name()})  # fmt: skip
            return redirect("passport:achievement", value=achievement.uuid)
    user: Any = request.user
    pending = achievement.requests.filter(user=user, status=RequestStatus.PENDING).exists()
    context = {
        "form": form,
        "achievement": achievement,
        "pending": pending,
        "held": claims.holds(request.user, achievement),
    }
    return render(request, "passport/awarding/request_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@audit.logs_staff_access(audit.AccessKind.AWARD_REQUEST, audit.award_request_people)
def request_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The issuer reads a request and its evidence, then accepts (and awards) or declines with a note."""
    found = get_object_or_404(AwardRequest.objects.select_related("achievement__organisation", "user", "award"), pk=pk)
    if not can_manage(request.user, found.achievement):
        raise PermissionDenied(_("Only the issuer's staff can answer this request."))
    form = DecisionForm(posted(request))
    if request.method == "POST" and found.status == RequestStatus.PENDING and form.is_valid():
        try:
            _decide(request, found, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("passport:issuer")
    return render(request, "passport/awarding/request_review.html", {"form": form, "award_request": found})


def _decide(request: HttpRequest, found: AwardRequest, data: dict[str, Any]) -> None:
    name = str(found.user)
    if data["decision"] == "accept":
        requests.request_accept(request=found, by=request.user, note=data["note"])
        messages.success(
            request, _("Accepted: %(name)s now holds the achievement and is told by e-mail.") % {"name": name}
        )
    else:
        requests.request_decline(request=found, by=request.user, note=data["note"])
        messages.success(request, _("Declined: %(name)s is told by e-mail, with your note.") % {"name": name})


@login_required
@require_GET
@audit.logs_staff_access(audit.AccessKind.AWARD_EVIDENCE, audit.award_request_people)
def request_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file of a request, for the person who sent it and the issuer's staff only."""
    found = get_object_or_404(AwardRequest.objects.select_related("achievement"), pk=pk)
    if not can_see_request(request.user, found) or not found.evidence_file:
        raise Http404
    extension = found.evidence_file.name.rsplit(".", 1)[-1].lower()
    try:
        with found.evidence_file.open("rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="evidence-{found.pk}.{extension}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

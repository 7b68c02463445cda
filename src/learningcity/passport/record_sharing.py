"""Sharing pages of the record: a holder's credential (public link, LinkedIn, downloads), the public
profile, the download of everything, and erasing the record."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.passport import documents, record_export, record_pdf, record_selectors, record_services
from learningcity.passport.forms_record import EraseForm
from learningcity.passport.models import Award, LearningEntry

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(award: Award) -> str:
    """LinkedIn's "Add to profile" address for a certification, pointing at the credential's public link."""
    awarded = timezone.localtime(award.awarded_at)
    fields: dict[str, Any] = {
        "startTask": "CERTIFICATION_NAME",
        "name": award.achievement.name,
        "organizationName": award.achievement.issuer_name(),
        "issueYear": awarded.year,
        "issueMonth": awarded.month,
        "certUrl": documents.credential_url(award),
        "certId": str(award.uuid),
    }
    if award.valid_until is not None:
        until = timezone.localtime(award.valid_until)
        fields.update(expirationYear=until.year, expirationMonth=until.month)
    return f"{LINKEDIN_ADD}?{urlencode(fields)}"


def _held(request: HttpRequest, value: UUID) -> Award:
    # Someone else's credential is "not found", so that its id reveals nothing.
    award = record_selectors.held_award(request.user, value)
    if award is None:
        raise Http404
    return award


def _filename(award: Award, extension: str) -> str:
    return f"{slugify(award.achievement.name) or 'credential'}.{extension}"


@login_required
@require_GET
def my_credential(request: HttpRequest, value: UUID) -> HttpResponse:
    """The holder's page of one credential: what, who issued it, status, sharing and downloads."""
    award = _held(request, value)
    context = {
        "award": award,
        "achievement": award.achievement,
        "status": record_selectors.award_status(award),
        "public_url": documents.credential_url(award),
        "linkedin_url": linkedin_url(award) if award.shared else "",
        "skills": list(award.achievement.alignments.all()),
    }
    return render(request, "passport/record/credential.html", context)


@login_required
@require_POST
def credential_share(request: HttpRequest, value: UUID) -> HttpResponse:
    """Turn the credential's public link on or off."""
    award = _held(request, value)
    shared = request.POST.get("shared") == "on"
    try:
        record_services.award_share(award=award, by=request.user, shared=shared)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The public link is on.") if shared else _("The public link is off."))
    return redirect("passport:my-credential", value=award.uuid)


def _attachment(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def credential_json(request: HttpRequest, value: UUID) -> HttpResponse:
    """The credential with its Data Integrity proof, as a file."""
    award = _held(request, value)
    body = json.dumps(award.credential, ensure_ascii=False, indent=2)
    return _attachment(body, "application/ld+json", _filename(award, "json"))


@login_required
@require_GET
def credential_jwt(request: HttpRequest, value: UUID) -> HttpResponse:
    """The credential as a VC-JWT, as a file."""
    award = _held(request, value)
    return _attachment(award.jwt, "application/vc+jwt", _filename(award, "jwt"))


@login_required
@require_GET
def credential_pdf(request: HttpRequest, value: UUID) -> HttpResponse:
    """A printable certificate with a QR code to the verification page."""
    award = _held(request, value)
    return _attachment(record_pdf.pdf(record_pdf.certificate_html(award)), "application/pdf", _filename(award, "pdf"))


@login_required
@require_POST
def profile_settings(request: HttpRequest) -> HttpResponse:
    """Turn the public profile on or off."""
    public = request.POST.get("public") == "on"
    record_services.profile_set_public(user=request.user, public=public)  # type: ignore[arg-type]
    messages.success(request, _("Your public profile is on.") if public else _("Your public profile is off."))
    return redirect("passport:record")


@require_GET
def public_profile(request: HttpRequest, slug: UUID) -> HttpResponse:
    """A person's public profile: only the credentials they chose to share (404 when it is off)."""
    profile = record_selectors.public_profile(slug)
    if profile is None:
        raise Http404
    awards = list(record_selectors.shared_awards(profile.user))
    rows = [(award, record_selectors.award_status(award), documents.credential_url(award)) for award in awards]
    return render(request, "passport/record/profile.html", {"person": profile.user, "rows": rows})


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Everything the passport keeps about the person: JSON (complete) or PDF (readable)."""
    user: Any = request.user
    if request.GET.get("format") == "pdf":
        return _attachment(record_pdf.pdf(record_pdf.summary_html(user)), "application/pdf", "learning-record.pdf")
    body = json.dumps(record_export.record_export(user), ensure_ascii=False, indent=2)
    return _attachment(body, "application/json", "learning-record.json")


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    """Erase the whole record, after a confirmation: entries, files, requests, profile; credentials revoked."""
    user: Any = request.user
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        record_services.record_erase(user=user)
        messages.success(request, _("Your learning record is erased and your credentials are revoked."))
        return redirect("passport:record")
    context = {
        "form": form,
        "entries": LearningEntry.objects.filter(user=user).count(),
        "awards": Award.objects.filter(recipient=user, revoked_at__isnull=True).count(),
    }
    return render(request, "passport/record/erase.html", context, status=400 if form.errors else 200)

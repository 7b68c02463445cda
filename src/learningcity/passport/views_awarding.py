"""Issuers' pages: the workspace, achievements (define, edit, public page, image, QR), endorsement, keys.

Awarding pages are in `awarding_award_views`, claim codes and requests in `awarding_claim_views`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.catalogue.jsonld import dumps
from learningcity.passport import awarding_selectors as selectors
from learningcity.passport import awarding_services as services
from learningcity.passport.awarding_files import CONTENT_TYPES
from learningcity.passport.awarding_permissions import (
    Issuer,
    can_manage,
    can_manage_issuer,
    endorsing_organisations,
    issuer_from_key,
    issuer_of,
    issuers_of,
)
from learningcity.passport.awarding_qr import claim_url, qr_svg
from learningcity.passport.forms_awarding import AchievementForm, EndorseForm, RotateForm, SkillFormSet, skills_of
from learningcity.passport.models import Achievement
from learningcity.service_errors import add_service_errors


def optional_url(name: str, *args: Any) -> str | None:
    """The address of a page another part of the passport may not have built yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def posted(request: HttpRequest) -> Any:
    """A form's data: bound on POST (even an empty one), unbound otherwise."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def managed_achievement(request: HttpRequest, value: UUID) -> Achievement:
    """The achievement, for someone who manages it (404 if it does not exist, 403 otherwise)."""
    achievement = get_object_or_404(Achievement.objects.select_related("city", "organisation"), uuid=value)
    if not can_manage(request.user, achievement):
        raise PermissionDenied(_("Only the issuer's staff can manage this achievement."))
    return achievement


def _issuers(request: HttpRequest) -> list[Issuer]:
    issuers = issuers_of(request.user)
    if not issuers:
        raise PermissionDenied(
            _("The issuer's workspace is for staff of a provider organisation and the city's coordinators.")
        )
    return issuers


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    """Achievements with their counts, and requests waiting for an answer."""
    issuers = _issuers(request)
    context = {"issuers": issuers, "workspace": selectors.workspace(request.user)}
    return render(request, "passport/awarding/workspace.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def achievement_add(request: HttpRequest) -> HttpResponse:
    """Define a new achievement for one of the person's issuers (`?issuer=o12`, asked when they have several)."""
    issuers = _issuers(request)
    issuer = issuers[0] if len(issuers) == 1 else issuer_from_key(request.user, request.GET.get("issuer", ""))
    if issuer is None:
        return render(request, "passport/awarding/issuer_choice.html", {"issuers": issuers})
    return _achievement_form(request, issuer, None)


@login_required
@require_http_methods(["GET", "POST"])
def achievement_edit(request: HttpRequest, value: UUID) -> HttpResponse:
    achievement = managed_achievement(request, value)
    return _achievement_form(request, issuer_of(achievement), achievement)


def _achievement_form(request: HttpRequest, issuer: Issuer, achievement: Achievement | None) -> HttpResponse:
    instance = achievement or Achievement(city=issuer.city, organisation=issuer.organisation)
    listings = services.rule_listings(issuer)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = AchievementForm(data, files, instance=instance, listings=listings)
    initial = (
        [{"framework": a.framework, "code": a.code, "label": a.label} for a in instance.alignments.all()]
        if achievement
        else []
    )
    skills = SkillFormSet(data, prefix="skills", initial=initial)
    if request.method == "POST" and form.is_valid() and skills.is_valid():
        try:
            saved = services.achievement_save(
                by=request.user, issuer=issuer, achievement=achievement, fields=form.service_fields(),
                alignments=skills_of(skills), image=form.cleaned_data.get("image_upload"),
                remove_image=bool(form.cleaned_data.get("remove_image")),
            )  # fmt: skip
        except ValidationError as error:
            if achievement is not None:
                achievement.refresh_from_db()
            add_service_errors(form, error, aliases={"alignments": "__all__"})
        else:
            messages.success(request, _("Achievement saved."))
            return redirect("passport:achievement-manage", value=saved.uuid)
    context = {"form": form, "skills": skills, "issuer": issuer, "achievement": achievement}
    return render(request, "passport/awarding/achievement_form.html", context)


@login_required
@require_GET
def achievement_manage(request: HttpRequest, value: UUID) -> HttpResponse:
    """The issuer's page of one achievement: awards, pending requests, ways to award, claim code and QR."""
    achievement = managed_achievement(request, value)
    awards = list(selectors.awards_of(achievement)[:500])
    context = {
        "achievement": achievement,
        "awards": awards,
        "award_total": achievement.awards.count(),
        "pending": list(achievement.requests.filter(status="pending").select_related("user")),
        "alignments": list(achievement.alignments.all()),
        "qr": qr_svg(claim_url(achievement), _("QR code to claim %(name)s") % {"name": achievement.name})
        if achievement.claim_code
        else None,
        "claim_url": claim_url(achievement) if achievement.claim_code else "",
        "roster_available": services.roster_listings(achievement).exists(),
    }
    return render(request, "passport/awarding/achievement_manage.html", context)


@login_required
@require_GET
def achievement_qr(request: HttpRequest, value: UUID) -> HttpResponse:
    """A printable sheet: the QR code, the code in letters, and what to do."""
    achievement = managed_achievement(request, value)
    if not achievement.claim_code:
        raise Http404
    qr = qr_svg(claim_url(achievement), _("QR code to claim %(name)s") % {"name": achievement.name}, size=360)
    form_url = settings.SITE_URL + reverse("passport:claim")
    context = {"achievement": achievement, "qr": qr, "claim_form_url": form_url}
    return render(request, "passport/awarding/achievement_qr.html", context)


@require_GET
def achievement_page(request: HttpRequest, value: UUID) -> HttpResponse:
    """The public page of an achievement: what it stands for, who issues and endorses it, how to earn it."""
    achievement = get_object_or_404(
        Achievement.objects.select_related("city", "organisation", "opportunity"), uuid=value
    )
    held = selectors.current_award(achievement, request.user)
    pathways = [
        (pathway, optional_url("passport:pathway", pathway.uuid)) for pathway in selectors.pathways_with(achievement)
    ]
    endorsements = selectors.endorsements_of(achievement)
    endorsed = {endorsement.organisation_id for endorsement in endorsements}
    context = {
        "achievement": achievement,
        "alignments": list(achievement.alignments.all()),
        "endorsements": endorsements,
        "pathways": pathways,
        "held": held,
        "held_url": optional_url("passport:my-credential", held.uuid) if held else None,
        "my_request": selectors.latest_request(achievement, request.user),
        "can_manage": can_manage(request.user, achievement),
        "can_endorse": any(o.pk not in endorsed for o in endorsing_organisations(request.user, achievement)),
        "jsonld": dumps(_credential_jsonld(achievement, request)),
    }
    return render(request, "passport/awarding/achievement_page.html", context)


def _credential_jsonld(achievement: Achievement, request: HttpRequest) -> dict[str, Any]:
    """schema.org `EducationalOccupationalCredential` of the achievement, for search engines."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalCredential",
        "name": achievement.name,
        "description": achievement.description or achievement.criteria,
        "url": request.build_absolute_uri(),
        "credentialCategory": achievement.get_achievement_type_display(),
        "educationalLevel": achievement.get_level_display(),
        "recognizedBy": {"@type": "Organization", "name": achievement.issuer_name()},
    }
    if achievement.valid_for_days:
        data["validFor"] = f"P{achievement.valid_for_days}D"
    skills = [a.label for a in achievement.alignments.all()]
    if skills:
        data["competencyRequired"] = skills
    return data


@require_GET
def achievement_image(request: HttpRequest, value: UUID) -> HttpResponse:
    """The badge image, served with a policy that lets an SVG draw but never run or fetch anything."""
    achievement = get_object_or_404(Achievement, uuid=value)
    if not achievement.image:
        raise Http404
    extension = achievement.image.name.rsplit(".", 1)[-1].lower()
    try:
        with achievement.image.open("rb") as stored:
            data = stored.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def achievement_endorse(request: HttpRequest, value: UUID) -> HttpResponse:
    """Staff of another organisation vouch for the achievement, with a comment."""
    achievement = get_object_or_404(Achievement.objects.select_related("city", "organisation"), uuid=value)
    organisations = endorsing_organisations(request.user, achievement)
    if not organisations:
        raise PermissionDenied(_("Only staff of another organisation can endorse this achievement."))
    form = EndorseForm(posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.achievement_endorse(
                achievement=achievement, organisation_id=form.cleaned_data["organisation"].pk,
                by=request.user, comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your endorsement is shown on the achievement's page."))
            return redirect("passport:achievement", value=achievement.uuid)
    return render(request, "passport/awarding/endorse.html", {"form": form, "achievement": achievement})


@login_required
@require_http_methods(["GET", "POST"])
def issuer_keys(request: HttpRequest) -> HttpResponse:
    """Each issuer's DID and signing keys; rotating the key (credentials already issued keep verifying)."""
    issuers = _issuers(request)
    form = RotateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        issuer = issuer_from_key(request.user, form.cleaned_data["issuer"])
        if issuer is None or not can_manage_issuer(request.user, issuer):
            raise PermissionDenied(_("Only the issuer's staff can do this."))
        services.issuer_key_rotate(issuer=issuer, by=request.user)
        messages.success(
            request, _("New signing key for %(name)s. Credentials issued before still verify.") % {"name": issuer.name}
        )
        return redirect("passport:issuer-keys")
    rows = [(issuer, services.issuer_keys(issuer), did_document_path(issuer)) for issuer in issuers]
    failed = form.data.get("issuer") if form.is_bound else None
    return render(request, "passport/awarding/keys.html", {"rows": rows, "form": form, "failed": failed})


def did_document_path(issuer: Issuer) -> str:
    """The DID document's address (language-free)."""
    if issuer.organisation is not None:
        return reverse("passport-organisation-did", args=[issuer.organisation.pk])
    return reverse("passport-city-did", args=[issuer.city.slug])

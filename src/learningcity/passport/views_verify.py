"""Verification pages: the public page of one of our credentials, and "verify any credential".

Neither needs an account. A credential's page exists only for those allowed to see it (its holder
chose to share it, or the viewer is its holder, their guardian, or the issuer's staff): anyone
else gets the same 404 as for an address that was never issued, so the page leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.catalogue.permissions import is_coordinator_of, is_staff_of
from learningcity.passport import crypto, documents, throttle, verification
from learningcity.passport.forms_verify import VerifyForm
from learningcity.passport.models import Award
from learningcity.passport.pathway_display import safe_reverse
from learningcity.passport.verification import Outcome, Verification

# When the two proofs of one credential disagree, the page says the worse.
SEVERITY = [
    Outcome.TAMPERED,
    Outcome.MALFORMED,
    Outcome.UNKNOWN_ISSUER,
    Outcome.REVOKED,
    Outcome.EXPIRED,
    Outcome.NOT_YET_VALID,
    Outcome.VALID,
]


def can_view_award(user: Any, award: Award) -> bool:
    """Shared, or the viewer holds it (or is the guardian of who does), or works for its issuer."""
    if award.shared:
        return True
    if not user.is_authenticated:
        return False
    if award.holder_account_id == user.pk:
        return True
    achievement = award.achievement
    if achievement.organisation_id is not None:
        return is_staff_of(user, achievement.organisation_id)
    return is_coordinator_of(user, achievement.city_id)


def outcome_symbol(outcome: str) -> str:
    """A sign beside the words (never instead of them)."""
    symbols = {str(Outcome.VALID): "✓", str(Outcome.UNKNOWN_ISSUER): "?", str(Outcome.NOT_YET_VALID): "…"}
    return symbols.get(str(outcome), "✗")


def worst(results: list[Verification]) -> Verification:
    return min(results, key=lambda result: SEVERITY.index(Outcome(result.outcome)))


# What a credential says


@dataclass
class Skill:
    label: str
    url: str | None = None
    code: str = ""


@dataclass
class CredentialSummary:
    """What a credential claims, read from the document (ours or another issuer's), for people."""

    name: str = ""
    description: str = ""
    criteria: str = ""
    achievement_type: str = ""
    achievement_url: str | None = None
    issuer_name: str = ""
    issuer_id: str = ""
    issuer_document_url: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    skills: list[Skill] = field(default_factory=list)


def _web_link(value: Any) -> str | None:
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _time(value: Any) -> datetime | None:
    try:
        return crypto.parse_time(str(value)) if value else None
    except crypto.ProofError:
        return None


def summarize(document: dict[str, Any] | None) -> CredentialSummary | None:
    """The credential's claims, leaving out whatever is missing or of the wrong shape."""
    if not isinstance(document, dict):
        return None
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = document.get("issuer")
    criteria = achievement.get("criteria")
    issuer_id = crypto.issuer_id(document)
    alignments = achievement.get("alignment")
    return CredentialSummary(
        name=_text(achievement.get("name")) or _text(document.get("name")),
        description=_text(achievement.get("description")),
        criteria=_text(criteria.get("narrative")) if isinstance(criteria, dict) else "",
        achievement_type=_text(achievement.get("achievementType")),
        achievement_url=_web_link(achievement.get("id")),
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, dict) else "",
        issuer_id=issuer_id,
        issuer_document_url=documents.did_document_url(issuer_id),
        valid_from=_time(document.get("validFrom")),
        valid_until=_time(document.get("validUntil")),
        skills=[
            Skill(_text(item.get("targetName")), _web_link(item.get("targetUrl")), _text(item.get("targetCode")))
            for item in (alignments if isinstance(alignments, list) else [])
            if isinstance(item, dict) and _text(item.get("targetName"))
        ],
    )


# The public page of one of our credentials


@dataclass
class ProofResult:
    label: str
    result: Verification


def holder_label(award: Award) -> str:
    """The holder's name; never a family member's (a child's credential names no one)."""
    if award.family_member_id is not None and award.family_member is not None:
        born = award.family_member.year_of_birth
        if timezone.localdate().year - born < settings.PASSPORT_MINOR_AGE:
            return _("a young learner")
        return _("a learner")
    return award.holder_name or _("a learner")


def document_links(award: Award) -> dict[str, str]:
    """Where to download the credential: its language-free address, and the VC-JWT here (see `credential_jwt`)."""
    base = reverse("passport-credential-document", args=[award.uuid])
    return {"json": f"{base}?format=json", "jwt": reverse("passport:credential-jwt", args=[award.uuid])}


def _visible_award(request: HttpRequest, value: UUID) -> Award:
    award = (
        Award.objects.select_related("achievement__organisation", "achievement__city", "family_member", "recipient")
        .filter(uuid=value)
        .first()
    )
    if award is None or not can_view_award(request.user, award):
        raise Http404
    return award


@require_GET
def credential_page(request: HttpRequest, value: UUID) -> HttpResponse:
    """One of our credentials, verified now in both its proofs: valid, revoked, expired or tampered with."""
    award = _visible_award(request, value)
    proofs = [
        ProofResult(_("Embedded proof (Data Integrity)"), verification.verify(award.credential)),
        ProofResult(_("VC-JWT"), verification.verify(award.jwt)),
    ]
    overall = worst([proof.result for proof in proofs])
    achievement = award.achievement
    did = documents.issuer_did(achievement.city, achievement.organisation)
    holder = award.holder_account_id == getattr(request.user, "pk", None)
    context = {
        "award": award,
        "achievement": achievement,
        "result": overall,
        "symbol": outcome_symbol(overall.outcome),
        "proofs": proofs,
        "holder": holder_label(award),
        "issuer_did": did,
        "issuer_document_url": documents.did_document_url(did),
        "skills": list(achievement.alignments.all()),
        "achievement_url": safe_reverse("passport:achievement", achievement.uuid),
        "downloads": document_links(award) if award.shared or holder else None,
    }
    return render(request, "passport/verify/credential.html", context)


@require_GET
def credential_jwt(request: HttpRequest, value: UUID) -> HttpResponse:
    """The VC-JWT as a file.

    `/credentials/<uuid>?format=jwt` (public_views) sends browsers to the page instead: its
    `wants_json` only knows `format=json`.
    """
    award = _visible_award(request, value)
    response = HttpResponse(award.jwt, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="credential-{award.uuid}.jwt"'
    return response


# Verify any credential


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Paste or upload a credential, ours or another issuer's, and see whether it holds and why."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttle.verification_allowed(request):
            result = verification.verify(form.value())
        else:
            form.add_error(None, _("You checked many credentials in a short time: wait a minute, then try again."))
            status = 429
    context = {
        "form": form,
        "result": result,
        "symbol": outcome_symbol(result.outcome) if result else "",
        "summary": summarize(result.credential) if result else None,
        "own_page": _own_page(request, result),
    }
    return render(request, "passport/verify/verify.html", context, status=status)


def _own_page(request: HttpRequest, result: Verification | None) -> str | None:
    """Our page for the credential, when it is one of ours that the viewer may see."""
    if result is None or result.award is None or not can_view_award(request.user, result.award):
        return None
    return reverse("passport:credential", args=[result.award.uuid])

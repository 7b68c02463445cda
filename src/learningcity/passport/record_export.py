"""Everything the passport keeps about a person, as one JSON document they can download (GDPR art. 15 and 20)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.passport import documents
from learningcity.passport.models import Award, AwardRequest, GuardianConsent, LearningEntry, PassportProfile

FORMAT_VERSION = 1


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _entry(entry: LearningEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "for": entry.family_member.name if entry.family_member else None,
        "title": entry.title,
        "setting": entry.setting,
        "details": entry.description,
        "where_or_with_whom": entry.provider_name,
        "from": _time(entry.started_on),
        "until": _time(entry.ended_on),
        "evidence_link": entry.evidence_url or None,
        "evidence_file": bool(entry.evidence_file),
        "endorsement_asked_from": entry.endorsement_requested_from.name if entry.endorsement_requested_from else None,
        "endorsed_by": entry.endorsed_by.name if entry.endorsed_by else None,
        "endorsed_at": _time(entry.endorsed_at),
        "award": str(entry.award.uuid) if entry.award else None,
        "imported_credential": entry.imported_credential,
        "added_at": _time(entry.created_at),
    }


def _award(award: Award) -> dict[str, Any]:
    return {
        "id": documents.credential_url(award),
        "achievement": award.achievement.name,
        "issuer": award.achievement.issuer_name(),
        "for": award.family_member.name if award.family_member else None,
        "awarded_at": _time(award.awarded_at),
        "valid_until": _time(award.valid_until),
        "revoked_at": _time(award.revoked_at),
        "revocation_reason": award.revocation_reason or None,
        "public_link": award.shared,
        "credential": award.credential,
        "jwt": award.jwt,
    }


def _request(request: AwardRequest) -> dict[str, Any]:
    return {
        "achievement": request.achievement.name,
        "for": request.family_member.name if request.family_member else None,
        "message": request.message,
        "evidence_link": request.evidence_url or None,
        "evidence_file": bool(request.evidence_file),
        "status": request.status,
        "decision_note": request.decision_note,
        "asked_at": _time(request.created_at),
        "reviewed_at": _time(request.reviewed_at),
    }


def _consent(consent: GuardianConsent) -> dict[str, Any]:
    return {
        "for": consent.family_member.name,
        "given_at": _time(consent.given_at),
        "withdrawn_at": _time(consent.withdrawn_at),
    }


def record_export(user: User) -> dict[str, Any]:
    """The person's record, credentials, requests, consents and sharing choices."""
    profile = PassportProfile.objects.filter(user=user).first()
    entries = LearningEntry.objects.filter(user=user).select_related(
        "family_member", "endorsement_requested_from", "endorsed_by", "award"
    )
    awards = (
        Award.objects.filter(Q(recipient=user) | Q(family_member__account=user))
        .select_related("achievement__organisation", "achievement__city", "family_member")
        .order_by("awarded_at", "id")
    )
    requests = AwardRequest.objects.filter(user=user).select_related("achievement__organisation", "family_member")
    consents = GuardianConsent.objects.filter(family_member__account=user).select_related("family_member")
    return {
        "format": "learningcity-passport-export",
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "person": {"name": user.display_name, "email": user.email},
        "public_profile": {"on": profile.public, "slug": str(profile.slug)} if profile else {"on": False},
        "entries": [_entry(entry) for entry in entries.order_by("created_at", "id")],
        "awards": [_award(award) for award in awards],
        "requests": [_request(request) for request in requests.order_by("created_at", "id")],
        "guardian_consents": [_consent(consent) for consent in consents.order_by("given_at", "id")],
    }

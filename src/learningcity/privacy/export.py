"""Everything the platform holds about a person, as one JSON document (GDPR art. 15 and 20).

The guardian's export covers the family members they manage (minors' data goes through their
guardian). Secrets are never included: the calendar token and API tokens appear without them.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from learningcity.accounts.models import FamilyMember, User
from learningcity.privacy.models import ConsentRecord, StaffAccess
from learningcity.privacy.tokens import tokens_export

FORMAT_VERSION = 1


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email, "name": user.display_name, "preferred_language": user.preferred_language,
        "year_of_birth": user.year_of_birth, "sex": user.sex or None,
        "district": user.district.name if user.district else None,
        "email_verified_at": _time(user.email_verified_at), "joined_at": _time(user.date_joined),
        "last_login": _time(user.last_login),
        "roles": {
            "provider_staff_of": [m.organisation.name for m in user.memberships.select_related("organisation")],
            "coordinator_of": [city.name for city in user.coordinated_cities.all()],
            "administrator": user.is_superuser,
        },
    }  # fmt: skip


def _family(user: User) -> list[dict[str, Any]]:
    return [
        {"id": member.pk, "name": member.name, "year_of_birth": member.year_of_birth,
         "added_at": _time(member.created_at), "removed_at": _time(member.removed_at)}
        for member in FamilyMember.objects.filter(account=user).order_by("created_at", "pk")
    ]  # fmt: skip


def _registrations(user: User) -> list[dict[str, Any]]:
    from learningcity.enrolment.models import Registration

    rows = Registration.objects.filter(user=user).select_related(
        "session__opportunity__organisation", "family_member", "feedback", "follow_up"
    )
    return [_registration(row) for row in rows.order_by("created_at", "pk")]


def _registration(row: Any) -> dict[str, Any]:
    feedback = getattr(row, "feedback", None)
    follow_up = getattr(row, "follow_up", None)
    return {
        "opportunity": row.session.opportunity.title, "provider": row.session.opportunity.organisation.name,
        "session_start": _time(row.session.start), "for": row.participant_name,
        "family_member_id": row.family_member_id, "group": row.group_name or None, "places": row.places,
        "status": row.status, "waitlisted_or_offered": row.status in {"waitlisted", "offered"},
        "offer_expires_at": _time(row.offer_expires_at), "cancellation_reason": row.cancellation_reason or None,
        "attended": row.attended, "pay_with_credit": row.use_credit, "reduced_price_claimed": row.reduced_price_claimed,
        "registered_at": _time(row.created_at),
        "feedback": {"rating": feedback.rating, "comment": feedback.comment, "at": _time(feedback.created_at)}
        if feedback else None,
        "follow_up": {"outcome": follow_up.outcome, "comment": follow_up.comment, "at": _time(follow_up.created_at)}
        if follow_up else None,
    }  # fmt: skip


def _festival_submissions(user: User) -> list[dict[str, Any]]:
    from learningcity.festival.models import Submission

    rows = Submission.objects.filter(submitted_by=user).select_related("festival", "opportunity")
    return [
        {"festival": str(row.festival), "event": row.opportunity.title, "note": row.note, "status": row.status,
         "submitted_at": _time(row.submitted_at), "decided_at": _time(row.decided_at), "message": row.message}
        for row in rows.order_by("submitted_at", "pk")
    ]  # fmt: skip


def _credits(user: User) -> dict[str, Any]:
    from learningcity.credits.models import Account, IdentityCheck, JobSeekerDeclaration

    accounts = Account.objects.filter(user=user).select_related("scheme").prefetch_related("entries")
    return {
        "accounts": [
            {"scheme": account.scheme.name, "balance": str(account.balance), "opened_at": _time(account.created_at),
             "ledger": [{"kind": e.kind, "amount": str(e.amount), "balance_after": str(e.balance_after),
                         "what": e.label, "at": _time(e.created_at)} for e in account.entries.all()]}
            for account in accounts
        ],
        "identity_checks": [
            {"city": check.city.name, "document_kind": check.document_kind, "checked_at": _time(check.checked_at)}
            for check in IdentityCheck.objects.filter(user=user).select_related("city")
        ],
        "job_seeker_declarations": [
            {"city": d.city.name, "proof": d.evidence_kind, "reference": d.evidence_reference, "status": d.status,
             "declared_at": _time(d.declared_at), "valid_until": _time(d.valid_until), "note": d.decision_note}
            for d in JobSeekerDeclaration.objects.filter(user=user).select_related("city")
        ],
    }  # fmt: skip


def _calendar(user: User) -> dict[str, Any] | None:
    from learningcity.calendars.models import FeedToken

    token = FeedToken.objects.filter(user=user).first()
    return {"made_at": _time(token.created_at), "last_read_at": _time(token.last_read_at)} if token else None


def _preferences(user: User) -> dict[str, Any]:
    from learningcity.enrolment.models import MessagePreference
    from learningcity.monitoring.models import ReminderPreference
    from learningcity.search.models import SavedSearch, SearchPreference

    messages = MessagePreference.objects.filter(user=user).first()
    reminders = ReminderPreference.objects.filter(user=user).first()
    search = SearchPreference.objects.filter(user=user).first()
    return {
        "registration_emails": {"confirmations": messages.confirmations, "reminders": messages.reminders,
                                "cancellations": messages.cancellations} if messages else "all (default)",
        "follow_up_emails": reminders.follow_up_emails if reminders else True,
        "personal_suggestions": bool(search and search.suggestions),
        "saved_searches": [
            {"name": s.name, "search": s.query, "email_alerts": s.alerts, "created_at": _time(s.created_at)}
            for s in SavedSearch.objects.filter(user=user)
        ],
    }  # fmt: skip


def _consents(user: User) -> list[dict[str, Any]]:
    return [
        {"purpose": c.purpose, "notice_version": c.notice_version, "given_at": _time(c.given_at),
         "withdrawn_at": _time(c.withdrawn_at), "how": c.method}
        for c in ConsentRecord.objects.filter(user=user)
    ]  # fmt: skip


def _staff_access(user: User) -> list[dict[str, Any]]:
    entries = StaffAccess.objects.filter(subjects=user).select_related("staff", "city")
    return [
        {"at": _time(e.at), "by": str(e.staff), "what": e.what, "object": e.object_ref, "city": e.city.name if e.city
         else None} for e in entries
    ]  # fmt: skip


def person_export(user: User) -> dict[str, Any]:
    """One document with every kind of data held about the person and the family members they manage."""
    from learningcity.passport.record_export import record_export

    return {
        "format": "learningcity-personal-data", "version": FORMAT_VERSION, "exported_at": timezone.now().isoformat(),
        "account": _account(user), "family_members": _family(user), "registrations": _registrations(user),
        "festival_submissions": _festival_submissions(user), "learning_credit": _credits(user),
        "calendar_feed": _calendar(user), "preferences": _preferences(user), "passport": record_export(user),
        "consents": _consents(user), "api_tokens": tokens_export(user), "staff_access": _staff_access(user),
    }  # fmt: skip


def mentions(document: dict[str, Any], needle: str) -> bool:
    """Whether a text appears anywhere in an export (tests and support use it)."""
    import json

    return needle.lower() in json.dumps(document, ensure_ascii=False).lower()

"""Writes of the learning record: declared learning and its endorsement, guardians' consent, sharing,
imported credentials, and erasing everything.

Each write is one transaction; evidence files are removed from storage only once the transaction
that stopped using them has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from learningcity.accounts.models import FamilyMember, User
from learningcity.passport import record_files, record_imports, services, verification
from learningcity.passport import record_permissions as permissions
from learningcity.passport.models import (
    Award,
    AwardRequest,
    EntryKind,
    GuardianConsent,
    LearningEntry,
    PassportProfile,
)

# What a resident writes about their learning (the form's fields, named as the model's).
CONTENT_FIELDS = (
    "title",
    "setting",
    "description",
    "provider_name",
    "started_on",
    "ended_on",
    "evidence_url",
    "endorsement_requested_from",
)
TEXT_FIELDS = ("title", "description", "provider_name", "evidence_url")


def _erased_reason(user: User) -> str:
    """The revocation reason verifiers read, in the holder's language."""
    with translation.override(user.preferred_language or None):
        return _("The holder erased their record.")


def _withdrawn_reason(user: User) -> str:
    with translation.override(user.preferred_language or None):
        return _("The guardian withdrew their consent to keep a learning record.")


def _no_record_for(member: FamilyMember) -> ValidationError:
    return ValidationError(
        _("No learning record is kept for %(name)s: first agree that the city keeps one.") % {"name": member.name}
    )


def _check_member(by: Any, family_member: FamilyMember | None) -> None:
    if family_member is None:
        return
    if not permissions.manages(by, family_member):
        raise PermissionDenied(_("This family member is not on your list."))
    if not permissions.has_consent(family_member):
        raise _no_record_for(family_member)


def _validate(entry: LearningEntry, evidence: UploadedFile | None) -> None:
    """Every error at once, field by field; the evidence file is checked by its content."""
    errors: dict[str, list[str]] = {}
    try:
        entry.full_clean(exclude=["evidence_file"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if entry.started_on and entry.started_on > timezone.localdate():
        errors.setdefault("started_on", []).append(_("Declare learning that has happened: this date is in the future."))
    if evidence is not None:
        try:
            entry.evidence_file = record_files.checked_evidence(evidence)
        except ValidationError as error:
            errors["evidence_file"] = error.messages
    if errors:
        raise ValidationError(errors)


def _assign(entry: LearningEntry, fields: dict[str, Any]) -> None:
    for name in CONTENT_FIELDS:
        value = fields.get(name)
        setattr(entry, name, "" if value is None and name in TEXT_FIELDS else value)


def _save_with_file(entry: LearningEntry) -> None:
    """Save the entry; if the database refuses, remove the file just written so nothing is left behind."""
    try:
        entry.save()
    except Exception:
        if entry.evidence_file:
            entry.evidence_file.storage.delete(entry.evidence_file.name)
        raise


@transaction.atomic
def entry_declare(
    *, by: User, family_member: FamilyMember | None, fields: dict[str, Any], evidence: UploadedFile | None = None
) -> LearningEntry:
    """A resident adds learning to their record (or their child's), with evidence, maybe asking for endorsement."""
    _check_member(by, family_member)
    entry = LearningEntry(user=by, family_member=family_member, kind=EntryKind.DECLARED)
    _assign(entry, fields)
    _validate(entry, evidence)
    _save_with_file(entry)
    return entry


@dataclass(frozen=True)
class EntryUpdate:
    entry: LearningEntry
    endorsement_dropped: bool


@transaction.atomic
def entry_update(
    *,
    entry: LearningEntry,
    by: User,
    fields: dict[str, Any],
    evidence: UploadedFile | None = None,
    remove_evidence: bool = False,
) -> EntryUpdate:
    """The resident corrects declared learning; an endorsement does not survive a change of what it vouched for."""
    entry = LearningEntry.objects.select_for_update().get(pk=entry.pk)
    if not permissions.can_edit_entry(by, entry):
        raise PermissionDenied(_("Only learning you declared can be changed."))
    before = {name: getattr(entry, name) for name in CONTENT_FIELDS}
    old_file = entry.evidence_file.name if entry.evidence_file else ""
    _assign(entry, fields)
    if remove_evidence and evidence is None:
        entry.evidence_file = None
    _validate(entry, evidence)
    changed = before != {name: getattr(entry, name) for name in CONTENT_FIELDS} or evidence is not None
    changed = changed or bool(remove_evidence and old_file)
    dropped = bool(changed and entry.endorsed_at is not None)
    if dropped:
        entry.endorsed_by, entry.endorsed_at = None, None
    _save_with_file(entry)
    if old_file and old_file != (entry.evidence_file.name if entry.evidence_file else ""):
        record_files.delete_after_commit([old_file])
    return EntryUpdate(entry, dropped)


@transaction.atomic
def entry_delete(*, entry: LearningEntry, by: User) -> None:
    """The resident removes declared learning or an imported credential from their record."""
    if not permissions.can_delete_entry(by, entry):
        raise PermissionDenied(_("Attendance and achievements stay in the record; erase the record to remove them."))
    record_files.delete_after_commit([entry.evidence_file.name if entry.evidence_file else ""])
    entry.delete()


@transaction.atomic
def endorsement_decide(*, entry: LearningEntry, by: User, endorse: bool) -> LearningEntry:
    """The organisation asked vouches for declared learning, or declines (the request is then cleared)."""
    entry = LearningEntry.objects.select_for_update().get(pk=entry.pk)
    if not permissions.can_endorse_entry(by, entry):
        raise PermissionDenied(_("Your organisation was not asked to endorse this learning, or has answered."))
    if endorse:
        entry.endorsed_by = entry.endorsement_requested_from
        entry.endorsed_at = timezone.now()
    else:
        entry.endorsement_requested_from = None
    entry.save(update_fields=["endorsed_by", "endorsed_at", "endorsement_requested_from"])
    return entry


# Guardians' consent


@transaction.atomic
def consent_give(*, family_member: FamilyMember, by: User) -> GuardianConsent:
    """The guardian agrees that the city keeps a learning record and credentials for the family member."""
    if not permissions.manages(by, family_member):
        raise PermissionDenied(_("This family member is not on your list."))
    consent, _created = GuardianConsent.objects.update_or_create(
        family_member=family_member, defaults={"guardian": by, "given_at": timezone.now(), "withdrawn_at": None}
    )
    return consent


@transaction.atomic
def consent_withdraw(*, family_member: FamilyMember, by: User) -> GuardianConsent | None:
    """The guardian withdraws consent: the family member's record is erased and their credentials revoked."""
    if not permissions.manages(by, family_member):
        raise PermissionDenied(_("This family member is not on your list."))
    consent = GuardianConsent.objects.select_for_update().filter(family_member=family_member).first()
    if consent is None or not consent.active:
        return consent
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    _erase(
        awards=Award.objects.filter(family_member=family_member),
        entries=LearningEntry.objects.filter(family_member=family_member),
        requests=AwardRequest.objects.filter(family_member=family_member),
        reason=_withdrawn_reason(by),
    )
    return consent


# Sharing


@transaction.atomic
def profile_set_public(*, user: User, public: bool) -> PassportProfile:
    """Turn the person's public profile (the credentials they shared, at an unguessable address) on or off."""
    profile, _created = PassportProfile.objects.select_for_update().get_or_create(user=user)
    profile.public = public
    profile.save(update_fields=["public"])
    return profile


def award_share(*, award: Award, by: User, shared: bool) -> Award:
    """The holder (a child's guardian) turns the credential's public link on or off."""
    if not permissions.holds_award(by, award):
        raise PermissionDenied(_("Only the holder can share a credential."))
    if shared and award.revoked_at is not None:
        raise ValidationError(_("A revoked credential cannot be shared."))
    if shared and award.family_member_id and not permissions.has_consent(award.family_member):
        raise ValidationError(_("Agree that the city keeps a record for this child before sharing it."))
    return services.set_shared(award, shared)


# Importing credentials issued elsewhere


@dataclass(frozen=True)
class ImportResult:
    """The verification of what was given, and the record entry added if it was valid."""

    verification: verification.Verification
    entry: LearningEntry | None
    refusal: str = ""


@transaction.atomic
def credential_import(*, by: User, family_member: FamilyMember | None, value: str | bytes) -> ImportResult:
    """Verify a credential and, only if it is valid, add it to the record as a credential from elsewhere."""
    _check_member(by, family_member)
    result = verification.verify(value)
    if not result.valid or result.credential is None:
        return ImportResult(result, None)
    stored = record_imports.stored_form(result, value)
    refusal = _duplicate(by, family_member, result, stored)
    if refusal:
        return ImportResult(result, None, refusal)
    entry = LearningEntry(
        user=by, family_member=family_member, kind=EntryKind.IMPORTED, imported_credential=stored,
        **record_imports.entry_fields(result.credential),
    )  # fmt: skip
    entry.full_clean()
    entry.save()
    return ImportResult(result, entry)


def _duplicate(by: User, family_member: FamilyMember | None, result: verification.Verification, stored: Any) -> str:
    """Why the credential cannot join this record (someone else's, or already there), or ""."""
    if family_member is None and result.credential and record_imports.names_someone_else(result.credential, by.email):
        return _("This credential was issued to another e-mail address: only its holder can add it to a record.")
    award = result.award
    if (
        award is not None
        and award.holder_account_id == by.pk
        and award.family_member_id == (family_member.pk if family_member else None)
    ):
        return _("This credential is already in the record: it was awarded here.")
    key = record_imports.credential_key(stored)
    existing = LearningEntry.objects.filter(user=by, family_member=family_member, kind=EntryKind.IMPORTED)
    if any(record_imports.credential_key(row) == key for row in existing.values_list("imported_credential", flat=True)):
        return _("This credential is already in the record.")
    return ""


# Erasing


def _erase(
    *, awards: QuerySet[Award], entries: QuerySet[LearningEntry], requests: QuerySet[AwardRequest], reason: str
) -> int:
    """Revoke and delete awards, delete entries and requests (and their files). The status list bits stay set."""
    services.revoke_many(awards.filter(revoked_at__isnull=True), by=None, reason=reason)
    files = [str(name) for name in entries.values_list("evidence_file", flat=True) if name]
    files += [str(name) for name in requests.values_list("evidence_file", flat=True) if name]
    count = entries.delete()[0] + requests.delete()[0] + awards.delete()[0]
    record_files.delete_after_commit(files)
    return count


@transaction.atomic
def record_erase(*, user: User) -> int:
    """Erase everything the passport keeps about the person and the family members they manage.

    Credentials already handed out cannot be called back, so each is revoked first (its status list
    bit stays set: a verifier reads it as revoked), then deleted with everything else.
    """
    count = _erase(
        awards=Award.objects.filter(Q(recipient=user) | Q(family_member__account=user)),
        entries=LearningEntry.objects.filter(user=user),
        requests=AwardRequest.objects.filter(user=user),
        reason=_erased_reason(user),
    )
    count += GuardianConsent.objects.filter(family_member__account=user).delete()[0]
    count += GuardianConsent.objects.filter(guardian=user).delete()[0]
    count += PassportProfile.objects.filter(user=user).delete()[0]
    return count

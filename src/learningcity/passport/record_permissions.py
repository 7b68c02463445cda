"""Who may see and change what in a learning record. The record is private: its holder, and nobody else,
except the provider a resident asked to endorse an entry (that entry and its evidence only)."""

from __future__ import annotations

from typing import Any

from learningcity.accounts.models import FamilyMember
from learningcity.catalogue.permissions import is_staff_of
from learningcity.passport.models import Award, EntryKind, GuardianConsent, LearningEntry

EDITABLE_KINDS = (EntryKind.DECLARED,)
DELETABLE_KINDS = (EntryKind.DECLARED, EntryKind.IMPORTED)


def owns_entry(user: Any, entry: LearningEntry) -> bool:
    """The entry is in the person's record, or in the record of a family member they manage."""
    return bool(user.is_authenticated and entry.user_id == user.pk)


def can_edit_entry(user: Any, entry: LearningEntry) -> bool:
    """Only learning the person declared can be changed; attendance and awards come from providers."""
    return owns_entry(user, entry) and entry.kind in EDITABLE_KINDS


def can_delete_entry(user: Any, entry: LearningEntry) -> bool:
    """Declared learning and imported credentials can be removed one by one (erasing removes everything)."""
    return owns_entry(user, entry) and entry.kind in DELETABLE_KINDS


def can_endorse_entry(user: Any, entry: LearningEntry) -> bool:
    """Staff of the organisation the holder asked, for a declared entry still waiting for an answer."""
    return bool(
        entry.kind == EntryKind.DECLARED
        and entry.endorsement_requested_from_id
        and entry.endorsed_at is None
        and is_staff_of(user, entry.endorsement_requested_from_id)
    )


def can_see_evidence(user: Any, entry: LearningEntry) -> bool:
    """The holder, and staff of the organisation asked to endorse the entry."""
    if owns_entry(user, entry):
        return True
    organisation_id = entry.endorsement_requested_from_id
    return bool(organisation_id and is_staff_of(user, organisation_id))


def holds_award(user: Any, award: Award) -> bool:
    """The award is the person's, or their child's (the guardian holds it for them)."""
    return bool(user.is_authenticated and award.holder_account_id == user.pk)


def manages(user: Any, family_member: FamilyMember) -> bool:
    """The family member is on the person's list."""
    return bool(user.is_authenticated and family_member.account_id == user.pk and family_member.removed_at is None)


def has_consent(family_member: FamilyMember | None) -> bool:
    """A record is kept for a family member only with their guardian's active consent (nobody else needs one)."""
    if family_member is None:
        return True
    return GuardianConsent.objects.filter(family_member=family_member, withdrawn_at__isnull=True).exists()

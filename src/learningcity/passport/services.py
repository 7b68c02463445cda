"""Writes of the passport: awarding (one, or many at once), revoking, key rotation, status lists.

Every award is signed when it is made, in both formats, inside the transaction that creates it:
there is never an award without its credential.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.accounts.models import FamilyMember, User
from learningcity.catalogue.models import City, Organisation
from learningcity.passport import crypto, documents, keys
from learningcity.passport.models import (
    STATUS_LIST_SIZE,
    Achievement,
    Award,
    AwardMethod,
    EntryKind,
    GuardianConsent,
    LearningEntry,
    LearningSetting,
    SigningKey,
    StatusList,
    expiry_for,
)

logger = logging.getLogger(__name__)


class AwardError(Exception):
    """An award that cannot be made; the message says why, for people."""


@dataclass(frozen=True)
class Holder:
    """Who receives an award: an account holder, or a family member managed by their guardian."""

    user: User | None = None
    family_member: FamilyMember | None = None

    @property
    def account(self) -> User:
        if self.family_member is not None:
            return self.family_member.account
        assert self.user is not None
        return self.user

    @property
    def name(self) -> str:
        if self.family_member is not None:
            return self.family_member.name
        assert self.user is not None
        return self.user.display_name or ""


# Status lists


def _status_list_for_update(city: City, organisation: Organisation | None) -> StatusList:
    """The issuer's status list with room left, locked for this transaction (a new one when full)."""
    lists = StatusList.objects.select_for_update().filter(
        city=city, organisation=organisation, purpose=documents.STATUS_PURPOSE
    )
    status_list = lists.filter(next_index__lt=STATUS_LIST_SIZE).order_by("id").first()
    if status_list is None:
        status_list = StatusList.objects.create(
            city=city, organisation=organisation, size=STATUS_LIST_SIZE, bits=bytes(STATUS_LIST_SIZE // 8)
        )
        status_list = lists.get(pk=status_list.pk)
    return status_list


def _reserve_indexes(city: City, organisation: Organisation | None, count: int) -> list[tuple[StatusList, int]]:
    """`count` unused (status list, index) slots of the issuer, in order."""
    slots: list[tuple[StatusList, int]] = []
    while len(slots) < count:
        status_list = _status_list_for_update(city, organisation)
        take = min(count - len(slots), status_list.size - status_list.next_index)
        slots.extend((status_list, status_list.next_index + offset) for offset in range(take))
        status_list.next_index += take
        status_list.save(update_fields=["next_index"])
    return slots


def signed_status_list(status_list: StatusList) -> dict[str, Any]:
    """The status list credential, signed by its issuer (signed again whenever a bit changed)."""
    if status_list.credential is None:
        key = keys.current_key(status_list.city, status_list.organisation)
        status_list.credential = crypto.sign_data_integrity(
            documents.status_list_credential(status_list),
            keys.private_key(key),
            documents.key_id(key),
            created=status_list.updated_at,
        )
        # Only if no revocation changed the list meanwhile (it signs the new bits itself).
        StatusList.objects.filter(pk=status_list.pk, credential__isnull=True, updated_at=status_list.updated_at).update(
            credential=status_list.credential
        )
    return status_list.credential


# Awarding


def _check_holder(achievement: Achievement, holder: Holder) -> None:
    if holder.family_member is not None:
        consent = GuardianConsent.objects.filter(family_member=holder.family_member, withdrawn_at__isnull=True)
        if not consent.exists():
            raise AwardError(
                _("%(name)s's guardian has not agreed to keep a learning record for them yet.")
                % {"name": holder.family_member.name}
            )
        if holder.family_member.removed_at is not None:
            raise AwardError(_("This family member was removed from the account."))
    elif holder.user is None or not holder.user.is_active:
        raise AwardError(_("This person has no active account."))


def _held(achievement: Achievement, holders: Sequence[Holder]) -> set[tuple[int | None, int | None]]:
    """(user id, family member id) of those who already hold a current award of the achievement."""
    users = [holder.user.pk for holder in holders if holder.family_member is None and holder.user is not None]
    members = [holder.family_member.pk for holder in holders if holder.family_member is not None]
    awards = Award.objects.filter(achievement=achievement, revoked_at__isnull=True).filter(
        Q(family_member__isnull=True, recipient_id__in=users) | Q(family_member_id__in=members)
    )
    return {
        (None, family_member_id) if family_member_id else (recipient_id, None)
        for recipient_id, family_member_id in awards.values_list("recipient_id", "family_member_id")
    }


def _key(holder: Holder) -> tuple[int | None, int | None]:
    if holder.family_member is not None:
        return (None, holder.family_member.pk)
    return (holder.user.pk if holder.user else None, None)


def sign(award: Award, key: SigningKey, private: bytes, achievement_document: dict[str, Any] | None = None) -> None:
    """Fill the award's two credential forms (Data Integrity and VC-JWT) with `key`."""
    document = documents.build_credential(award, achievement_document)
    award.signing_key = key
    award.credential = crypto.sign_data_integrity(document, private, documents.key_id(key), created=award.awarded_at)
    award.jwt = crypto.sign_jwt(document, private, documents.key_id(key))


@transaction.atomic
def award_many(
    achievement: Achievement,
    holders: Sequence[Holder],
    *,
    by: User | None,
    method: str,
    narrative: str = "",
    evidence: Iterable[dict[str, str]] = (),
    awarded_at: datetime | None = None,
    skip_holders_of: bool = False,
) -> list[Award]:
    """Award `achievement` to each holder, signed, with a learning-record entry each; all or nothing.

    A holder who already holds it is an AwardError, unless `skip_holders_of` (they are then left out).
    """
    if not achievement.active:
        raise AwardError(_("This achievement can no longer be awarded."))
    for holder in holders:
        _check_holder(achievement, holder)
    held = _held(achievement, holders)
    wanted: list[Holder] = []
    seen: set[tuple[int | None, int | None]] = set()
    for holder in holders:
        if _key(holder) in held:
            if skip_holders_of:
                continue
            raise AwardError(_("%(name)s already holds this achievement.") % {"name": holder.name or "—"})
        if _key(holder) not in seen:
            seen.add(_key(holder))
            wanted.append(holder)
    if not wanted:
        return []
    when = awarded_at or timezone.now()
    key = keys.current_key(achievement.city, achievement.organisation)
    private = keys.private_key(key)
    slots = _reserve_indexes(achievement.city, achievement.organisation, len(wanted))
    evidence_list = [dict(item) for item in evidence]
    achievement_docs: dict[str, dict[str, Any]] = {}
    awards: list[Award] = []
    for holder, (status_list, index) in zip(wanted, slots, strict=True):
        award = Award(
            achievement=achievement,
            recipient=holder.user if holder.family_member is None else holder.family_member.account,
            family_member=holder.family_member,
            method=method,
            awarded_by=by,
            awarded_at=when,
            valid_until=expiry_for(achievement, when),
            narrative=narrative,
            evidence=evidence_list,
            status_list=status_list,
            status_index=index,
        )
        language = documents.credential_language(award)
        if language not in achievement_docs:
            from django.utils import translation

            with translation.override(language):
                achievement_docs[language] = documents.achievement_document(achievement)
        sign(award, key, private, achievement_docs[language])
        awards.append(award)
    Award.objects.bulk_create(awards, batch_size=500)
    if not all(award.pk for award in awards):  # SQLite before 3.35 gives no ids back
        by_uuid = dict(Award.objects.filter(uuid__in=[a.uuid for a in awards]).values_list("uuid", "pk"))
        for award in awards:
            award.pk = by_uuid[award.uuid]
    LearningEntry.objects.bulk_create(
        [
            LearningEntry(
                user=award.recipient,
                family_member=award.family_member,
                kind=EntryKind.AWARD,
                setting=LearningSetting.NON_FORMAL,
                title=achievement.name,
                description=achievement.description,
                provider_name=achievement.issuer_name(),
                ended_on=timezone.localtime(when).date(),
                award=award,
            )
            for award in awards
        ],
        batch_size=500,
    )
    ids = [award.pk for award in awards]
    transaction.on_commit(lambda: _complete_pathways(ids))
    return awards


def _complete_pathways(award_ids: list[int]) -> None:
    """After the awards are committed, award the pathways they complete; a failure there undoes no award."""
    from learningcity.passport import pathways

    try:
        pathways.after_awards(award_ids)
    except Exception:  # the awards stand; the completion is retried with the holder's next award
        logger.exception("Pathway completion after awards %s failed", award_ids[:10])


def award(
    achievement: Achievement,
    holder: Holder,
    *,
    by: User | None,
    method: str,
    narrative: str = "",
    evidence: Iterable[dict[str, str]] = (),
) -> Award:
    """Award `achievement` to one person; AwardError if it cannot be made."""
    return award_many(achievement, [holder], by=by, method=method, narrative=narrative, evidence=evidence)[0]


@transaction.atomic
def revoke_many(awards: Iterable[Award], *, by: User | None, reason: str) -> int:
    """Revoke awards: their bits in the status lists are set, each list signed again once; the count."""
    reason = (reason or "").strip()
    if not reason:
        raise AwardError(_("Say why the achievement is revoked: the holder will read it."))
    locked = list(Award.objects.select_for_update().filter(pk__in=[a.pk for a in awards], revoked_at__isnull=True))
    if not locked:
        return 0
    now = timezone.now()
    for status_list in StatusList.objects.select_for_update().filter(pk__in={a.status_list_id for a in locked}):
        bits = bytes(status_list.bits)
        for item in locked:
            if item.status_list_id == status_list.pk:
                bits = crypto.with_bit(bits, item.status_index, True)
        status_list.bits, status_list.updated_at, status_list.credential = bits, now, None
        status_list.save(update_fields=["bits", "updated_at", "credential"])
        signed_status_list(status_list)
    Award.objects.filter(pk__in=[a.pk for a in locked]).update(revoked_at=now, revocation_reason=reason[:500])
    return len(locked)


def revoke(award_: Award, *, by: User | None, reason: str) -> Award:
    """Revoke one award (the holder reads `reason`); revoking it again changes nothing."""
    revoke_many([award_], by=by, reason=reason)
    return Award.objects.get(pk=award_.pk)


def rotate_key(city: City, organisation: Organisation | None) -> SigningKey:
    """A new signing key for the issuer; credentials signed before still verify with the retired one."""
    return keys.rotate(city, organisation)


def set_shared(award_: Award, shared: bool) -> Award:
    award_.shared = shared
    award_.save(update_fields=["shared"])
    return award_


def attendance_count(achievement: Achievement, holder: Holder) -> int:
    """Sessions of the achievement's listing the holder attended."""
    from learningcity.enrolment.models import Registration

    if achievement.opportunity_id is None:
        return 0
    registrations = Registration.objects.filter(session__opportunity_id=achievement.opportunity_id, attended=True)
    if holder.family_member is not None:
        registrations = registrations.filter(family_member=holder.family_member)
    else:
        registrations = registrations.filter(user=holder.user, family_member__isnull=True, group_name="")
    return registrations.values("session_id").distinct().count()


def award_by_rule(holder: Holder) -> list[Award]:
    """Award every rule-based achievement whose attendance count the holder now reaches."""
    from learningcity.enrolment.models import Registration

    registrations = Registration.objects.filter(attended=True)
    if holder.family_member is not None:
        registrations = registrations.filter(family_member=holder.family_member)
        if not GuardianConsent.objects.filter(family_member=holder.family_member, withdrawn_at__isnull=True).exists():
            return []
    else:
        registrations = registrations.filter(user=holder.user, family_member__isnull=True, group_name="")
    opportunity_ids = registrations.values("session__opportunity_id")
    made: list[Award] = []
    for achievement in Achievement.objects.filter(active=True, opportunity_id__in=opportunity_ids):
        if _key(holder) in _held(achievement, [holder]):
            continue
        if attendance_count(achievement, holder) >= (achievement.min_sessions or 1):
            made.extend(award_many(achievement, [holder], by=None, method=AwardMethod.RULE, skip_holders_of=True))
    return made

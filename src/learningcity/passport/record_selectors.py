"""Reads of the learning record shared by its pages, downloads and export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import pgettext, pgettext_lazy

from learningcity.accounts.models import FamilyMember, User
from learningcity.catalogue.models import Organisation
from learningcity.passport.models import Award, EntryKind, GuardianConsent, LearningEntry, PassportProfile

# The model's kind labels ("Attended", "Declared") are words other pages translate differently: the
# record names its entries in its own context.
KIND_LABELS: dict[str, Any] = {
    EntryKind.ATTENDED: pgettext_lazy("learning record entry", "Session attended"),
    EntryKind.AWARD: pgettext_lazy("learning record entry", "Achievement"),
    EntryKind.DECLARED: pgettext_lazy("learning record entry", "Learning you declared"),
    EntryKind.IMPORTED: pgettext_lazy("learning record entry", "Credential from elsewhere"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class RecordOwner:
    """Whose record a page shows: the account holder's own, or a family member's they manage."""

    user: User
    member: FamilyMember | None = None
    consent: GuardianConsent | None = None

    @property
    def name(self) -> str:
        return self.member.name if self.member else (self.user.display_name or self.user.email)

    @property
    def keeps_record(self) -> bool:
        """A family member's record exists only with the guardian's active consent."""
        return self.member is None or (self.consent is not None and self.consent.active)


def record_owner(user: User, member: FamilyMember | None) -> RecordOwner:
    consent = GuardianConsent.objects.filter(family_member=member).first() if member else None
    return RecordOwner(user=user, member=member, consent=consent)


def family_members(user: Any) -> QuerySet[FamilyMember]:
    """The family members whose records the person manages."""
    return FamilyMember.objects.current().filter(account_id=user.pk).order_by("name", "id")


def entries(owner: RecordOwner, kind: str = "") -> QuerySet[LearningEntry]:
    """The record's entries, newest first (by when the learning ended, else began, else was added)."""
    queryset = LearningEntry.objects.filter(user=owner.user, family_member=owner.member).select_related(
        "award__achievement__organisation", "award__achievement__city", "endorsed_by", "endorsement_requested_from"
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    newest = Coalesce("ended_on", "started_on", TruncDate("created_at"))
    return queryset.order_by(newest.desc(), "-created_at", "-id")


def kind_counts(owner: RecordOwner) -> dict[str, int]:
    rows = LearningEntry.objects.filter(user=owner.user, family_member=owner.member).values("kind")
    return {row["kind"]: row["count"] for row in rows.annotate(count=Count("id")).order_by()}


@dataclass(frozen=True)
class AwardStatus:
    """Whether an award counts now, in words: valid, revoked or expired."""

    code: str
    label: str
    detail: str = ""


def award_status(award: Award) -> AwardStatus:
    if award.revoked_at is not None:
        return AwardStatus("revoked", pgettext("credential status", "Revoked"), award.revocation_reason)
    if award.expired():
        assert award.valid_until is not None
        when = timezone.localtime(award.valid_until).date()
        detail = pgettext("credential status", "Expired on %(date)s.") % {"date": date_format(when, "DATE_FORMAT")}
        return AwardStatus("expired", pgettext("credential status", "Expired"), detail)
    return AwardStatus("valid", pgettext("credential status", "Valid"))


def held_award(user: Any, value: Any) -> Award | None:
    """The award with this uuid if the person holds it (themselves or for a child they manage)."""
    award = (
        Award.objects.select_related(
            "achievement__organisation", "achievement__city", "family_member", "recipient", "status_list"
        )
        .filter(uuid=value)
        .first()
    )
    if award is None or award.holder_account_id != user.pk:
        return None
    return award


def endorsement_queue(user: Any) -> QuerySet[LearningEntry]:
    """Declared entries residents asked the person's organisations to endorse, oldest request first."""
    return (
        LearningEntry.objects.filter(
            kind=EntryKind.DECLARED,
            endorsement_requested_from__memberships__user_id=user.pk,
            endorsed_at__isnull=True,
        )
        .select_related("user", "family_member", "endorsement_requested_from")
        .order_by("created_at", "id")
    )


def recently_endorsed(user: Any, limit: int = 20) -> QuerySet[LearningEntry]:
    return (
        LearningEntry.objects.filter(kind=EntryKind.DECLARED, endorsed_by__memberships__user_id=user.pk)
        .select_related("user", "family_member", "endorsed_by")
        .order_by("-endorsed_at", "-id")[:limit]
    )


def endorser_choices(city_id: int | None) -> QuerySet[Organisation]:
    """Organisations of the city a resident may ask to endorse learning."""
    if city_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(city_id=city_id).order_by("name", "id")


def public_profile(slug: Any) -> PassportProfile | None:
    return PassportProfile.objects.select_related("user").filter(slug=slug, public=True, user__is_active=True).first()


def shared_awards(user: User) -> QuerySet[Award]:
    """What a public profile lists: the person's own credentials they shared (never a child's)."""
    return (
        Award.objects.filter(recipient=user, family_member__isnull=True, shared=True)
        .select_related("achievement__organisation", "achievement__city")
        .order_by("-awarded_at", "-id")
    )

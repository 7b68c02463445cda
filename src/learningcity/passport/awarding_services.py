"""Writes of the issuer's workspace: define achievements, award by hand or from a roster, revoke, endorse, rotate.

Each function checks that `by` may do it (PermissionDenied otherwise), validates field by field
(ValidationError naming the field) and writes all or nothing. Signing and status lists are the
core's (`passport.services`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.accounts.models import FamilyMember, User
from learningcity.catalogue.models import Opportunity, Session
from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.passport import crypto, documents, keys, services
from learningcity.passport.awarding_claims import normalise_code
from learningcity.passport.awarding_permissions import (
    Issuer,
    can_manage,
    can_manage_issuer,
    endorsing_organisations,
)
from learningcity.passport.models import (
    Achievement,
    AchievementEndorsement,
    Award,
    AwardMethod,
    GuardianConsent,
    SigningKey,
    SkillAlignment,
)

ROSTER_SESSIONS = 300  # the most recent sessions offered in the roster's list


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Only the issuer's staff can do this."))


# Achievements


@dataclass(frozen=True)
class NewImage:
    """An uploaded badge image, already checked (`awarding_files.image_kind`)."""

    data: bytes
    kind: str  # png, jpeg or svg


@transaction.atomic
def achievement_save(
    *,
    by: Any,
    issuer: Issuer,
    achievement: Achievement | None,
    fields: dict[str, Any],
    alignments: list[dict[str, str]],
    image: NewImage | None = None,
    remove_image: bool = False,
) -> Achievement:
    """Create (`achievement` None) or change an achievement and replace its skills; all or nothing."""
    _require(can_manage_issuer(by, issuer))
    if achievement is None:
        achievement = Achievement(city=issuer.city, organisation=issuer.organisation, created_by=by)
    elif (achievement.city_id, achievement.organisation_id) != (
        issuer.city.pk,
        getattr(issuer.organisation, "pk", None),
    ):
        raise PermissionDenied(_("Only the issuer's staff can do this."))
    for name, value in fields.items():
        setattr(achievement, name, value)
    achievement.claim_code = normalise_code(achievement.claim_code)
    _check_rule_listing(achievement, issuer)
    _check_claim_code_free(achievement)
    rows = _alignment_rows(alignments)
    achievement.full_clean(exclude=["image", "created_by"])
    old_image = achievement.image.name if achievement.image else ""
    if remove_image or image is not None:
        achievement.image = None
    if image is not None:
        achievement.image.save(f"{uuid.uuid4().hex}.{image.kind}", ContentFile(image.data), save=False)
    achievement.save()
    if old_image and (remove_image or image is not None):
        storage = achievement.image.storage
        transaction.on_commit(lambda: storage.delete(old_image))
    achievement.alignments.all().delete()
    SkillAlignment.objects.bulk_create([SkillAlignment(achievement=achievement, **row) for row in rows])
    return achievement


def _check_rule_listing(achievement: Achievement, issuer: Issuer) -> None:
    """The listing whose attendance counts is the issuer's own (the city's: any listing of the city)."""
    if achievement.opportunity_id is None:
        return
    listing = Opportunity.objects.filter(pk=achievement.opportunity_id).values("organisation_id", "city_id").first()
    own = listing is not None and (
        listing["organisation_id"] == issuer.organisation.pk
        if issuer.organisation
        else listing["city_id"] == issuer.city.pk
    )
    if not own:
        raise ValidationError({"opportunity": _("Choose one of the issuer's own listings.")})


def _check_claim_code_free(achievement: Achievement) -> None:
    """A code people can type and a QR code can carry in its address, used by no other achievement."""
    if not achievement.claim_code:
        return
    if not re.fullmatch(r"[A-Z0-9-]+", achievement.claim_code):
        raise ValidationError({"claim_code": _("Use only letters without accents, digits and hyphens.")})
    taken = Achievement.objects.filter(claim_code__iexact=achievement.claim_code).exclude(pk=achievement.pk)
    if taken.exists():
        raise ValidationError({"claim_code": _("Another achievement uses this claim code: generate a new one.")})


def _alignment_rows(alignments: list[dict[str, str]]) -> list[dict[str, str]]:
    """The skills, each checked by the model's own rules; duplicates refused."""
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for item in alignments:
        row = {name: (item.get(name) or "").strip() for name in ("framework", "code", "label")}
        SkillAlignment(**row).full_clean(exclude=["achievement"])
        if (row["framework"], row["code"]) in seen:
            raise ValidationError(
                {"alignments": _("The same skill is listed twice: %(code)s.") % {"code": row["code"]}}
            )
        seen.add((row["framework"], row["code"]))
        rows.append(row)
    return rows


def rule_listings(issuer: Issuer) -> QuerySet[Opportunity]:
    """Listings a rule of this issuer may count attendance of (an organisation's own listings)."""
    if issuer.organisation is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(organisation=issuer.organisation).order_by("title_fr", "title_en", "pk")


# Awarding by hand


def award_by_email(
    *, achievement: Achievement, by: Any, email: str, narrative: str = "", evidence_url: str = ""
) -> Award:
    """Award to the adult whose account uses `email` (family members are awarded from a roster)."""
    _require(can_manage(by, achievement))
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationError({"email": _("No account uses this e-mail address: the person must sign up first.")})
    evidence = [{"url": evidence_url}] if evidence_url else []
    try:
        return services.award(
            achievement, services.Holder(user=user), by=by, method=AwardMethod.HAND,
            narrative=narrative.strip(), evidence=evidence,
        )  # fmt: skip
    except services.AwardError as error:
        raise ValidationError({"email": str(error)}) from error


# Awarding from a roster


@dataclass(frozen=True)
class RosterPerson:
    """Someone registered at the chosen sessions, as the awarding roster shows them."""

    key: str  # u<user id> or f<family member id>
    name: str
    booked_by: str
    attended: bool
    holds: bool
    needs_consent: bool

    @property
    def awardable(self) -> bool:
        return not self.holds and not self.needs_consent


def roster_listings(achievement: Achievement) -> QuerySet[Opportunity]:
    """Listings whose sessions the roster offers: the organisation's own (for the city: its rule's listing)."""
    if achievement.organisation_id is not None:
        return Opportunity.objects.filter(organisation_id=achievement.organisation_id)
    if achievement.opportunity_id is None:
        return Opportunity.objects.none()
    return Opportunity.objects.filter(pk=achievement.opportunity_id, city_id=achievement.city_id)


def roster_sessions(achievement: Achievement) -> list[Session]:
    """Sessions up to today, the most recent first (attendance is taken from the day of a session)."""
    until = timezone.now() + timedelta(days=1)
    sessions = Session.objects.filter(opportunity__in=roster_listings(achievement), start__lte=until)
    return list(sessions.select_related("opportunity").order_by("-start", "-pk")[:ROSTER_SESSIONS])


def roster_selection(achievement: Achievement, value: str) -> list[int] | None:
    """Session ids for a choice: `s:<id>` one session, `o:<id>` every session of a listing; None if not offered."""
    kind, _sep, ident = (value or "").partition(":")
    if not ident.isdigit():
        return None
    listings = roster_listings(achievement)
    if kind == "o" and listings.filter(pk=int(ident)).exists():
        return list(Session.objects.filter(opportunity_id=int(ident)).values_list("pk", flat=True))
    if kind == "s":
        found = Session.objects.filter(pk=int(ident), opportunity__in=listings).values_list("pk", flat=True)
        return list(found) or None
    return None


def roster_people(achievement: Achievement, session_ids: list[int]) -> list[RosterPerson]:
    """Each person with a confirmed place at the sessions (groups aside): attended, already holds it, consent."""
    rows = (
        Registration.objects.filter(session_id__in=session_ids, status=RegistrationStatus.CONFIRMED, group_name="")
        .select_related("user", "family_member")
        .order_by("pk")
    )
    people: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = f"f{row.family_member_id}" if row.family_member_id else f"u{row.user_id}"
        person = people.setdefault(key, {"row": row, "attended": False})
        person["attended"] = person["attended"] or bool(row.attended)
    held_users, held_members = _holders(achievement)
    consented = set(
        GuardianConsent.objects.filter(withdrawn_at__isnull=True).values_list("family_member_id", flat=True)
    )
    result = [_person(key, item, held_users, held_members, consented) for key, item in people.items()]
    return sorted(result, key=lambda person: person.name.lower())


def _holders(achievement: Achievement) -> tuple[set[int], set[int]]:
    current = achievement.awards.filter(revoked_at__isnull=True).values_list("recipient_id", "family_member_id")
    users = {user_id for user_id, member_id in current if member_id is None}
    members = {member_id for _user_id, member_id in current if member_id is not None}
    return users, members


def _person(
    key: str, item: dict[str, Any], held_users: set[int], held_members: set[int], consented: set[int]
) -> RosterPerson:
    row: Registration = item["row"]
    if row.family_member_id:
        member = row.family_member
        assert member is not None
        return RosterPerson(
            key=key, name=member.name, booked_by=row.user.email, attended=item["attended"],
            holds=member.pk in held_members, needs_consent=member.pk not in consented or member.removed_at is not None,
        )  # fmt: skip
    return RosterPerson(
        key=key, name=str(row.user), booked_by=row.user.email, attended=item["attended"],
        holds=row.user_id in held_users, needs_consent=False,
    )  # fmt: skip


@dataclass(frozen=True)
class RosterResult:
    awarded: int
    skipped: int  # already held it, or the guardian has not agreed


def award_roster(*, achievement: Achievement, by: Any, session_ids: list[int], keys_ticked: list[str]) -> RosterResult:
    """Award everyone ticked among the roster's people (method bulk), leaving out those who hold it already."""
    _require(can_manage(by, achievement))
    people = {person.key: person for person in roster_people(achievement, session_ids)}
    unknown = [key for key in keys_ticked if key not in people]
    if unknown:
        raise ValidationError({"people": _("Tick people from the list only.")})
    if not keys_ticked:
        raise ValidationError({"people": _("Tick at least one person.")})
    wanted = [people[key] for key in keys_ticked if people[key].awardable]
    holders = [_holder(person.key) for person in wanted]
    try:
        made = services.award_many(achievement, holders, by=by, method=AwardMethod.BULK, skip_holders_of=True)
    except services.AwardError as error:
        raise ValidationError({"people": str(error)}) from error
    return RosterResult(awarded=len(made), skipped=len(keys_ticked) - len(made))


def _holder(key: str) -> services.Holder:
    if key.startswith("f"):
        return services.Holder(family_member=FamilyMember.objects.select_related("account").get(pk=int(key[1:])))
    return services.Holder(user=User.objects.get(pk=int(key[1:])))


# Revoking, endorsing, keys


def award_revoke(*, award: Award, by: Any, reason: str) -> Award:
    """Revoke an award of an achievement the person manages, with a reason the holder reads."""
    _require(can_manage(by, award.achievement))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the achievement is revoked: the holder will read it.")})
    return services.revoke(award, by=by, reason=reason)


@transaction.atomic
def achievement_endorse(
    *, achievement: Achievement, organisation_id: int, by: Any, comment: str
) -> AchievementEndorsement:
    """Another organisation vouches for the achievement, with a signed Open Badges `EndorsementCredential`."""
    organisation = next((o for o in endorsing_organisations(by, achievement) if o.pk == organisation_id), None)
    if organisation is None:
        raise PermissionDenied(_("Only staff of another organisation can endorse this achievement."))
    if AchievementEndorsement.objects.filter(achievement=achievement, organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("%(name)s already endorses this achievement.") % {"name": organisation.name}}
        )
    endorsement = AchievementEndorsement(
        achievement=achievement, organisation=organisation, comment=comment.strip(), endorsed_by=by
    )
    endorsement.full_clean(exclude=["credential", "endorsed_by"])
    endorsement.credential = endorsement_credential(endorsement)
    endorsement.save()
    return endorsement


def endorsement_credential(endorsement: AchievementEndorsement) -> dict[str, Any]:
    """The endorsement as an Open Badges 3.0 `EndorsementCredential`, signed by the endorsing organisation."""
    organisation = endorsement.organisation
    key = keys.current_key(organisation.city, organisation)
    subject: dict[str, Any] = {"id": documents.achievement_url(endorsement.achievement), "type": ["EndorsementSubject"]}
    if endorsement.comment:
        subject["endorsementComment"] = endorsement.comment
    document = {
        "@context": list(crypto.CREDENTIAL_CONTEXT),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": documents.issuer_profile(organisation.city, organisation),
        "validFrom": crypto.timestamp(endorsement.created_at),
        "name": f"{organisation.name}: {endorsement.achievement.name}",
        "credentialSubject": subject,
    }
    return crypto.sign_data_integrity(
        document, keys.private_key(key), documents.key_id(key), created=endorsement.created_at
    )


def issuer_key_rotate(*, issuer: Issuer, by: Any) -> SigningKey:
    """A new signing key for the issuer; what the old one signed keeps verifying."""
    _require(can_manage_issuer(by, issuer))
    return services.rotate_key(issuer.city, issuer.organisation)


def issuer_keys(issuer: Issuer) -> list[SigningKey]:
    """Every key the issuer has signed with, the current one first."""
    found = SigningKey.objects.filter(city=issuer.city, organisation=issuer.organisation)
    return sorted(found, key=lambda key: (key.retired_at is not None, -(key.created_at.timestamp())))

"""The learning passport: what residents learned, the achievements providers award, signed credentials, pathways.

An `Award` is one achievement given to one person; it is issued as an Open Badges 3.0
`OpenBadgeCredential`, signed twice with the issuer's Ed25519 `SigningKey` (a VC-JWT and an
`eddsa-rdfc-2022` Data Integrity proof) and revocable through the city's `StatusList`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learningcity.catalogue.models import localized

STATUS_LIST_SIZE = 131_072  # bits: the Bitstring Status List minimum, so that an index says little about its holder


class AchievementType(models.TextChoices):
    """A subset of Open Badges 3.0's `achievementType` vocabulary (the value is the term itself)."""

    BADGE = "Badge", _("Badge")
    CERTIFICATE_OF_COMPLETION = "CertificateOfCompletion", _("Certificate of completion")
    CERTIFICATE = "Certificate", _("Certificate")
    COMPETENCY = "Competency", _("Competency")
    COURSE = "Course", _("Course")
    LEARNING_PROGRAM = "LearningProgram", _("Learning programme")
    MICRO_CREDENTIAL = "MicroCredential", _("Micro-credential")
    COMMUNITY_SERVICE = "CommunityService", _("Community service")
    AWARD = "Award", _("Award")


class Level(models.TextChoices):
    """How demanding the achievement is, in words residents read."""

    DISCOVERY = "discovery", _("Discovery")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    EXPERT = "expert", _("Expert")


class SigningKey(models.Model):
    """An Ed25519 key of an issuer: an organisation, or the city itself when `organisation` is empty.

    The private key is stored encrypted with a key from the settings (`passport.keys`). Rotation
    retires a key without deleting it: the issuer's DID document keeps listing it, so credentials
    it signed still verify.
    """

    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="signing_keys")
    organisation = models.ForeignKey(
        "catalogue.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="signing_keys"
    )
    public_key = models.BinaryField(_("public key"), max_length=32)
    private_key_encrypted = models.TextField(_("private key (encrypted)"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "organisation"],
                condition=Q(retired_at__isnull=True, organisation__isnull=False),
                name="signing_key_one_current_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["city"],
                condition=Q(retired_at__isnull=True, organisation__isnull=True),
                name="signing_key_one_current_per_city",
            ),
        ]

    def __str__(self) -> str:
        return f"key {self.pk} of {self.organisation or self.city}"


class Achievement(models.Model):
    """What can be awarded (a badge class): by a provider, or by the city when `organisation` is empty."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="achievements")
    organisation = models.ForeignKey(
        "catalogue.Organisation",
        verbose_name=_("issuer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="achievements",
    )
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), max_length=4000, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=4000, blank=True)
    criteria_fr = models.TextField(_("criteria (French)"), max_length=4000, blank=True)
    criteria_en = models.TextField(_("criteria (English)"), max_length=4000, blank=True)
    image = models.ImageField(_("image"), upload_to="passport/achievements/", null=True, blank=True)
    achievement_type = models.CharField(
        _("kind"), max_length=32, choices=AchievementType.choices, default=AchievementType.BADGE
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.DISCOVERY)
    valid_for_days = models.PositiveIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36_500)],
        help_text=_("Leave empty if it never expires."),
    )
    # Awarding by rule: whoever attended at least `min_sessions` sessions of `opportunity`.
    opportunity = models.ForeignKey(
        "catalogue.Opportunity",
        verbose_name=_("awarded for attending"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="achievements",
    )
    min_sessions = models.PositiveSmallIntegerField(
        _("sessions attended"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    claim_code = models.CharField(_("claim code"), max_length=32, blank=True, db_index=True)
    claim_open_until = models.DateTimeField(_("claim code valid until"), null=True, blank=True)
    active = models.BooleanField(_("can be awarded"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["name_fr", "name_en", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name_fr="", name_en=""), name="achievement_has_a_name"),
            models.CheckConstraint(
                condition=Q(opportunity__isnull=True) | Q(min_sessions__isnull=False),
                name="achievement_rule_has_a_count",
            ),
            models.UniqueConstraint(
                fields=["city", "claim_code"], condition=~Q(claim_code=""), name="achievement_claim_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.name_fr or "").strip() and not (self.name_en or "").strip():
            errors["name_fr"] = str(_("Give the achievement a name, in French or in English."))
        if not (self.criteria_fr or "").strip() and not (self.criteria_en or "").strip():
            errors["criteria_fr"] = str(_("Say what someone must do to earn it."))
        if self.opportunity_id and not self.min_sessions:
            errors["min_sessions"] = str(_("Say how many sessions must be attended."))
        if self.min_sessions and not self.opportunity_id:
            errors["opportunity"] = str(_("Choose the listing whose sessions count."))
        if self.claim_code and len(self.claim_code.strip()) < 6:
            errors["claim_code"] = str(_("A claim code has at least 6 characters."))
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        return localized(self.name_fr, self.name_en)

    @property
    def description(self) -> str:
        return localized(self.description_fr, self.description_en)

    @property
    def criteria(self) -> str:
        return localized(self.criteria_fr, self.criteria_en)

    def issuer_name(self) -> str:
        return self.organisation.name if self.organisation_id and self.organisation else self.city.name

    def claim_open(self, now: datetime | None = None) -> bool:
        """Whether the claim code can be used now."""
        now = now or timezone.now()
        return bool(self.active and self.claim_code and (self.claim_open_until is None or now <= self.claim_open_until))


class SkillFramework(models.TextChoices):
    ESCO = "esco", _("ESCO skill")
    FORMACODE = "formacode", _("Formacode")
    ROME = "rome", _("ROME job")
    OTHER = "other", _("Other framework")


class SkillAlignment(models.Model):
    """A skill or field the achievement stands for (Open Badges `Alignment`)."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="alignments")
    framework = models.CharField(_("framework"), max_length=16, choices=SkillFramework.choices)
    code = models.CharField(_("code or address"), max_length=300)
    label = models.CharField(_("label"), max_length=300)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "framework", "code"], name="alignment_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        code = (self.code or "").strip()
        if self.framework == SkillFramework.ESCO and not code.startswith("http://data.europa.eu/esco/"):
            raise ValidationError({"code": _("An ESCO skill is its address, starting http://data.europa.eu/esco/.")})
        if self.framework == SkillFramework.FORMACODE and not (code.isdigit() and len(code) == 5):
            raise ValidationError({"code": _("A Formacode is 5 digits.")})


class AchievementEndorsement(models.Model):
    """Another organisation vouches for an achievement."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="endorsements")
    organisation = models.ForeignKey("catalogue.Organisation", on_delete=models.CASCADE, related_name="endorsements")
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("endorsed"), default=timezone.now)
    credential = models.JSONField(_("endorsement credential"), null=True, blank=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["achievement", "organisation"], name="endorsement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} endorses {self.achievement}"


class StatusList(models.Model):
    """A Bitstring Status List of one issuer for one purpose; bit `i` set means credential `i` is revoked.

    One list per issuer (an organisation, or the city when `organisation` is empty): verifiers check
    that a status list was issued by the credential's own issuer.
    """

    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="status_lists")
    organisation = models.ForeignKey(
        "catalogue.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="status_lists"
    )
    purpose = models.CharField(max_length=16, default="revocation")
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    bits = models.BinaryField()
    next_index = models.PositiveIntegerField(default=0)
    credential = models.JSONField(_("signed status list credential"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"status list {self.pk} ({self.purpose})"


class AwardMethod(models.TextChoices):
    RULE = "rule", _("By rule (attendance)")
    HAND = "hand", _("By hand")
    BULK = "bulk", _("From a list")
    CLAIM = "claim", _("With a claim code")
    REQUEST = "request", _("On request, with evidence")
    PATHWAY = "pathway", _("Pathway completed")


class Award(models.Model):
    """One achievement awarded to one person, issued as a signed Open Badges 3.0 credential.

    The person is an account holder, or one of their family members (a child managed by a
    guardian): then `family_member` is set and the credential names no e-mail or other identifier.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="awards")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="awards"
    )
    family_member = models.ForeignKey(
        "accounts.FamilyMember", null=True, blank=True, on_delete=models.CASCADE, related_name="awards"
    )
    recipient_name = models.CharField(_("name on the credential"), max_length=200, blank=True)
    method = models.CharField(_("how"), max_length=16, choices=AwardMethod.choices)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(_("awarded"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    narrative = models.TextField(_("note"), max_length=2000, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="awards")
    status_index = models.PositiveIntegerField()
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="awards")
    credential = models.JSONField(_("credential (Data Integrity proof)"))
    jwt = models.TextField(_("credential (VC-JWT)"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("why it was revoked"), max_length=500, blank=True)
    shared = models.BooleanField(_("public link on"), default=False)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="award_status_index_unique"),
            models.UniqueConstraint(
                fields=["achievement", "recipient"],
                condition=Q(family_member__isnull=True, revoked_at__isnull=True),
                name="award_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["achievement", "family_member"],
                condition=Q(family_member__isnull=False, revoked_at__isnull=True),
                name="award_once_per_family_member",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(family_member__isnull=False), name="award_has_a_recipient"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "achievement"])]

    def __str__(self) -> str:
        return f"{self.achievement} → {self.holder_name}"

    @property
    def holder_name(self) -> str:
        if self.recipient_name:
            return self.recipient_name
        if self.family_member_id and self.family_member:
            return self.family_member.name
        if self.recipient_id and self.recipient:
            return self.recipient.display_name or ""
        return ""

    @property
    def holder_account_id(self) -> int | None:
        """The account that holds the credential: the person's own, or their guardian's."""
        if self.family_member_id and self.family_member:
            return self.family_member.account_id
        return self.recipient_id

    def expired(self, now: datetime | None = None) -> bool:
        return self.valid_until is not None and (now or timezone.now()) > self.valid_until

    def current(self, now: datetime | None = None) -> bool:
        """Counts now: neither revoked nor expired."""
        return self.revoked_at is None and not self.expired(now)


def expiry_for(achievement: Achievement, awarded_at: datetime) -> datetime | None:
    """When an award made at `awarded_at` stops being valid, per the achievement's `valid_for_days`."""
    return awarded_at + timedelta(days=achievement.valid_for_days) if achievement.valid_for_days else None


class LearningSetting(models.TextChoices):
    FORMAL = "formal", _("Formal (a diploma or qualification)")
    NON_FORMAL = "non_formal", _("Non-formal (a course, a workshop)")
    INFORMAL = "informal", _("Informal (at work, at home, volunteering)")


class EntryKind(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    AWARD = "award", _("Achievement")
    DECLARED = "declared", _("Declared")
    IMPORTED = "imported", _("Credential from elsewhere")


class LearningEntry(models.Model):
    """One line of a resident's learning record. Private unless the resident shares it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_entries")
    family_member = models.ForeignKey(
        "accounts.FamilyMember", null=True, blank=True, on_delete=models.CASCADE, related_name="learning_entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    setting = models.CharField(
        _("setting"), max_length=16, choices=LearningSetting.choices, default=LearningSetting.NON_FORMAL
    )
    title = models.CharField(_("what you learned"), max_length=200)
    description = models.TextField(_("details"), max_length=4000, blank=True)
    provider_name = models.CharField(_("where or with whom"), max_length=200, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    registration = models.OneToOneField(
        "enrolment.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="learning_entry"
    )
    award = models.OneToOneField(Award, null=True, blank=True, on_delete=models.CASCADE, related_name="learning_entry")
    evidence_file = models.FileField(_("evidence (file)"), upload_to="passport/evidence/", null=True, blank=True)
    evidence_url = models.URLField(_("evidence (link)"), max_length=500, blank=True)
    endorsement_requested_from = models.ForeignKey(
        "catalogue.Organisation",
        verbose_name=_("ask to endorse"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    endorsed_by = models.ForeignKey(
        "catalogue.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    endorsed_at = models.DateTimeField(_("endorsed"), null=True, blank=True)
    imported_credential = models.JSONField(_("imported credential"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("learning record entry")
        verbose_name_plural = _("learning record entries")
        ordering = ["-ended_on", "-started_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="learning_entry_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not (self.title or "").strip():
            raise ValidationError({"title": _("Say what you learned.")})
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end comes before the start.")})
        if self.ended_on and self.ended_on > timezone.localdate():
            raise ValidationError({"ended_on": _("Declare learning that has happened: this date is in the future.")})


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the provider")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class AwardRequest(models.Model):
    """A resident asks a provider for an achievement, with evidence; the provider accepts or declines."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_requests")
    family_member = models.ForeignKey(
        "accounts.FamilyMember", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    evidence_url = models.URLField(_("evidence (link)"), max_length=500, blank=True)
    evidence_file = models.FileField(_("evidence (file)"), upload_to="passport/requests/", null=True, blank=True)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note to the resident"), max_length=2000, blank=True)
    award = models.OneToOneField(Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="request")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("achievement request")
        verbose_name_plural = _("achievement requests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "user"],
                condition=Q(status="pending", family_member__isnull=True),
                name="award_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} asks for {self.achievement}"


class GuardianConsent(models.Model):
    """A guardian's recorded consent to keep a learning record and credentials for a child (under 15)."""

    family_member = models.OneToOneField(
        "accounts.FamilyMember", on_delete=models.CASCADE, related_name="passport_consent"
    )
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("guardian's consent")
        verbose_name_plural = _("guardians' consents")

    def __str__(self) -> str:
        return f"consent for {self.family_member}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class PassportProfile(models.Model):
    """A resident's sharing choices: a public profile listing the credentials they made public."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passport_profile")
    public = models.BooleanField(_("public profile"), default=False)
    slug = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("passport profile")
        verbose_name_plural = _("passport profiles")

    def __str__(self) -> str:
        return f"profile of {self.user}"


class StepRule(models.TextChoices):
    ALL = "all", _("All of these")
    ANY = "any", _("One of these")
    N_OF_M = "n_of_m", _("A number of these")


class StepKind(models.TextChoices):
    ACHIEVEMENT = "achievement", _("Hold an achievement")
    OPPORTUNITY = "opportunity", _("Attend a listing")
    GROUP = "group", _("A group of steps")


class Pathway(models.Model):
    """Achievements and opportunities chained toward a goal (a trade, a diploma, a neighbourhood role)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey("catalogue.City", on_delete=models.CASCADE, related_name="pathways")
    organisation = models.ForeignKey(
        "catalogue.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="pathways"
    )
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    goal_fr = models.TextField(_("goal (French)"), max_length=2000, blank=True)
    goal_en = models.TextField(_("goal (English)"), max_length=2000, blank=True)
    rule = models.CharField(_("to complete"), max_length=8, choices=StepRule.choices, default=StepRule.ALL)
    required_count = models.PositiveSmallIntegerField(_("how many"), null=True, blank=True)
    completion_achievement = models.ForeignKey(
        Achievement,
        verbose_name=_("awarded on completion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completes_pathways",
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["name_fr", "name_en", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name_fr="", name_en=""), name="pathway_has_a_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_fr, self.name_en)

    @property
    def goal(self) -> str:
        return localized(self.goal_fr, self.goal_en)


class PathwayStep(models.Model):
    """A step: hold an achievement, attend a listing, or a group of steps with its own rule."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    achievement = models.ForeignKey(Achievement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opportunity = models.ForeignKey(
        "catalogue.Opportunity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    rule = models.CharField(_("to complete"), max_length=8, choices=StepRule.choices, default=StepRule.ALL)
    required_count = models.PositiveSmallIntegerField(_("how many"), null=True, blank=True)

    class Meta:
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="achievement") & Q(achievement__isnull=False) & Q(opportunity__isnull=True))
                | (Q(kind="opportunity") & Q(opportunity__isnull=False) & Q(achievement__isnull=True))
                | (Q(kind="group") & Q(achievement__isnull=True) & Q(opportunity__isnull=True)),
                name="pathway_step_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        own = localized(self.title_fr, self.title_en)
        if own:
            return own
        if self.achievement_id and self.achievement:
            return self.achievement.name
        if self.opportunity_id and self.opportunity:
            return str(self.opportunity)
        return ""

"""Who registered for which session, who waits for a place, who came; windows, cancellations, preferences."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    """Where a registration stands."""

    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    OFFERED = "offered", _("Place offered")
    CANCELLED = "cancelled", _("Cancelled")


# A place is taken by a confirmed registration and held for an offer not yet answered.
HOLDS_A_PLACE = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED, RegistrationStatus.WAITLISTED)


class CancellationReason(models.TextChoices):
    """Why a registration ended before the session."""

    PARTICIPANT = "participant", _("Cancelled by the person")
    SESSION = "session", _("The session was cancelled")
    OFFER_EXPIRED = "offer_expired", _("The place offered was not confirmed in time")


class Registration(models.Model):
    """A place (or a place on the waitlist) at one session, for the account holder, a family member or a group.

    `user` is the account that booked and receives the messages. The participant is that person,
    or `family_member`, or a named group of `places` people. A series booked as one booking has
    one row per session, sharing `booking_key`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    session = models.ForeignKey("catalogue.Session", on_delete=models.CASCADE, related_name="registrations")
    family_member = models.ForeignKey(
        "accounts.FamilyMember",
        verbose_name=_("family member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    group_name = models.CharField(_("group"), max_length=200, blank=True, default="")
    group_organisation = models.ForeignKey(
        "catalogue.Organisation",
        verbose_name=_("organisation of the group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_registrations",
    )
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    booking_key = models.UUIDField(_("booking"), null=True, blank=True, db_index=True)
    use_credit = models.BooleanField(
        _("pay with learning credit"),
        default=True,
        help_text=_("Whether the account holder's learning credit pays for the place when it is confirmed."),
    )
    reduced_price_claimed = models.BooleanField(
        _("reduced price claimed"),
        default=False,
        help_text=_("The person declared they meet the conditions of the reduced price."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.CONFIRMED
    )
    offer_expires_at = models.DateTimeField(_("confirm the offered place by"), null=True, blank=True)
    cancellation_reason = models.CharField(
        _("why it was cancelled"), max_length=16, choices=CancellationReason.choices, blank=True, default=""
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            # One active registration per participant and session: a second request finds the first.
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(family_member__isnull=True, group_name="") & ~Q(status="cancelled"),
                name="registration_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["session", "family_member"],
                condition=Q(family_member__isnull=False) & ~Q(status="cancelled"),
                name="registration_once_per_family_member",
            ),
            models.UniqueConstraint(
                fields=["session", "user", "group_name"],
                condition=~Q(group_name="") & ~Q(status="cancelled"),
                name="registration_once_per_group",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="registration_at_least_one_place"),
            models.CheckConstraint(
                condition=~Q(group_name="") | Q(places=1), name="registration_one_place_unless_group"
            ),
            models.CheckConstraint(
                condition=Q(group_name="") | Q(family_member__isnull=True),
                name="registration_group_or_family_member",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="registration_offer_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | Q(cancellation_reason=""),
                name="registration_reason_only_when_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["user", "status"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant_name} → {self.session}"

    def clean(self) -> None:
        if self.group_name and self.family_member_id:
            raise ValidationError({"group_name": _("A registration is for a group or for a family member, not both.")})
        if not self.group_name and self.places != 1:
            raise ValidationError({"places": _("Only a group booking takes more than one place.")})
        if self.places is not None and self.places < 1:
            raise ValidationError({"places": _("Book at least one place.")})

    @property
    def participant_name(self) -> str:
        """Who comes: the family member, the group, or the account holder."""
        if self.family_member_id:
            return self.family_member.name if self.family_member else ""
        if self.group_name:
            return self.group_name
        return str(self.user)

    @property
    def is_group(self) -> bool:
        """A booking of several places for a named group."""
        return bool(self.group_name)

    @property
    def holds_a_place(self) -> bool:
        """Confirmed, or offered and not yet answered."""
        return self.status in HOLDS_A_PLACE


class RegistrationWindow(models.Model):
    """When registration for an opportunity opens and closes (without one: open until each session starts)."""

    opportunity = models.OneToOneField(
        "catalogue.Opportunity", on_delete=models.CASCADE, related_name="registration_window"
    )
    opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration window")
        verbose_name_plural = _("registration windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="registration_window_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity}: {self.opens_at or '…'} – {self.closes_at or '…'}"

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Registration must close after it opens.")})


class SessionCancellation(models.Model):
    """A provider called a session off; everyone registered or waiting was told."""

    session = models.OneToOneField("catalogue.Session", on_delete=models.CASCADE, related_name="cancellation")
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), default=timezone.now)

    class Meta:
        verbose_name = _("session cancellation")
        verbose_name_plural = _("session cancellations")

    def __str__(self) -> str:
        return f"{self.session} ({self.cancelled_at:%Y-%m-%d})"


class MessageKind(models.TextChoices):
    """The e-mails about registrations; each belongs to a category a person may switch off."""

    CONFIRMED = "confirmed", _("Registration confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    OFFERED = "offered", _("A place is offered to you")
    CANCELLED = "cancelled", _("Registration cancelled")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    OFFER_EXPIRED = "offer_expired", _("Offered place not confirmed in time")
    REMINDER = "reminder", _("Reminder the day before")


class MessagePreference(models.Model):
    """Which e-mails about registrations a person wants (no row: all of them).

    The offer of a place after waiting cannot be switched off: it carries a deadline.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_preference")
    confirmations = models.BooleanField(_("confirmations"), default=True)
    reminders = models.BooleanField(_("reminders"), default=True)
    cancellations = models.BooleanField(_("cancellations"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants(self, kind: str) -> bool:
        """Whether the person receives this kind of message."""
        return wanted(
            kind, confirmations=self.confirmations, reminders=self.reminders, cancellations=self.cancellations
        )


def wanted(kind: str, *, confirmations: bool, reminders: bool, cancellations: bool) -> bool:
    """Whether a message of `kind` goes out under these choices (offers always do)."""
    if kind in {MessageKind.CONFIRMED, MessageKind.WAITLISTED}:
        return confirmations
    if kind == MessageKind.REMINDER:
        return reminders
    if kind in {MessageKind.CANCELLED, MessageKind.SESSION_CANCELLED, MessageKind.OFFER_EXPIRED}:
        return cancellations
    return True

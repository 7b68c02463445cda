"""E-mails about registrations, sent by the task worker through SMTP in the recipient's language."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from learningcity.enrolment.models import MessageKind, MessagePreference, Registration, RegistrationStatus

SUBJECTS = {
    MessageKind.CONFIRMED: _("Your place is confirmed: %(title)s"),
    MessageKind.WAITLISTED: _("You are on the waitlist: %(title)s"),
    MessageKind.OFFERED: _("A place is free for you, confirm it by %(deadline)s: %(title)s"),
    MessageKind.CANCELLED: _("Registration cancelled: %(title)s"),
    MessageKind.SESSION_CANCELLED: _("Session cancelled: %(title)s"),
    MessageKind.OFFER_EXPIRED: _("The place offered to you has gone: %(title)s"),
    MessageKind.REMINDER: _("Tomorrow: %(title)s"),
}
# Messages about one session even when the booking covers a series.
ONE_SESSION = {MessageKind.SESSION_CANCELLED, MessageKind.REMINDER}


def wants(user: Any, kind: str) -> bool:
    """Whether the person chose to receive this kind of message (no choice made: yes)."""
    preference = MessagePreference.objects.filter(user=user).first()
    return preference is None or preference.wants(kind)


@task()
def send_registration_message(registration_id: int, kind: str) -> int:
    """Tell the account holder what happened to a booking; 0 when they switched this kind of message off."""
    registration = (
        Registration.objects.select_related("user", "session__opportunity__venue", "family_member")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not wants(registration.user, kind):
        return 0
    return _send(registration, MessageKind(kind))


@task()
def send_reminder(registration_id: int) -> int:
    """Remind the person of tomorrow's session, at most once: the reminder is recorded in the sending transaction.

    If the mail cannot be sent nothing is recorded and the next run tries again.
    """
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("user", "session__opportunity__venue", "family_member")
            .filter(pk=registration_id, status=RegistrationStatus.CONFIRMED, reminder_sent_at__isnull=True)
            .first()
        )
        if registration is None:
            return 0
        registration.reminder_sent_at = timezone.now()
        registration.save(update_fields=["reminder_sent_at"])
        if not wants(registration.user, MessageKind.REMINDER):
            return 0
        return _send(registration, MessageKind.REMINDER)


def _send(registration: Registration, kind: MessageKind) -> int:
    user = registration.user
    sessions = [registration.session] if kind in ONE_SESSION else _booking_sessions(registration)
    zone = ZoneInfo(registration.session.time_zone)
    with translation.override(user.preferred_language), timezone.override(zone):
        context = _context(registration, kind, sessions)
        deadline = timezone.localtime(registration.offer_expires_at) if registration.offer_expires_at else None
        subject = str(SUBJECTS[kind]) % {
            "title": registration.session.opportunity.title,
            "deadline": _date_time(deadline) if deadline else "",
        }
        body = render_to_string(f"enrolment/email/{kind.value}.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _booking_sessions(registration: Registration) -> list[Any]:
    if registration.booking_key is None:
        return [registration.session]
    rows = Registration.objects.filter(booking_key=registration.booking_key).select_related("session")
    return sorted((row.session for row in rows), key=lambda session: session.start)


def _context(registration: Registration, kind: MessageKind, sessions: list[Any]) -> dict[str, Any]:
    from learningcity.enrolment.selectors import waitlist_position

    opportunity = registration.session.opportunity
    cancellation = (
        getattr(registration.session, "cancellation", None) if kind == MessageKind.SESSION_CANCELLED else None
    )
    return {
        "user": registration.user,
        "registration": registration,
        "participant": registration.participant_name,
        "for_someone_else": bool(registration.family_member_id or registration.group_name),
        "opportunity": opportunity,
        "sessions": sessions,
        "venue": opportunity.venue,
        "position": waitlist_position(registration) if kind == MessageKind.WAITLISTED else None,
        "reason": cancellation.reason if cancellation else "",
        "opportunity_url": settings.SITE_URL
        + reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug]),
        "mine_url": settings.SITE_URL + reverse("enrolment:mine"),
        "preferences_url": settings.SITE_URL + reverse("enrolment:preferences"),
    }


def _date_time(moment: Any) -> str:
    from django.utils import formats

    return formats.date_format(moment, "j F Y, H:i")

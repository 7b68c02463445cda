"""Writes of enrolment: register, wait, be offered a place, confirm, cancel; sessions called off; attendance.

Every decision about places is taken in one transaction that first locks the rows of the sessions
it touches (`select_for_update`, in id order, so that two bookings never wait for each other in a
cycle). Two requests for the last place therefore run one after the other: the second sees the
first's registration and goes to the waitlist. On SQLite, `select_for_update` does nothing, but
every transaction starts with `BEGIN IMMEDIATE` (see `env.env_database`), which takes the
database's write lock at once, so writers also run one at a time and wait (busy timeout) for
their turn instead of failing. The same rule makes a second identical request find the first
registration: a person registering twice gets one registration.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from learningcity.accounts.models import FamilyMember
from learningcity.catalogue.models import Opportunity, Organisation, Session, Status
from learningcity.enrolment import permissions
from learningcity.enrolment.models import (
    ACTIVE,
    HOLDS_A_PLACE,
    CancellationReason,
    MessageKind,
    MessagePreference,
    Registration,
    RegistrationStatus,
    RegistrationWindow,
    SessionCancellation,
)
from learningcity.enrolment.signals import attendance_recorded

DEFAULT_OFFER_HOURS = 48
MAX_GROUP_PLACES = 200


class RegistrationError(Exception):
    """The rules do not allow this registration now; `code` for programs, `message` for people."""

    status = 409

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class EmailNotVerifiedError(RegistrationError):
    """Registering needs a verified e-mail address."""

    status = 403

    def __init__(self) -> None:
        super().__init__("email_not_verified", _("Confirm your e-mail address before registering."))


@dataclass(frozen=True)
class Booking:
    """The rows of one booking (one per session of a series), and whether this request created them."""

    registrations: list[Registration]
    created: bool

    @property
    def first(self) -> Registration:
        """The row of the earliest session."""
        return self.registrations[0]

    @property
    def status(self) -> str:
        """Confirmed, waitlisted, offered or cancelled: the same for every row of a booking."""
        return self.first.status


@dataclass(frozen=True)
class Participant:
    """Who a booking is for: the account holder, one of their family members, or a named group."""

    family_member: FamilyMember | None = None
    group_name: str = ""
    group_organisation: Organisation | None = None
    places: int = 1
    use_credit: bool = True
    reduced_price: bool = False

    def lookup(self, by: Any) -> Q:
        """The condition finding this participant's registrations."""
        if self.family_member is not None:
            return Q(family_member=self.family_member)
        if self.group_name:
            return Q(user=by, group_name=self.group_name)
        return Q(user=by, family_member__isnull=True, group_name="")


def offer_lifetime() -> timedelta:
    """How long a promoted person has to confirm (ENROLMENT_OFFER_HOURS, 48 hours by default)."""
    return timedelta(hours=int(getattr(settings, "ENROLMENT_OFFER_HOURS", DEFAULT_OFFER_HOURS)))


def capacity_of(session: Session, opportunity: Opportunity | None = None) -> int | None:
    """The session's places, else the opportunity's; None means no limit."""
    if session.capacity is not None:
        return session.capacity
    return (opportunity or session.opportunity).capacity


# --- registering -----------------------------------------------------------------------------------


def registration_create(
    *,
    session: Session,
    by: Any,
    family_member: FamilyMember | None = None,
    group_name: str = "",
    group_organisation: Organisation | None = None,
    places: int = 1,
    use_credit: bool = True,
    reduced_price: bool = False,
    now: datetime | None = None,
) -> Booking:
    """Register someone for a session (or for the whole series, when it is booked as one).

    Confirmed when every session booked has room, else waitlisted in arrival order. Asking again
    for the same participant returns the existing booking (`created` False). `use_credit` and
    `reduced_price` (the person declares they meet its conditions) decide what `price_charge` takes.
    """
    opportunity = session.opportunity
    participant = replace(
        _participant(
            by=by, opportunity=opportunity, family_member=family_member, group_name=group_name,
            group_organisation=group_organisation, places=places,
        ),
        use_credit=use_credit, reduced_price=reduced_price,
    )  # fmt: skip
    _check_may_register(by, opportunity)
    with transaction.atomic():
        sessions = _lock(_sessions_booked_together(session))
        # The time of arrival is read once the lock is held, so that the waitlist's order is the order
        # in which places were decided.
        now = now or timezone.now()
        taken, existing_id = _places_and_existing(sessions, session, participant.lookup(by))
        if existing_id is not None:
            return Booking(_booking_rows(Registration.objects.get(pk=existing_id)), created=False)
        _check_open(sessions, now)
        _check_age(opportunity, sessions[0], by=by, family_member=participant.family_member)
        _check_group_fits(opportunity, sessions, participant.places)
        fits = all(_room(s, opportunity, taken) >= participant.places for s in sessions)
        status = RegistrationStatus.CONFIRMED if fits else RegistrationStatus.WAITLISTED
        rows = _write_booking(by, sessions, participant, status, now)
        if fits:
            price_charge(registrations=rows, by=by)
            after = {s.pk: taken.get(s.pk, 0) + participant.places for s in sessions}
            _index_if_fullness_changed(opportunity, sessions, taken, after)
        _notify(rows[0], MessageKind.CONFIRMED if fits else MessageKind.WAITLISTED)
    return Booking(rows, created=True)


def _participant(
    *,
    by: Any,
    opportunity: Opportunity,
    family_member: FamilyMember | None,
    group_name: str,
    group_organisation: Organisation | None,
    places: int,
) -> Participant:
    """Check who the booking is for and that `by` may book for them."""
    group_name = (group_name or "").strip()
    if family_member is not None and group_name:
        raise ValidationError({"group_name": _("A registration is for a group or for a family member, not both.")})
    if family_member is not None:
        if family_member.account_id != by.pk or family_member.removed_at is not None:
            raise PermissionDenied(_("This person is not on your family list."))
        return Participant(family_member=family_member)
    if not group_name and group_organisation is None:
        if places != 1:
            raise ValidationError({"places": _("Only a group booking takes more than one place.")})
        return Participant()
    return _group_participant(by, opportunity, group_name, group_organisation, places)


def _group_participant(
    by: Any, opportunity: Opportunity, group_name: str, group_organisation: Organisation | None, places: int
) -> Participant:
    allowed = permissions.group_organisations(by, opportunity)
    if not allowed.exists():
        raise PermissionDenied(_("Group bookings are made by staff of an organisation of the city."))
    errors: dict[str, str] = {}
    if not group_name:
        errors["group_name"] = _("Name the group, e.g. “Class 5B, Jules Ferry school”.")
    if group_organisation is None or not allowed.filter(pk=group_organisation.pk).exists():
        errors["group_organisation"] = _("Choose one of the organisations you work for.")
    if not 1 <= places <= MAX_GROUP_PLACES:
        errors["places"] = _("A group books from 1 to %(max)d places.") % {"max": MAX_GROUP_PLACES}
    if errors:
        raise ValidationError(errors)
    return Participant(group_name=group_name, group_organisation=group_organisation, places=places)


def _check_may_register(by: Any, opportunity: Opportunity) -> None:
    if not by.is_authenticated or not by.is_active:
        raise PermissionDenied(_("Log in to register."))
    if not by.email_verified:
        raise EmailNotVerifiedError
    if opportunity.status != Status.PUBLISHED:
        raise RegistrationError("not_published", _("This opportunity is not open to the public."))
    if not opportunity.registration_required:
        raise RegistrationError("no_registration", _("No registration is needed: just come along."))


def _sessions_booked_together(session: Session) -> list[int]:
    """The session, or every session of its series when the opportunity is booked as one series."""
    if session.opportunity.booked_as_series and session.series_key:
        ids = Session.objects.filter(opportunity_id=session.opportunity_id, series_key=session.series_key)
        return sorted(ids.values_list("pk", flat=True))
    return [session.pk]


def _lock(session_ids: Iterable[int]) -> list[Session]:
    """Lock the sessions' rows until the transaction ends (in id order), and read them in time order."""
    ids = sorted(set(session_ids))
    related = ("opportunity__registration_window", "cancellation")  # read with the lock, for the checks
    locked = list(
        Session.objects.select_for_update(of=("self",)).select_related(*related).filter(pk__in=ids).order_by("pk")
    )
    return sorted(locked, key=lambda session: (session.start, session.pk))


def _check_open(sessions: Sequence[Session], now: datetime) -> None:
    first = sessions[0]
    if any(hasattr(session, "cancellation") for session in sessions):
        raise RegistrationError("session_cancelled", _("This session has been cancelled."))
    if first.start <= now:
        raise RegistrationError("started", _("Registration has closed: the session has started."))
    window: RegistrationWindow | None = getattr(first.opportunity, "registration_window", None)
    if window is not None and window.opens_at is not None and now < window.opens_at:
        moment = formats.date_format(timezone.localtime(window.opens_at, _zone(first)), "DATETIME_FORMAT")
        raise RegistrationError("not_open_yet", _("Registration opens on %(moment)s.") % {"moment": moment})
    if window is not None and window.closes_at is not None and now >= window.closes_at:
        raise RegistrationError("closed", _("Registration has closed."))


def _zone(session: Session) -> ZoneInfo:
    return ZoneInfo(session.time_zone)


def _check_age(opportunity: Opportunity, session: Session, *, by: Any, family_member: FamilyMember | None) -> None:
    """The participant's age in the year of the session must be within the opportunity's limits."""
    year_of_birth = family_member.year_of_birth if family_member is not None else by.year_of_birth
    if year_of_birth is None:
        return
    age = timezone.localtime(session.start, _zone(session)).year - year_of_birth
    if age < opportunity.age_min:
        raise RegistrationError(
            "too_young", _("This is for people aged %(age)d and over.") % {"age": opportunity.age_min}
        )
    if age > opportunity.age_max:
        raise RegistrationError("too_old", _("This is for people aged up to %(age)d.") % {"age": opportunity.age_max})


def _check_group_fits(opportunity: Opportunity, sessions: Sequence[Session], places: int) -> None:
    smallest = min((c for c in (capacity_of(s, opportunity) for s in sessions) if c is not None), default=None)
    if smallest is not None and places > smallest:
        raise ValidationError(
            {
                "places": _("This session has %(capacity)d places in all: book at most that many.")
                % {"capacity": smallest}
            }
        )


def _places_and_existing(sessions: Sequence[Session], session: Session, mine: Q) -> tuple[dict[int, int], int | None]:
    """Places taken on each session, and the participant's active registration on `session` (one query)."""
    rows = (
        Registration.objects.filter(session_id__in=[s.pk for s in sessions], status__in=ACTIVE)
        .values("session_id")
        .annotate(
            taken=Sum("places", filter=Q(status__in=HOLDS_A_PLACE)),
            existing=Max("pk", filter=mine & Q(session_id=session.pk)),
        )
        .values_list("session_id", "taken", "existing")
    )
    taken: dict[int, int] = {}
    existing: int | None = None
    for session_id, places, registration_id in rows:
        taken[session_id] = int(places or 0)
        existing = registration_id if registration_id is not None else existing
    return taken, existing


def places_taken(session_ids: Sequence[int]) -> dict[int, int]:
    """Places confirmed or held for an offer, by session."""
    rows = (
        Registration.objects.filter(session_id__in=session_ids, status__in=HOLDS_A_PLACE)
        .values("session_id")
        .annotate(taken=Sum("places"))
        .values_list("session_id", "taken")
    )
    return {session_id: int(taken or 0) for session_id, taken in rows}


def _room(session: Session, opportunity: Opportunity, taken: dict[int, int]) -> float:
    capacity = capacity_of(session, opportunity)
    return float("inf") if capacity is None else capacity - taken.get(session.pk, 0)


def _write_booking(
    by: Any, sessions: Sequence[Session], participant: Participant, status: str, now: datetime
) -> list[Registration]:
    # Written without model signals: the search index only needs to hear of it when a session
    # fills up or has room again (`_index_if_fullness_changed`), not on every registration.
    key = uuid.uuid4() if len(sessions) > 1 else None
    rows = [
        Registration(
            user=by, session=session, family_member=participant.family_member, group_name=participant.group_name,
            group_organisation=participant.group_organisation, places=participant.places, booking_key=key,
            use_credit=participant.use_credit, reduced_price_claimed=participant.reduced_price,
            status=status, created_at=now, updated_at=now,
        )
        for session in sessions
    ]  # fmt: skip
    return Registration.objects.bulk_create(rows)


def _booking_rows(registration: Registration) -> list[Registration]:
    """Every row of the booking the registration belongs to, in session order."""
    if registration.booking_key is None:
        return [registration]
    rows = Registration.objects.filter(booking_key=registration.booking_key).select_related("session")
    return sorted(rows, key=lambda row: (row.session.start, row.pk))


# --- the seam for learning vouchers ----------------------------------------------------------------


def price_charge(*, registrations: Sequence[Registration], by: Any) -> None:
    """Charge the price of a place just taken (confirmed), inside the registration's transaction.

    The one place where a registration costs something: the `credits` app plugs in here
    (`credits.services.quote(...)` then its spend call); raising refuses the whole registration.
    Free opportunities cost nothing. Waitlisted and offered places are not charged.

    The account holder's learning credit pays what it can unless they chose not to use it
    (`use_credit`), at the reduced price when they declared they qualify; a series booking is one price, charged
    on its first session; group bookings are paid by their organisation, never from anyone's credit.
    """
    from learningcity.credits import services as credits

    charged: set[Any] = set()
    for registration in sorted(registrations, key=lambda row: (row.session.start, row.pk)):
        opportunity = registration.session.opportunity
        if opportunity.is_free or registration.group_name or registration.group_organisation_id:
            continue
        if not registration.use_credit:
            continue
        if registration.booking_key is not None:
            if registration.booking_key in charged:
                continue
            charged.add(registration.booking_key)
        reduced = registration.reduced_price_claimed
        try:
            credits.spend_for_registration(registration, credits.quote(registration.user, opportunity, reduced=reduced))
        except credits.CreditChangedError:
            # Spent elsewhere between the quote and the lock on the balance: price it again, once.
            credits.spend_for_registration(registration, credits.quote(registration.user, opportunity, reduced=reduced))


def price_refund(*, registrations: Sequence[Registration]) -> None:
    """Give back what `price_charge` took, when a confirmed place is cancelled (by the person or the provider).

    The one place where a registration is refunded: `credits.services.refund_registration`, which gives
    back exactly what was spent on that row (nothing, for rows that cost no credit) and never twice.
    """
    from learningcity.credits import services as credits

    for registration in registrations:
        credits.refund_registration(registration)


# --- cancelling, promotion, offers -----------------------------------------------------------------


def registration_cancel(*, registration: Registration, by: Any, now: datetime | None = None) -> list[Registration]:
    """The person gives up their place or their place on the waitlist (the whole series, for a series booking).

    The place goes at once to the first person waiting for whom it is enough.
    """
    if not permissions.owns_registration(by, registration):
        raise PermissionDenied(_("This registration is not yours."))
    now = now or timezone.now()
    with transaction.atomic():
        rows = _booking_rows(registration)
        sessions = _lock(row.session_id for row in rows)
        active = [row for row in _reread(rows) if row.status in ACTIVE]
        if not active:
            return _reread(rows)
        upcoming = [row for row in active if row.session.start > now]
        if not upcoming:
            raise RegistrationError("started", _("This session has started: it can no longer be cancelled."))
        taken = places_taken([s.pk for s in sessions])
        paid = [row for row in upcoming if row.status == RegistrationStatus.CONFIRMED]
        _set_status(upcoming, RegistrationStatus.CANCELLED, now, reason=CancellationReason.PARTICIPANT)
        if paid:
            price_refund(registrations=paid)
        _promote(sessions, now)
        _index_if_fullness_changed(sessions[0].opportunity, sessions, taken)
        _notify(upcoming[0], MessageKind.CANCELLED)
    return _reread(rows)


def _reread(rows: Sequence[Registration]) -> list[Registration]:
    fresh = {row.pk: row for row in Registration.objects.filter(pk__in=[r.pk for r in rows]).select_related("session")}
    return [fresh[row.pk] for row in rows if row.pk in fresh]


def _set_status(rows: Sequence[Registration], status: str, now: datetime, *, reason: str = "") -> None:
    for row in rows:
        row.status, row.updated_at, row.cancellation_reason = status, now, reason
    Registration.objects.bulk_update(rows, ["status", "updated_at", "cancellation_reason"])


def _promote(sessions: Sequence[Session], now: datetime) -> list[Registration]:
    """Offer freed places to those waiting, in arrival order; a booking that does not fit keeps its turn.

    The sessions must be locked by the caller. Returns the first row of each booking offered a place.
    """
    opportunity = sessions[0].opportunity
    by_id = {session.pk: session for session in sessions}
    taken = places_taken(list(by_id))
    room = {pk: _room(session, opportunity, taken) for pk, session in by_id.items()}
    offered: list[Registration] = []
    seen: set[Any] = set()
    waiting = Registration.objects.filter(
        session_id__in=list(by_id), status=RegistrationStatus.WAITLISTED, session__start__gt=now
    ).order_by("created_at", "pk")
    for candidate in waiting:
        if all(value <= 0 for value in room.values()):
            break
        key = candidate.booking_key or candidate.pk
        if key in seen:
            continue
        seen.add(key)
        rows = [row for row in _booking_rows(candidate) if row.status == RegistrationStatus.WAITLISTED]
        if all(row.session_id in room and room[row.session_id] >= row.places for row in rows):
            _offer(rows, now)
            for row in rows:
                room[row.session_id] -= row.places
            offered.append(rows[0])
    return offered


def _offer(rows: Sequence[Registration], now: datetime) -> None:
    first_start = min(row.session.start for row in rows)
    deadline = min(now + offer_lifetime(), first_start)
    for row in rows:
        row.status, row.offer_expires_at, row.updated_at = RegistrationStatus.OFFERED, deadline, now
    Registration.objects.bulk_update(rows, ["status", "offer_expires_at", "updated_at"])
    _notify(rows[0], MessageKind.OFFERED)


def registration_confirm(*, registration: Registration, by: Any, now: datetime | None = None) -> list[Registration]:
    """The person takes the place offered to them, before its deadline."""
    if not permissions.owns_registration(by, registration):
        raise PermissionDenied(_("This registration is not yours."))
    now = now or timezone.now()
    expired = False
    with transaction.atomic():
        rows = _booking_rows(registration)
        sessions = _lock(row.session_id for row in rows)
        offered = [row for row in _reread(rows) if row.status == RegistrationStatus.OFFERED]
        if not offered:
            if registration.status == RegistrationStatus.CONFIRMED or all(
                row.status == RegistrationStatus.CONFIRMED for row in _reread(rows)
            ):
                return _reread(rows)
            raise RegistrationError("no_offer", _("No place is offered to you for this session."))
        if offered[0].offer_expires_at is not None and offered[0].offer_expires_at <= now:
            _expire(offered, sessions, now)
            expired = True
        else:
            _set_status(offered, RegistrationStatus.CONFIRMED, now)
            price_charge(registrations=offered, by=by)
            _notify(offered[0], MessageKind.CONFIRMED)
    if expired:
        raise RegistrationError("offer_expired", _("Too late: the place offered to you was given to the next person."))
    return _reread(rows)


def _expire(rows: Sequence[Registration], sessions: Sequence[Session], now: datetime) -> None:
    taken = places_taken([s.pk for s in sessions])
    _set_status(rows, RegistrationStatus.CANCELLED, now, reason=CancellationReason.OFFER_EXPIRED)
    _notify(rows[0], MessageKind.OFFER_EXPIRED)
    _promote(sessions, now)
    _index_if_fullness_changed(sessions[0].opportunity, sessions, taken)


def offers_expire(*, now: datetime | None = None) -> int:
    """Cancel the offers whose deadline passed and offer those places to the next people; returns how many expired.

    Run every few minutes (`learningcity enrolment expire-offers`); running it twice changes nothing more.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lte=now)
    expired = 0
    handled: set[Any] = set()
    for registration in due.order_by("offer_expires_at", "pk"):
        key = registration.booking_key or registration.pk
        if key in handled:
            continue
        handled.add(key)
        with transaction.atomic():
            rows = _booking_rows(registration)
            sessions = _lock(row.session_id for row in rows)
            still = [
                row for row in _reread(rows)
                if row.status == RegistrationStatus.OFFERED and row.offer_expires_at and row.offer_expires_at <= now
            ]  # fmt: skip
            if still:
                _expire(still, sessions, now)
                expired += 1
    return expired


def waitlists_promote(*, now: datetime | None = None) -> int:
    """Offer places to people waiting wherever there is room (after a provider added places); returns how many.

    Run with `learningcity enrolment expire-offers`; cancellations and expiries promote at once anyway.
    """
    now = now or timezone.now()
    waiting = Registration.objects.filter(status=RegistrationStatus.WAITLISTED, session__start__gt=now)
    session_ids = sorted(set(waiting.values_list("session_id", flat=True)))
    offered = 0
    for session_id in session_ids:
        with transaction.atomic():
            sessions = _lock([session_id])
            offered += len(_promote(sessions, now))
    return offered


# --- providers: cancelling a session, attendance, windows -------------------------------------------


def session_cancel(*, session: Session, by: Any, reason: str = "", now: datetime | None = None) -> SessionCancellation:
    """The provider calls a session off: every registration and waitlisted person is cancelled and told."""
    opportunity = session.opportunity
    if not permissions.can_manage_registrations(by, opportunity):
        raise PermissionDenied(_("Only the provider's staff and the city's coordinators cancel a session."))
    now = now or timezone.now()
    with transaction.atomic():
        [locked] = _lock([session.pk])
        existing = SessionCancellation.objects.filter(session=locked).first()
        if existing is not None:
            return existing
        if locked.end <= now:
            raise ValidationError(_("This session is over: it can no longer be cancelled."))
        cancellation = SessionCancellation.objects.create(
            session=locked, cancelled_by=by, reason=reason.strip()[:500], cancelled_at=now
        )
        rows = list(Registration.objects.filter(session=locked, status__in=ACTIVE).select_related("session"))
        confirmed = [row for row in rows if row.status == RegistrationStatus.CONFIRMED]
        _set_status(rows, RegistrationStatus.CANCELLED, now, reason=CancellationReason.SESSION)
        if confirmed:
            price_refund(registrations=confirmed)
        for row in rows:
            _notify(row, MessageKind.SESSION_CANCELLED)
        _index(opportunity)
    return cancellation


def attendance_record(
    *, session: Session, by: Any, present: Iterable[int], now: datetime | None = None
) -> tuple[int, int]:
    """Mark who came among the confirmed registrations (the others did not); returns (present, absent)."""
    if not permissions.can_manage_registrations(by, session.opportunity):
        raise PermissionDenied(_("Only the provider's staff and the city's coordinators take attendance."))
    now = now or timezone.now()
    zone = _zone(session)
    if timezone.localtime(now, zone).date() < timezone.localtime(session.start, zone).date():
        raise ValidationError(_("Attendance can be taken from the day of the session."))
    if SessionCancellation.objects.filter(session=session).exists():
        raise ValidationError(_("This session was cancelled: there is no attendance to take."))
    wanted = set(present)
    with transaction.atomic():
        rows = list(
            Registration.objects.select_for_update().filter(session=session, status=RegistrationStatus.CONFIRMED)
        )
        unknown = wanted - {row.pk for row in rows}
        if unknown:
            raise ValidationError({"present": _("These are not confirmed registrations of this session.")})
        for row in rows:
            row.attended, row.updated_at = row.pk in wanted, now
        Registration.objects.bulk_update(rows, ["attended", "updated_at"])
    attendance_recorded.send(sender=Session, session=session, registration_ids=[row.pk for row in rows])
    return len(wanted), len(rows) - len(wanted)


@transaction.atomic
def registration_window_set(
    *, opportunity: Opportunity, by: Any, opens_at: datetime | None, closes_at: datetime | None
) -> RegistrationWindow:
    """Set when registration opens and closes (both optional; without them it is open until each session starts)."""
    if not permissions.can_manage_registrations(by, opportunity):
        raise PermissionDenied(_("Only the provider's staff and the city's coordinators set registration dates."))
    window = RegistrationWindow.objects.filter(opportunity=opportunity).first() or RegistrationWindow(
        opportunity=opportunity
    )
    window.opens_at, window.closes_at = opens_at, closes_at
    window.full_clean()
    window.save()
    return window


# --- messages --------------------------------------------------------------------------------------


@transaction.atomic
def message_preference_set(
    *, user: Any, confirmations: bool, reminders: bool, cancellations: bool
) -> MessagePreference:
    """A person chooses which e-mails about their registrations they receive (offers always go out)."""
    preference, _created = MessagePreference.objects.update_or_create(
        user=user, defaults={"confirmations": confirmations, "reminders": reminders, "cancellations": cancellations}
    )
    return preference


def reminders_enqueue(*, now: datetime | None = None) -> int:
    """Queue the reminder of each confirmed registration whose session is tomorrow; returns how many were queued.

    Run daily (`learningcity enrolment send-reminders`); the task records each reminder in the
    transaction that sends it, so nobody is reminded twice even if the command runs twice.
    """
    from learningcity.enrolment import tasks
    from learningcity.enrolment.selectors import reminders_due

    ids = list(reminders_due(now=now or timezone.now()).values_list("pk", flat=True))
    for registration_id in ids:
        transaction.on_commit(partial(tasks.send_reminder.enqueue, registration_id))
    return len(ids)


def _notify(registration: Registration, kind: str) -> None:
    """Queue a message about the registration, sent by the worker after commit (preferences are read then)."""
    from learningcity.enrolment import tasks

    transaction.on_commit(partial(tasks.send_registration_message.enqueue, registration.pk, str(kind)))


# --- the search index ------------------------------------------------------------------------------


def _index_if_fullness_changed(
    opportunity: Opportunity, sessions: Sequence[Session], before: dict[int, int], after: dict[int, int] | None = None
) -> None:
    """Tell the search index about places only when a session became full or has room again."""
    after = places_taken([s.pk for s in sessions]) if after is None else after
    for session in sessions:
        capacity = capacity_of(session, opportunity)
        if capacity is not None and (before.get(session.pk, 0) >= capacity) != (after.get(session.pk, 0) >= capacity):
            _index(opportunity)
            return


def _index(opportunity: Opportunity) -> None:
    from learningcity import public_cache
    from learningcity.search import indexing

    indexing.reindex([opportunity.pk])
    public_cache.places_changed(opportunity.pk)  # its page, kept for anonymous visitors, shows places left

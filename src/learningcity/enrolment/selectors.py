"""Reads of enrolment shared by pages, the API and the commands: places, registrations, rosters, rates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from learningcity.accounts.models import FamilyMember
from learningcity.catalogue.models import Opportunity, Session, Status
from learningcity.enrolment import permissions
from learningcity.enrolment.models import (
    ACTIVE,
    Registration,
    RegistrationStatus,
    RegistrationWindow,
    SessionCancellation,
)
from learningcity.enrolment.services import capacity_of, places_taken

# --- places ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPlaces:
    """How full a session is."""

    session: Session
    capacity: int | None
    taken: int
    waiting: int
    cancelled: bool

    @property
    def left(self) -> int | None:
        """Places still free (None: no limit)."""
        return None if self.capacity is None else max(0, self.capacity - self.taken)

    @property
    def full(self) -> bool:
        """No place left: a new registration goes to the waitlist."""
        return self.left == 0


def session_places(sessions: Sequence[Session], opportunity: Opportunity) -> dict[int, SessionPlaces]:
    """Places of each session, in three queries whatever their number."""
    ids = [session.pk for session in sessions]
    taken = places_taken(ids)
    waiting = dict(
        Registration.objects.filter(session_id__in=ids, status=RegistrationStatus.WAITLISTED)
        .values("session_id")
        .annotate(count=Count("pk"))
        .values_list("session_id", "count")
    )
    cancelled = set(SessionCancellation.objects.filter(session_id__in=ids).values_list("session_id", flat=True))
    return {
        session.pk: SessionPlaces(
            session=session, capacity=capacity_of(session, opportunity), taken=taken.get(session.pk, 0),
            waiting=waiting.get(session.pk, 0), cancelled=session.pk in cancelled,
        )
        for session in sessions
    }  # fmt: skip


def waitlist_position(registration: Registration) -> int:
    """1 for the first person waiting on the session, and so on (arrival order)."""
    earlier = Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    ahead = Registration.objects.filter(
        earlier, session_id=registration.session_id, status=RegistrationStatus.WAITLISTED
    )
    return ahead.count() + 1


# --- the "Register" block of an opportunity page ---------------------------------------------------


@dataclass
class PanelEntry:
    """One thing to register for: a session, or a whole series booked as one."""

    target: Session
    sessions: list[Session]
    places: list[SessionPlaces]
    mine: list[Registration] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return any(place.cancelled for place in self.places)

    @property
    def left(self) -> int | None:
        """The fewest places left over the sessions (None: no limit)."""
        lefts = [place.left for place in self.places if place.left is not None]
        return min(lefts) if lefts else None

    @property
    def full(self) -> bool:
        return self.left == 0

    @property
    def waiting(self) -> int:
        return max((place.waiting for place in self.places), default=0)


@dataclass
class RegistrationPanel:
    """What the opportunity page shows about registering."""

    opportunity: Opportunity
    entries: list[PanelEntry]
    state: str  # "open", "not_yet", "closed", "not_required", "not_public"
    window: RegistrationWindow | None
    can_manage: bool
    can_group: bool


def registration_panel(*, opportunity: Opportunity, user: Any, now: datetime | None = None) -> RegistrationPanel:
    """Upcoming sessions (or series) with places left and the person's own registrations."""
    now = now or timezone.now()
    sessions = list(opportunity.sessions.filter(end__gte=now).order_by("start", "pk")[:60])
    places = session_places(sessions, opportunity)
    entries = _panel_entries(opportunity, sessions, places)
    if user.is_authenticated and sessions:
        mine = Registration.objects.filter(
            Q(user=user) | Q(family_member__account=user), session__in=sessions, status__in=ACTIVE
        ).select_related("family_member", "user")
        by_session: dict[int, list[Registration]] = defaultdict(list)
        for registration in mine:
            by_session[registration.session_id].append(registration)
        for entry in entries:
            entry.mine = by_session.get(entry.target.pk, [])
    window = RegistrationWindow.objects.filter(opportunity=opportunity).first()
    return RegistrationPanel(
        opportunity=opportunity, entries=entries, state=_state(opportunity, window, now), window=window,
        can_manage=permissions.can_manage_registrations(user, opportunity),
        can_group=permissions.can_book_for_group(user, opportunity),
    )  # fmt: skip


def _panel_entries(
    opportunity: Opportunity, sessions: list[Session], places: dict[int, SessionPlaces]
) -> list[PanelEntry]:
    if not opportunity.booked_as_series:
        return [PanelEntry(target=s, sessions=[s], places=[places[s.pk]]) for s in sessions]
    series: dict[str, list[Session]] = {}
    for session in sessions:
        series.setdefault(session.series_key or f"session-{session.pk}", []).append(session)
    return [
        PanelEntry(target=group[0], sessions=group, places=[places[s.pk] for s in group]) for group in series.values()
    ]


def _state(opportunity: Opportunity, window: RegistrationWindow | None, now: datetime) -> str:
    if opportunity.status != Status.PUBLISHED:
        return "not_public"
    if not opportunity.registration_required:
        return "not_required"
    if window is not None and window.opens_at is not None and now < window.opens_at:
        return "not_yet"
    if window is not None and window.closes_at is not None and now >= window.closes_at:
        return "closed"
    return "open"


# --- a person's registrations ----------------------------------------------------------------------


@dataclass
class MyBooking:
    """One booking as its owner sees it: the next row, every session it covers, the place in the queue."""

    registration: Registration
    sessions: list[Session]
    position: int | None = None

    @property
    def is_series(self) -> bool:
        return len(self.sessions) > 1


@dataclass
class MyRegistrations:
    """A person's bookings, by what they need to do about them."""

    offered: list[MyBooking] = field(default_factory=list)
    upcoming: list[MyBooking] = field(default_factory=list)
    waitlisted: list[MyBooking] = field(default_factory=list)
    past: list[MyBooking] = field(default_factory=list)
    cancelled: list[MyBooking] = field(default_factory=list)


def registrations_of(user: Any) -> QuerySet[Registration]:
    """Every registration the person booked (for themselves, their family or a group), newest session first."""
    return (
        Registration.objects.filter(user=user)
        .select_related("session__opportunity__venue", "family_member", "group_organisation")
        .order_by("-session__start", "-pk")
    )


def my_registrations(*, user: Any, now: datetime | None = None, limit: int = 300) -> MyRegistrations:
    """The person's bookings: places offered, coming up, waiting (with position), past, and cancelled ones to come."""
    now = now or timezone.now()
    bookings: dict[Any, list[Registration]] = {}
    for registration in registrations_of(user)[:limit]:
        bookings.setdefault(registration.booking_key or registration.pk, []).append(registration)
    mine = MyRegistrations()
    for rows in bookings.values():
        rows.sort(key=lambda row: (row.session.start, row.pk))
        _classify(mine, rows, now)
    for bucket in (mine.offered, mine.upcoming, mine.waitlisted, mine.cancelled):
        bucket.sort(key=lambda booking: booking.registration.session.start)
    return mine


def _classify(mine: MyRegistrations, rows: list[Registration], now: datetime) -> None:
    coming = [row for row in rows if row.session.start > now]
    next_row = coming[0] if coming else rows[-1]
    booking = MyBooking(registration=next_row, sessions=[row.session for row in rows])
    status = next_row.status
    if not coming:
        if any(row.status == RegistrationStatus.CONFIRMED for row in rows):
            mine.past.append(booking)
    elif status == RegistrationStatus.OFFERED:
        mine.offered.append(booking)
    elif status == RegistrationStatus.CONFIRMED:
        mine.upcoming.append(booking)
    elif status == RegistrationStatus.WAITLISTED:
        booking.position = waitlist_position(next_row)
        mine.waitlisted.append(booking)
    else:
        mine.cancelled.append(booking)


# --- rosters and rates -----------------------------------------------------------------------------


@dataclass
class Roster:
    """Who is registered, offered a place, waiting and present at one session."""

    session: Session
    opportunity: Opportunity
    capacity: int | None
    confirmed: list[Registration]
    offered: list[Registration]
    waitlisted: list[Registration]
    cancelled_count: int
    cancellation: SessionCancellation | None
    attendance_open: bool

    @property
    def taken(self) -> int:
        return sum(row.places for row in self.confirmed) + sum(row.places for row in self.offered)

    @property
    def present(self) -> int:
        return sum(row.places for row in self.confirmed if row.attended)

    @property
    def active_count(self) -> int:
        """Registrations still on: confirmed, offered and waiting."""
        return len(self.confirmed) + len(self.offered) + len(self.waitlisted)

    @property
    def attendance_taken(self) -> bool:
        return any(row.attended is not None for row in self.confirmed)


def roster(*, session: Session, now: datetime | None = None) -> Roster:
    """The roster of a session for its provider (the caller checks permissions)."""
    now = now or timezone.now()
    rows = list(
        Registration.objects.filter(session=session)
        .select_related("user", "family_member", "group_organisation")
        .order_by("created_at", "pk")
    )
    zone = ZoneInfo(session.time_zone)
    by_status: dict[str, list[Registration]] = defaultdict(list)
    for row in rows:
        by_status[row.status].append(row)
    cancellation = SessionCancellation.objects.filter(session=session).first()
    return Roster(
        session=session, opportunity=session.opportunity, capacity=capacity_of(session),
        confirmed=sorted(by_status[RegistrationStatus.CONFIRMED], key=lambda row: row.participant_name.lower()),
        offered=by_status[RegistrationStatus.OFFERED], waitlisted=by_status[RegistrationStatus.WAITLISTED],
        cancelled_count=len(by_status[RegistrationStatus.CANCELLED]), cancellation=cancellation,
        attendance_open=cancellation is None
        and timezone.localtime(now, zone).date() >= timezone.localtime(session.start, zone).date(),
    )  # fmt: skip


@dataclass(frozen=True)
class SessionSummary:
    """A session's figures on the opportunity's overview."""

    session: Session
    capacity: int | None
    confirmed: int
    waitlisted: int
    present: int | None
    absent: int | None
    cancelled: bool


@dataclass(frozen=True)
class OpportunityRates:
    """Registrations and attendance over an opportunity's sessions."""

    sessions: list[SessionSummary]
    recorded: int  # places whose attendance was taken
    present: int
    absent: int

    @property
    def attendance_rate(self) -> float | None:
        """Share of places present among those whose attendance was taken."""
        return self.present / self.recorded if self.recorded else None

    @property
    def no_show_rate(self) -> float | None:
        """Share of places registered but absent among those whose attendance was taken."""
        return self.absent / self.recorded if self.recorded else None

    @property
    def attendance_percent(self) -> int | None:
        """The attendance rate in whole percent."""
        return None if self.attendance_rate is None else round(100 * self.attendance_rate)

    @property
    def no_show_percent(self) -> int | None:
        """The no-show rate in whole percent."""
        return None if self.no_show_rate is None else round(100 * self.no_show_rate)


def opportunity_rates(*, opportunity: Opportunity, limit: int = 200) -> OpportunityRates:
    """Per-session counts and the attendance and no-show rates of an opportunity (two queries)."""
    sessions = list(opportunity.sessions.order_by("start", "pk")[:limit])
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    figures = {
        row["session_id"]: row
        for row in Registration.objects.filter(session__in=sessions)
        .values("session_id")
        .annotate(
            confirmed=Sum("places", filter=confirmed),
            waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
            present=Sum("places", filter=confirmed & Q(attended=True)),
            absent=Sum("places", filter=confirmed & Q(attended=False)),
        )
    }
    cancelled = set(SessionCancellation.objects.filter(session__in=sessions).values_list("session_id", flat=True))
    summaries = []
    for session in sessions:
        row = figures.get(session.pk, {})
        present, absent = row.get("present") or 0, row.get("absent") or 0
        taken = bool(present or absent)
        summaries.append(
            SessionSummary(
                session=session, capacity=capacity_of(session, opportunity), confirmed=row.get("confirmed") or 0,
                waitlisted=row.get("waitlisted") or 0, present=present if taken else None,
                absent=absent if taken else None, cancelled=session.pk in cancelled,
            )
        )  # fmt: skip
    present = sum(s.present or 0 for s in summaries)
    absent = sum(s.absent or 0 for s in summaries)
    return OpportunityRates(sessions=summaries, recorded=present + absent, present=present, absent=absent)


# --- reminders -------------------------------------------------------------------------------------


def reminders_due(*, now: datetime) -> QuerySet[Registration]:
    """Confirmed registrations not yet reminded whose session is tomorrow, in the session's own time zone."""
    soon = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED, reminder_sent_at__isnull=True, user__is_active=True,
        session__start__gt=now, session__start__lt=now + timedelta(days=3), session__cancellation__isnull=True,
    )  # fmt: skip
    condition = Q(pk__in=[])
    for name in soon.values_list("session__time_zone", flat=True).distinct():
        zone = ZoneInfo(name)
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        start = datetime.combine(tomorrow, time(0), tzinfo=zone)
        end = datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=zone)
        condition |= Q(session__time_zone=name, session__start__gte=start, session__start__lt=end)
    return soon.filter(condition).order_by("session__start", "pk")


def family_choices(user: Any) -> QuerySet[FamilyMember]:
    """The family members a person may register."""
    return FamilyMember.objects.current().filter(account=user)

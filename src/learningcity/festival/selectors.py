"""Reads of the festival shared by the pages, the calendar feed, the summary and the monitoring report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from learningcity.catalogue.models import City, Opportunity, Session, Status
from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.festival.models import Festival, Submission, SubmissionStatus

COUNTERS_SECONDS = 60  # live counters may lag this much behind the database, never more
SUBMITTABLE_STATUSES = (Status.DRAFT, Status.PENDING, Status.PUBLISHED)


def programme_sessions(festival: Festival) -> QuerySet[Session]:
    """Sessions of the festival's accepted, published events that start within its dates, soonest first."""
    start, end = festival.window()
    accepted = Submission.objects.filter(
        festival=festival, opportunity=OuterRef("opportunity_id"), status=SubmissionStatus.ACCEPTED
    )
    return (
        Session.objects.filter(Exists(accepted), opportunity__status=Status.PUBLISHED, start__gte=start, start__lt=end)
        .select_related(
            "opportunity", "opportunity__organisation", "opportunity__venue", "opportunity__venue__district"
        )
        .order_by("start", "pk")
    )


@dataclass(frozen=True)
class ProgrammeFilters:
    """What a visitor can narrow the programme by."""

    day: date | None = None
    district: str = ""
    age: int | None = None
    building_block: str = ""
    free: bool = False


def programme(festival: Festival, filters: ProgrammeFilters) -> QuerySet[Session]:
    """The programme's sessions matching the filters."""
    sessions = programme_sessions(festival)
    if filters.day is not None:
        zone = ZoneInfo(festival.city.time_zone)
        start = datetime.combine(filters.day, time.min, zone)
        sessions = sessions.filter(start__gte=start, start__lt=start + timedelta(days=1))
    if filters.district:
        sessions = sessions.filter(opportunity__venue__district__code=filters.district)
    if filters.age is not None:
        sessions = sessions.filter(opportunity__age_min__lte=filters.age, opportunity__age_max__gte=filters.age)
    if filters.building_block:
        blocks = Opportunity.building_blocks.through.objects.filter(
            opportunity_id=OuterRef("opportunity_id"), buildingblock__code=filters.building_block
        )
        sessions = sessions.filter(Exists(blocks))
    if filters.free:
        sessions = sessions.filter(opportunity__is_free=True)
    return sessions


@dataclass(frozen=True)
class Counters:
    """The festival's figures right now: accepted events, people registered and present, districts with an event."""

    events: int
    registrations: int
    attendance: int
    districts: int
    counted_at: datetime


def counters(festival: Festival) -> Counters:
    """Live counters, counted from the database and cached for at most `COUNTERS_SECONDS`."""
    key = f"festival:{festival.pk}:counters"
    found = cache.get(key)
    if found is None:
        found = count_now(festival)
        cache.set(key, found, COUNTERS_SECONDS)
    return found  # type: ignore[no-any-return]


def count_now(festival: Festival) -> Counters:
    """The counters from the database, uncached."""
    sessions = programme_sessions(festival)
    places = sessions.aggregate(
        events=Count("opportunity_id", distinct=True),
        districts=Count("opportunity__venue__district_id", distinct=True),
    )
    # People, not rows: a group booking holds several places.
    people = Registration.objects.filter(session__in=sessions.values("pk")).aggregate(
        registrations=Coalesce(Sum("places", filter=Q(status=RegistrationStatus.CONFIRMED)), 0),
        attendance=Coalesce(Sum("places", filter=Q(attended=True)), 0),
    )
    return Counters(
        events=places["events"], districts=places["districts"], registrations=people["registrations"],
        attendance=people["attendance"], counted_at=timezone.now(),
    )  # fmt: skip


def city_festivals(city: City | None) -> QuerySet[Festival]:
    """A city's festivals, the latest first."""
    if city is None:
        return Festival.objects.none()
    return Festival.objects.filter(city=city).select_related("city")


def coordinated_festivals(*, city_ids: list[int] | None) -> QuerySet[Festival]:
    """Festivals of the given cities (`None`: every city, for admins), the latest first."""
    queryset = Festival.objects.select_related("city").annotate(
        waiting=Count("submissions", filter=Q(submissions__status=SubmissionStatus.PENDING))
    )
    return queryset if city_ids is None else queryset.filter(city_id__in=city_ids)


def submittable_opportunities(festival: Festival, organisation_ids: list[int]) -> QuerySet[Opportunity]:
    """Listings of these organisations that could still be submitted: not archived, not already submitted."""
    already = Submission.objects.filter(festival=festival, opportunity=OuterRef("pk"))
    return (
        Opportunity.objects.filter(organisation_id__in=organisation_ids, status__in=SUBMITTABLE_STATUSES)
        .exclude(Exists(already))
        .select_related("organisation")
        .order_by("organisation__name", "title_fr", "pk")
    )


def organisation_submissions(festival: Festival, organisation_ids: list[int]) -> QuerySet[Submission]:
    """What these organisations submitted to the festival, newest first."""
    return (
        Submission.objects.filter(festival=festival, opportunity__organisation_id__in=organisation_ids)
        .select_related("opportunity", "opportunity__organisation")
        .order_by("-submitted_at", "-pk")
    )


def festival_submissions(festival: Festival) -> QuerySet[Submission]:
    """Every submission to the festival: waiting ones first, then by date of submission."""
    return (
        Submission.objects.filter(festival=festival)
        .select_related("opportunity", "opportunity__organisation", "opportunity__venue__district")
        .order_by(Case(When(status=SubmissionStatus.PENDING, then=0), default=1), "submitted_at", "pk")
    )


def sessions_within(festival: Festival, opportunity: Opportunity) -> QuerySet[Session]:
    """An opportunity's sessions that start within the festival's dates."""
    start, end = festival.window()
    return opportunity.sessions.filter(start__gte=start, start__lt=end).order_by("start")

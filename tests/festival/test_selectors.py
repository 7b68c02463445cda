"""The programme's sessions (which the calendar feed relies on) and the live counters."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache

from learningcity.catalogue.models import Session, Status
from learningcity.enrolment.models import Registration
from learningcity.festival import selectors
from learningcity.festival.models import Festival
from tests.factories import make_user
from tests.festival.conftest import PARIS, Programme, at, event, submitted


def test_programme_sessions_are_the_accepted_published_events_within_the_dates(programme: Programme) -> None:
    sessions = selectors.programme_sessions(programme.festival)
    assert sessions.model is Session
    assert [session.opportunity.title_en for session in sessions] == ["Robotics workshop", "Climate talk"]
    assert all(programme.festival.window()[0] <= session.start < programme.festival.window()[1] for session in sessions)


def test_programme_sessions_follow_the_catalogue_and_the_citys_midnight(programme: Programme) -> None:
    festival = programme.festival
    programme.climate.status = Status.ARCHIVED
    programme.climate.save()
    last_minute = datetime.combine(festival.ends_on, datetime.min.time(), PARIS) + timedelta(hours=23, minutes=59)
    late = event(programme.world.org_a, last_minute, last_minute + timedelta(minutes=2), title_en="Midnight talk")
    submitted(festival, late, "accepted")
    titles = [session.opportunity.title_en for session in selectors.programme_sessions(festival)]
    assert titles == ["Robotics workshop", "Midnight talk"], "archived: gone; 23:59 on the last day: in, 00:01: out"


def test_programme_sessions_belong_to_one_festival(programme: Programme) -> None:
    other = Festival.objects.create(
        city=programme.world.city, slug="other-2026", name_fr="Autre", name_en="Other",
        starts_on=programme.festival.starts_on, ends_on=programme.festival.ends_on,
        call_opens_on=programme.festival.call_opens_on, call_closes_on=programme.festival.call_closes_on,
    )  # fmt: skip
    assert list(selectors.programme_sessions(other)) == []


def test_counters_count_from_the_database_and_are_cached_briefly(programme: Programme) -> None:
    session = programme.robotics.sessions.get()
    Registration.objects.create(user=make_user("a@resident.test"), session=session, attended=True)
    Registration.objects.create(user=make_user("b@resident.test"), session=session, attended=False)
    Registration.objects.create(user=make_user("c@resident.test"), session=session, status="cancelled")
    first = selectors.counters(programme.festival)
    assert (first.events, first.registrations, first.attendance, first.districts) == (2, 2, 1, 2)
    Registration.objects.create(user=make_user("d@resident.test"), session=session)
    assert selectors.counters(programme.festival) == first, "cached"
    assert selectors.count_now(programme.festival).registrations == 3
    cache.clear()
    assert selectors.counters(programme.festival).registrations == 3
    assert selectors.COUNTERS_SECONDS <= 60


def test_counters_ignore_registrations_outside_the_programme(programme: Programme) -> None:
    outside = programme.climate.sessions.order_by("-start")[0]
    declined = programme.declined.sessions.get()
    Registration.objects.create(user=make_user("a@resident.test"), session=outside)
    Registration.objects.create(user=make_user("b@resident.test"), session=declined)
    assert selectors.count_now(programme.festival).registrations == 0


def test_the_filters_pick_the_festivals_day_in_the_citys_time(programme: Programme) -> None:
    evening = at(programme.festival, 0, 23)  # 23:00 in Paris is 22:00 UTC: still day 0
    late = event(programme.world.org_a, evening, title_en="Late show")
    submitted(programme.festival, late, "accepted")
    filters = selectors.ProgrammeFilters(day=programme.festival.starts_on)
    assert [s.opportunity.title_en for s in selectors.programme(programme.festival, filters)] == [
        "Robotics workshop", "Late show",
    ]  # fmt: skip


def test_counters_count_the_places_of_a_group(programme: Programme) -> None:
    session = programme.climate.sessions.order_by("start")[0]
    teacher = make_user("teacher@school.test")
    Registration.objects.create(user=teacher, session=session, group_name="Lycée, 2de A", places=28, attended=True)
    counted = selectors.count_now(programme.festival)
    assert (counted.registrations, counted.attendance) == (28, 28)

"""After the festival: figures by district and age band, small counts suppressed, and the monitoring tables."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pandas as pd
import pytest
from django.utils import translation

from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.festival.models import Festival
from learningcity.festival.summary import (
    Figure,
    festival_events_table,
    festival_report,
    festival_summary,
    summary_csv,
)
from tests.factories import make_user
from tests.festival.conftest import Programme, today


def register(programme: Programme, *, children: int, elders: int) -> None:
    """`children` aged 10 at the robotics workshop (all came), `elders` aged 70 at the climate talk (none came)."""
    year = programme.festival.starts_on.year
    robotics, climate = programme.robotics.sessions.get(), programme.climate.sessions.order_by("start")[0]
    for number in range(children):
        user = make_user(f"child{number}@resident.test", year_of_birth=year - 10)
        Registration.objects.create(user=user, session=robotics, attended=True)
    for number in range(elders):
        user = make_user(f"elder{number}@resident.test", year_of_birth=year - 70)
        Registration.objects.create(user=user, session=climate, attended=False)


def test_it_counts_events_registrations_and_attendance_by_district_and_age_band(programme: Programme) -> None:
    register(programme, children=12, elders=14)
    waitlisted = make_user("late@resident.test")
    Registration.objects.create(user=waitlisted, session=programme.robotics.sessions.get(),
                                status=RegistrationStatus.WAITLISTED)  # fmt: skip
    summary = festival_summary(programme.festival)
    assert summary.total.events == 2
    assert summary.total.registrations == Figure(26)
    assert summary.total.attendance == Figure(12)
    districts = {row.label: row for row in summary.by_district}
    assert list(districts) == ["Centre", "Les Rives"], "every district, no 'online' row when nothing is online"
    assert (districts["Centre"].events, districts["Centre"].registrations.value) == (1, 12)
    assert (districts["Les Rives"].events, districts["Les Rives"].registrations.value) == (1, 14)
    bands = {row.code: row for row in summary.by_age_band}
    assert bands["6-10"].registrations == Figure(12)
    assert bands["6-10"].events == 1
    assert bands["65-79"].registrations == Figure(14)
    assert bands["65-79"].events == 1
    assert bands["11-17"].events == 2, "events open to that age: robotics 8-14 and the talk from 16"
    assert bands["25-44"].registrations == Figure(None, "primary"), "nobody of that age: not published"
    assert "none" not in bands, "the waitlisted person (no year of birth) counts nowhere"


def test_it_suppresses_small_counts_and_the_cells_that_would_reveal_them(programme: Programme) -> None:
    register(programme, children=12, elders=3)
    summary = festival_summary(programme.festival)
    districts = {row.label: row for row in summary.by_district}
    assert districts["Les Rives"].registrations == Figure(None, "primary")
    assert districts["Centre"].registrations == Figure(None, "secondary"), "15 - 12 would give the 3 back"
    assert summary.total.registrations == Figure(15)
    assert districts["Les Rives"].events == 1, "events are not people: always shown"


def test_it_marks_the_summary_final_once_the_festival_is_over(programme: Programme) -> None:
    assert not festival_summary(programme.festival).final
    Festival.objects.filter(pk=programme.festival.pk).update(
        starts_on=today() - timedelta(days=8), ends_on=today() - timedelta(days=1),
        call_opens_on=today() - timedelta(days=20), call_closes_on=today() - timedelta(days=9),
    )  # fmt: skip
    programme.festival.refresh_from_db()
    assert festival_summary(programme.festival).final


def test_the_csv_gives_one_line_per_figure_with_suppression_stated(programme: Programme) -> None:
    register(programme, children=12, elders=3)
    with translation.override("en"):
        rows = list(csv.DictReader(io.StringIO(summary_csv(festival_summary(programme.festival)))))
    assert rows[0] == {"festival": programme.festival.slug, "breakdown": "total", "code": "", "label": "Whole festival",
                       "measure": "events", "value": "2", "suppressed": ""}  # fmt: skip
    rives = [row for row in rows if row["breakdown"] == "district" and row["code"] == "02"]
    assert [(row["measure"], row["value"], row["suppressed"]) for row in rives] == [
        ("events", "1", ""),
        ("registrations", "", "primary"),
        ("attendance", "", "primary"),
    ]


def test_it_gives_the_monitoring_indicators_their_festival_events(programme: Programme) -> None:
    table = festival_events_table(programme.world.city)
    assert sorted(table["id"]) == sorted([programme.robotics.pk, programme.climate.pk])
    assert set(table["district"]) == {"01", "02"}
    assert str(table["start"].dt.tz) == "Europe/Paris"
    climate = table[table["id"] == programme.climate.pk]["start"].iloc[0]
    assert climate.date() == programme.festival.starts_on + timedelta(days=1), "its first session in the festival"


def test_the_festival_indicators_have_data_in_the_city_dashboard(programme: Programme) -> None:
    from learningcity.monitoring.dashboard import city_cells

    year = programme.festival.starts_on.year
    cells = city_cells(programme.world.city, year, None)  # type: ignore[arg-type]
    total = cells[(cells["breakdown"] == "total")].set_index("indicator")
    assert total.loc["festival-events", "value"] == 2
    assert total.loc["festival-districts-reached", "value"] == pytest.approx(100.0), "both districts hosted one"


def test_the_report_gets_the_summaries_of_the_years_festivals(programme: Programme) -> None:
    year = programme.festival.starts_on.year
    [summary] = festival_report(programme.world.city, year)
    assert summary.festival == programme.festival
    assert festival_report(programme.world.city, year + 1) == []
    assert isinstance(festival_events_table(programme.world.city), pd.DataFrame)


def test_a_city_without_a_festival_has_no_festival_data(programme: Programme) -> None:
    from learningcity.festival.summary import festival_tables
    from tests.factories import make_city

    assert festival_tables(make_city("elsewhere")) == {}
    assert list(festival_tables(programme.world.city)) == ["festival_events"]


def test_it_counts_people_a_group_and_a_family_member_included(programme: Programme) -> None:
    from learningcity.accounts.models import FamilyMember

    year = programme.festival.starts_on.year
    robotics = programme.robotics.sessions.get()
    teacher = make_user("teacher@school.test", year_of_birth=year - 40)
    Registration.objects.create(user=teacher, session=robotics, group_name="CM2 B", places=24, attended=True)
    for number in range(12):
        parent = make_user(f"parent{number}@resident.test", year_of_birth=year - 38)
        child = FamilyMember.objects.create(account=parent, name=f"Enfant {number}", year_of_birth=year - 9)
        Registration.objects.create(user=parent, session=robotics, family_member=child, attended=number < 10)
    summary = festival_summary(programme.festival)
    assert summary.total.registrations == Figure(36)
    assert summary.total.attendance == Figure(34)
    bands = {row.code: row for row in summary.by_age_band}
    assert bands["none"].registrations == Figure(24), "a group's ages are unknown; it counts its places"
    assert bands["6-10"].registrations == Figure(12), "children count at their own age, not their parent's"
    assert bands["6-10"].attendance == Figure(10)

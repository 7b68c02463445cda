"""After the festival: events, registrations and attendance in total, by district and by age band.

Counts of people (registrations, attendance) under 10 are suppressed with their complementary cells,
by the same helper as the city's key figures (`analytics.indicators.suppress_small_counts`), so the
summary can be published or put into the monitoring report as it is. Events are not people: their
counts are always shown. People are counted, not bookings: a group booking counts its places. A
participant's age is counted in the festival's year, from the year of birth of the family member
registered, or else of the account holder (as in the participation indicators); a group's is unknown.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import Min
from django.utils.translation import gettext as _

from analytics.indicators import suppress_small_counts
from learningcity.catalogue.models import City
from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.festival.models import Festival
from learningcity.festival.selectors import programme_sessions
from learningcity.monitoring.inputs import AGE_BANDS
from learningcity.spreadsheets import safe_cell

NONE = "none"  # the label of rows without a district (online events) or without an age (no year of birth)
PEOPLE = ("registrations", "attendance")


@dataclass(frozen=True)
class Figure:
    """A count of people, or None where it is suppressed ("primary": too small; "secondary": would reveal one)."""

    value: int | None
    suppressed: str = ""


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary: the total, a district or an age band."""

    code: str
    label: str
    events: int
    registrations: Figure
    attendance: Figure


@dataclass(frozen=True)
class FestivalSummary:
    """The festival's figures; `final` once its last day has passed."""

    festival: Festival
    final: bool
    total: SummaryRow
    by_district: list[SummaryRow]
    by_age_band: list[SummaryRow]


@dataclass
class _Tally:
    """Raw counts of one breakdown."""

    events: Counter[str]
    registrations: Counter[str]
    attendance: Counter[str]


def festival_summary(festival: Festival) -> FestivalSummary:
    """The festival's summary with small counts of people suppressed."""
    sessions = programme_sessions(festival)
    events = {
        row["opportunity_id"]: row
        for row in sessions.values("opportunity_id", "opportunity__venue__district__code", "opportunity__age_min",
                                   "opportunity__age_max")
    }  # fmt: skip
    people = Registration.objects.filter(session__in=sessions.values("pk")).values_list(
        "session__opportunity__venue__district__code",
        "user__year_of_birth",
        "family_member__year_of_birth",
        "group_name",
        "places",
        "status",
        "attended",
    )
    by_district = _Tally(Counter(), Counter(), Counter())
    by_band = _Tally(Counter(), Counter(), Counter())
    for event in events.values():
        by_district.events[event["opportunity__venue__district__code"] or NONE] += 1
        for band, low, high in AGE_BANDS:
            if event["opportunity__age_min"] <= high and event["opportunity__age_max"] >= low:
                by_band.events[band] += 1
    year = festival.starts_on.year
    for district, holder_born, member_born, group, places, status, attended in people:
        born = member_born if member_born is not None else (None if group else holder_born)
        band = _band(None if born is None else year - born)
        for tally, code in ((by_district, district or NONE), (by_band, band)):
            tally.registrations[code] += places if status == RegistrationStatus.CONFIRMED else 0
            tally.attendance[code] += places if attended is True else 0
    districts = [(d.code, d.name) for d in festival.city.districts.order_by("code")]
    bands = [(band, band) for band, _low, _high in AGE_BANDS]
    return _published(festival, len(events), _rows(by_district, districts, _("No district (online)")),
                      _rows(by_band, bands, _("Age not given")))  # fmt: skip


def _band(age: int | None) -> str:
    for band, low, high in AGE_BANDS:
        if age is not None and low <= age <= high:
            return band
    return NONE


def _rows(tally: _Tally, labels: list[tuple[str, str]], none_label: str) -> list[tuple[str, str, int, int, int]]:
    """(code, label, events, registrations, attendance) for each label, and a last row for NONE if it has any."""
    if tally.events[NONE] or tally.registrations[NONE] or tally.attendance[NONE]:
        labels = [*labels, (NONE, none_label)]
    return [(code, label, tally.events[code], tally.registrations[code], tally.attendance[code])
            for code, label in labels]  # fmt: skip


def _published(
    festival: Festival,
    events: int,
    districts: list[tuple[str, str, int, int, int]],
    bands: list[tuple[str, str, int, int, int]],
) -> FestivalSummary:
    """Suppress small counts of people over the total and both breakdowns together (they share the total)."""
    total = (sum(row[3] for row in districts), sum(row[4] for row in districts))
    cells: list[dict[str, Any]] = []
    for position, measure in enumerate(PEOPLE):
        cells.append({"indicator": measure, "district": None, "age_band": None, "count": total[position]})
        cells += [{"indicator": measure, "district": row[0], "age_band": None, "count": row[3 + position]}
                  for row in districts]  # fmt: skip
        cells += [{"indicator": measure, "district": None, "age_band": row[0], "count": row[3 + position]}
                  for row in bands]  # fmt: skip
    published = suppress_small_counts(pd.DataFrame(cells))
    figures = iter(
        Figure(None if math.isnan(count) else int(count), suppressed)
        for count, suppressed in zip(published["count"], published["suppressed"], strict=True)
    )
    size = 1 + len(districts) + len(bands)
    registrations, attendance = [next(figures) for _ in range(size)], [next(figures) for _ in range(size)]

    def row(index: int, code: str, label: str, event_count: int) -> SummaryRow:
        return SummaryRow(code, label, event_count, registrations[index], attendance[index])

    return FestivalSummary(
        festival=festival,
        final=festival.is_over(),
        total=row(0, "", _("Whole festival"), events),
        by_district=[row(1 + i, code, label, count) for i, (code, label, count, _r, _a) in enumerate(districts)],
        by_age_band=[
            row(1 + len(districts) + i, code, label, count) for i, (code, label, count, _r, _a) in enumerate(bands)
        ],
    )


def summary_csv(summary: FestivalSummary) -> str:
    """The summary as open data: one line per figure; suppressed figures are empty, with the reason."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["festival", "breakdown", "code", "label", "measure", "value", "suppressed"])
    sections = [("total", [summary.total]), ("district", summary.by_district), ("age_band", summary.by_age_band)]
    for breakdown, rows in sections:
        for line in rows:
            label = safe_cell(line.label)  # district names are typed by people
            writer.writerow([summary.festival.slug, breakdown, line.code, label, "events", line.events, ""])
            for measure in PEOPLE:
                figure: Figure = getattr(line, measure)
                value = "" if figure.value is None else figure.value
                writer.writerow([summary.festival.slug, breakdown, line.code, label, measure, value,
                                 figure.suppressed])  # fmt: skip
    return out.getvalue()


def festival_events_table(city: City) -> pd.DataFrame:
    """Table `festival_events` of the monitoring indicators: each accepted event of each festival of the city.

    Columns: id (the opportunity), district (code of its venue's district, "none" online) and start
    (its first session during the festival, in the city's time zone).
    """
    rows: list[tuple[int, str, Any]] = []
    for festival in Festival.objects.filter(city=city).select_related("city"):
        firsts = (
            programme_sessions(festival)
            .order_by()
            .values("opportunity_id", "opportunity__venue__district__code")
            .annotate(first=Min("start"))
        )
        rows += [(row["opportunity_id"], row["opportunity__venue__district__code"] or NONE, row["first"])
                 for row in firsts]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["id", "district", "start"])
    frame["start"] = pd.to_datetime(frame["start"], utc=True).dt.tz_convert(city.time_zone)
    return frame


def festival_tables(city: City) -> dict[str, pd.DataFrame]:
    """The festival's tables for the monitoring indicators; none for a city that never held one ("no data")."""
    if not Festival.objects.filter(city=city).exists():
        return {}
    return {"festival_events": festival_events_table(city)}


def festival_report(city: City, year: int) -> list[FestivalSummary]:
    """The summaries of the city's festivals that started in `year`, for the monitoring report."""
    festivals = Festival.objects.filter(city=city, starts_on__year=year).select_related("city").order_by("starts_on")
    return [festival_summary(festival) for festival in festivals]

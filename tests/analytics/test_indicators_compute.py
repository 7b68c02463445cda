"""Every platform indicator against numbers counted by hand on a small city (two districts, five residents).

The city, for 2025 (rows dated 2024 or 2026 are there to be left out):

- population 2025: north 300 (18-24: 100 F, 100 M; 65-79: 50 F, 50 M), south 600 (twice north);
  900 in all. Rows for 2020 and 2030 must not be used.
- residents: p1 north 18-24 F, p2 north 18-24 M, p3 south 65-79 F, p4 south 18-24 M,
  p5 south 65-79 with no sex stated.
- offers 2025: 10 (north, inclusive + workplace, free, on site, step-free, families, French,
  organisation 1 formal, verified), 11 (north, culture, paid, on site, not step-free, seniors,
  French + English, organisation 2 non-formal, environment topic), 12 (south, families, free,
  blended, step-free, families + job seekers, Arabic, organisation 2, verified), 13 (south,
  workplace, free, on site, not step-free, job seekers, French, organisation 3 informal,
  verified), 14 (online, technologies + inclusive, free, French, organisation 1, environment
  topic, verified); offer 16 is of 2024.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.indicators import COLUMNS, compute_indicators, load_framework

RESIDENTS = {
    "p1": ("north", "18-24", "F"),
    "p2": ("north", "18-24", "M"),
    "p3": ("south", "65-79", "F"),
    "p4": ("south", "18-24", "M"),
    "p5": ("south", "65-79", ""),
}
# person, offer, series, session start, status, attended (None: attendance not taken)
REGISTRATIONS = [
    ("p1", 10, "A", "2025-02-01", "confirmed", True),  # 1
    ("p1", 10, "A", "2025-02-08", "confirmed", True),  # 2
    ("p1", 11, None, "2025-03-01", "confirmed", False),  # 3
    ("p2", 10, "A", "2025-02-01", "confirmed", True),  # 4
    ("p2", 10, "A", "2025-02-08", "confirmed", False),  # 5
    ("p3", 12, None, "2025-05-01", "waitlisted", None),  # 6
    ("p3", 13, "B", "2025-06-01", "confirmed", True),  # 7
    ("p3", 13, "B", "2025-06-08", "confirmed", True),  # 8
    ("p3", 13, "B", "2025-06-15", "confirmed", True),  # 9
    ("p4", 12, None, "2025-05-01", "confirmed", None),  # 10
    ("p4", 13, "B", "2025-06-01", "confirmed", False),  # 11
    ("p4", 13, "B", "2025-06-08", "cancelled", None),  # 12
    ("p5", 11, None, "2025-03-01", "confirmed", True),  # 13
    ("p5", 14, "C", "2025-12-01", "confirmed", True),  # 14
    ("p5", 14, "C", "2026-01-05", "confirmed", None),  # 15: next year
    ("p2", 11, None, "2024-12-31T23:00", "confirmed", True),  # 16: last year
    ("p4", 10, "A", "2025-02-01", "waitlisted", None),  # 17
    ("p2", 15, "D", "2025-11-01", "confirmed", True),  # 18
    ("p2", 15, "D", "2025-11-08", "confirmed", None),  # 19: series D not over
]


def participations() -> pd.DataFrame:
    """The registrations, with each resident's district, age band and sex."""
    return pd.DataFrame(
        {
            "person_id": [row[0] for row in REGISTRATIONS],
            "district": [RESIDENTS[row[0]][0] for row in REGISTRATIONS],
            "age_band": [RESIDENTS[row[0]][1] for row in REGISTRATIONS],
            "sex": [RESIDENTS[row[0]][2] for row in REGISTRATIONS],
            "opportunity_id": [row[1] for row in REGISTRATIONS],
            "series_key": [row[2] for row in REGISTRATIONS],
            "session_start": pd.to_datetime([row[3] for row in REGISTRATIONS], format="ISO8601"),
            "status": [row[4] for row in REGISTRATIONS],
            "attended": pd.array([row[5] for row in REGISTRATIONS], dtype="boolean"),
        }
    )


def population() -> pd.DataFrame:
    """2025 as described; 2020 and 2030 with other counts, to be ignored."""
    rows = [
        (district, band, sex, year, count * size * factor)
        for year, factor in ((2020, 2), (2025, 1), (2030, 3))
        for district, size in (("north", 1), ("south", 2))
        for band, count in (("18-24", 100), ("65-79", 50))
        for sex in ("F", "M")
    ]
    return pd.DataFrame(rows, columns=["district", "age_band", "sex", "year", "count"])


def opportunities() -> pd.DataFrame:
    """The offers as described, with list-like link columns."""
    return pd.DataFrame(
        {
            "id": [10, 11, 12, 13, 14, 16],
            "year": [2025, 2025, 2025, 2025, 2025, 2024],
            "district": ["north", "north", "south", "south", None, "north"],
            "building_blocks": [
                ["inclusive-education", "workplace"],
                ["culture-of-learning"],
                ["families-communities"],
                ["workplace"],
                ["learning-technologies", "inclusive-education"],
                ["quality"],
            ],
            "is_free": [True, False, True, True, True, False],
            "mode": ["on_site", "on_site", "blended", "on_site", "online", "on_site"],
            "step_free": [True, False, True, False, False, True],
            "audiences": [["families"], ["seniors"], ["families", "job-seekers"], ["job-seekers"], [], ["seniors"]],
            "languages": [["fr"], ["fr", "en"], ["ar"], ["fr"], ["fr"], ["en"]],
            "topics": [[], ["environment-daily-life"], [], [], ["environment-daily-life"], ["environment-daily-life"]],
            "organisation_id": [1, 2, 2, 3, 1, 4],
            "sector": ["formal", "non_formal", "non_formal", "informal", "formal", "informal"],
            "verified_recently": [True, False, True, True, True, False],
        }
    )


def people_records(rows: list[tuple[str, str, str, str | None]], date: str) -> pd.DataFrame:
    """Records about residents: (district, age band, sex, date)."""
    frame = pd.DataFrame(rows, columns=["district", "age_band", "sex", date])
    return frame.assign(**{date: pd.to_datetime(frame[date])})


def city() -> dict[str, pd.DataFrame]:
    """Every table of the small city."""
    return {
        "participations": participations(),
        "population": population(),
        "opportunities": opportunities(),
        "free_offer_access": pd.DataFrame(
            {"district": ["north", "south"], "population": [300, 600], "population_within": [240, 300]}
        ),
        "credentials": people_records(
            [
                ("north", "18-24", "F", "2025-03-01"),
                ("south", "65-79", "M", "2025-04-01"),
                ("south", "65-79", "M", "2024-04-01"),
            ],
            "issued_on",
        ),
        "feedback": people_records(
            [
                ("north", "18-24", "F", "2025-01-05"),
                ("north", "18-24", "M", "2025-02-05"),
                ("south", "65-79", "F", "2025-03-05"),
                ("south", "65-79", "F", "2024-03-05"),
            ],
            "submitted_on",
        ).assign(rating=[5, 4, 3, 1]),
        "follow_ups": people_records(
            [
                ("north", "18-24", "F", "2025-06-01"),
                ("south", "65-79", "F", "2025-06-01"),
                ("south", "18-24", "M", "2025-06-01"),
                ("south", "65-79", "F", "2025-06-01"),
            ],
            "answered_on",
        ).assign(outcome=["further_learning", "nothing_yet", "job", "confidence"]),
        "festival_events": pd.DataFrame(
            {
                "id": [1, 2, 3],
                "district": ["north", "north", "south"],
                "start": pd.to_datetime(["2025-05-10", "2025-05-11", "2024-05-10"]),
            }
        ),
        "statistics": pd.DataFrame(
            {
                "indicator": "neet-young-people",
                "area": ["city", "city", "France", "city"],
                "year": [2023, 2024, 2024, 2026],
                "value": [12.5, 11.9, 12.3, 10.0],
                "source": "INSEE",
            }
        ),
    }


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    """All indicators for 2025 with the default breakdowns."""
    return compute_indicators(city(), None, 2025)


def cell(result: pd.DataFrame, indicator: str, breakdown: str = "total", label: str | None = None) -> pd.Series:
    """The one row of an indicator's cell."""
    rows = result[(result["indicator"] == indicator) & (result["breakdown"] == breakdown)]
    if label is not None:
        rows = rows[rows[breakdown] == label]
    assert len(rows) == 1, f"{indicator} {breakdown}={label}: {len(rows)} rows"
    return rows.iloc[0]


# indicator, breakdown, label, numerator, denominator, value: counted by hand from the tables above.
HAND_COUNTS = [
    # Registered (>= 1 confirmed registration in 2025): p1, p2, p3, p4, p5. Row 16 (2024) adds nobody.
    ("registration-rate", "total", None, 5, 900, 100 * 5 / 900),
    ("registration-rate", "district", "north", 2, 300, 100 * 2 / 300),  # p1, p2
    ("registration-rate", "district", "south", 3, 600, 100 * 3 / 600),  # p3, p4, p5
    ("registration-rate", "age_band", "18-24", 3, 600, 100 * 3 / 600),  # p1, p2, p4
    ("registration-rate", "sex", "F", 2, 450, 100 * 2 / 450),  # p1, p3
    ("registration-rate", "sex", "none", 1, 0, math.nan),  # p5: no population of unstated sex
    # Attended >= 1 session: p1 (1), p2 (4), p3 (7), p5 (13); p4 never (10 not taken, 11 absent).
    ("participation-rate", "total", None, 4, 900, 100 * 4 / 900),
    ("participation-rate", "district", "south", 2, 600, 100 * 2 / 600),  # p3, p5
    ("participation-rate", "age_band", "18-24", 2, 600, 100 * 2 / 600),  # p1, p2
    ("participation-rate", "sex", "M", 1, 450, 100 * 1 / 450),  # p2
    # Waitlisted 6, 17 over confirmed 1-5, 7-11, 13, 14, 18, 19 (14 rows).
    ("waitlist-pressure", "total", None, 2, 14, 2 / 14),
    ("waitlist-pressure", "district", "north", 0, 7, 0.0),  # confirmed 1-5, 18, 19
    ("waitlist-pressure", "district", "south", 2, 7, 2 / 7),  # confirmed 7-11, 13, 14
    ("waitlist-pressure", "sex", "M", 1, 6, 1 / 6),  # waitlisted 17; confirmed 4, 5, 10, 11, 18, 19
    # Confirmed with attendance taken: 1-5, 7-9, 11, 13, 14, 18 (12); attended 1, 2, 4, 7-9, 13, 14, 18 (9).
    ("attendance-rate", "total", None, 9, 12, 100 * 9 / 12),
    ("attendance-rate", "district", "north", 4, 6, 100 * 4 / 6),  # taken 1-5, 18; attended 1, 2, 4, 18
    ("attendance-rate", "age_band", "65-79", 5, 5, 100.0),  # 7, 8, 9, 13, 14
    ("attendance-rate", "sex", "F", 5, 6, 100 * 5 / 6),  # taken 1, 2, 3, 7, 8, 9
    # Series pairs over in 2025: p1-A (2 of 2), p2-A (1 of 2), p3-B (3 of 3), p4-B (0 of 3; 12 cancelled),
    # p5-C (1 of 1 in 2025); p2-D is not over (19 not taken). Complete: p1-A, p3-B, p5-C.
    ("series-completion", "total", None, 3, 5, 100 * 3 / 5),
    ("series-completion", "district", "north", 1, 2, 50.0),  # p1-A of p1-A, p2-A
    ("series-completion", "age_band", "18-24", 1, 3, 100 / 3),  # p1-A of p1-A, p2-A, p4-B
    # Credentials issued in 2025: north 18-24 F, south 65-79 M.
    ("credentials-issued", "total", None, 2, 900, 1000 * 2 / 900),
    ("credentials-issued", "district", "south", 1, 600, 1000 / 600),
    ("credentials-issued", "age_band", "65-79", 1, 300, 1000 / 300),
    # Ratings in 2025: 5 (north F), 4 (north M), 3 (south F); the 2024 rating of 1 is left out.
    ("learner-satisfaction", "total", None, 12, 3, 4.0),
    ("learner-satisfaction", "district", "north", 9, 2, 4.5),
    ("learner-satisfaction", "sex", "F", 8, 2, 4.0),
    # Follow-ups: positive further_learning (north), job, confidence (south); "nothing_yet" is not.
    ("learner-positive-outcomes", "total", None, 3, 4, 75.0),
    ("learner-positive-outcomes", "district", "south", 2, 3, 100 * 2 / 3),
    ("learner-positive-outcomes", "sex", "M", 1, 1, 100.0),
    # Offers 10-14 (5); 16 is of 2024.
    ("opportunities-per-1000", "total", None, 5, 900, 1000 * 5 / 900),
    ("opportunities-per-1000", "district", "north", 2, 300, 1000 * 2 / 300),  # 10, 11
    ("opportunities-per-1000", "district", "none", 1, 0, math.nan),  # 14 is online
    ("opportunities-per-1000", "building_block", "workplace", 2, 900, 1000 * 2 / 900),  # 10, 13
    ("opportunities-per-1000", "building_block", "quality", 0, 900, 0.0),  # only 16, of 2024
    ("free-offers", "total", None, 4, 5, 80.0),  # 10, 12, 13, 14
    ("free-offers", "district", "north", 1, 2, 50.0),  # 10 of 10, 11
    ("free-offers", "building_block", "inclusive-education", 2, 2, 100.0),  # 10, 14
    ("step-free-offers", "total", None, 2, 4, 50.0),  # 10, 12 of the four with a venue (not 14)
    ("step-free-offers", "district", "south", 1, 2, 50.0),  # 12 of 12, 13
    ("family-offers", "total", None, 2, 5, 40.0),  # 10, 12
    ("senior-offers", "total", None, 1, 5, 20.0),  # 11
    ("senior-offers", "district", "south", 0, 2, 0.0),
    ("job-seeker-offers", "total", None, 2, 5, 40.0),  # 12, 13
    ("job-seeker-offers", "building_block", "workplace", 1, 2, 50.0),  # 13 of 10, 13
    ("other-language-offers", "total", None, 2, 5, 40.0),  # 11 (English), 12 (Arabic)
    ("online-offers", "total", None, 2, 5, 40.0),  # 12 blended, 14 online
    ("online-offers", "district", "none", 1, 1, 100.0),  # 14
    ("sustainability-offers", "total", None, 2, 5, 40.0),  # 11, 14 (16 is of 2024)
    ("recently-verified-offers", "total", None, 4, 5, 80.0),  # all but 11
    # Organisations with an offer in 2025: 1 (10, 14), 2 (11, 12), 3 (13); 4 only in 2024.
    ("active-partner-organisations", "total", None, 3, math.nan, 3.0),
    ("active-partner-organisations", "district", "south", 2, math.nan, 2.0),  # 2, 3
    ("active-partner-organisations", "building_block", "workplace", 2, math.nan, 2.0),  # 1 (10), 3 (13)
    ("active-partner-organisations", "sector", "non_formal", 1, math.nan, 1.0),  # 2
    # Evenness: one organisation per sector overall (ln 3 / ln 3); north and south two sectors (ln 2 / ln 3).
    ("provider-sector-evenness", "total", None, math.log(3), math.log(3), 1.0),
    ("provider-sector-evenness", "district", "north", math.log(2), math.log(3), math.log(2) / math.log(3)),
    ("provider-sector-evenness", "building_block", "families-communities", 0.0, math.log(3), 0.0),  # 2 alone
    # Walking access: north 240 of 300, south 300 of 600.
    ("free-offer-within-walk", "total", None, 540, 900, 60.0),
    ("free-offer-within-walk", "district", "north", 240, 300, 80.0),
    # Festival: two events in north in 2025 (the south one is of 2024); 1 of 2 districts reached.
    ("festival-events", "total", None, 2, math.nan, 2.0),
    ("festival-events", "district", "north", 2, math.nan, 2.0),
    ("festival-districts-reached", "total", None, 1, 2, 50.0),
]


@pytest.mark.parametrize(("indicator", "breakdown", "label", "numerator", "denominator", "value"), HAND_COUNTS)
def test_it_matches_the_hand_count(
    result: pd.DataFrame,
    indicator: str,
    breakdown: str,
    label: str | None,
    numerator: float,
    denominator: float,
    value: float,
) -> None:
    row = cell(result, indicator, breakdown, label)

    assert row["numerator"] == pytest.approx(numerator)
    assert row["denominator"] == pytest.approx(denominator, nan_ok=True)
    assert row["value"] == pytest.approx(value, nan_ok=True)


def test_it_checks_every_platform_indicator_by_hand() -> None:
    platform = {indicator.code for indicator in load_framework().indicators if indicator.source == "platform"}

    assert platform - {row[0] for row in HAND_COUNTS} == {"pathways-completed"}  # no table: "no data" below


def test_it_reports_no_data_for_an_absent_table(result: pd.DataFrame) -> None:
    row = cell(result, "pathways-completed")

    assert row["status"] == "no data"
    assert math.isnan(row["value"])


def test_it_reports_no_data_for_an_empty_table() -> None:
    empty = pd.DataFrame(columns=["district", "age_band", "sex", "completed_on"])

    result = compute_indicators({**city(), "pathways": empty}, None, 2025, indicators=["pathways-completed"])

    assert result["status"].tolist() == ["no data"]


def test_it_counts_zero_records_in_a_present_table_as_zero() -> None:
    pathways = people_records([("north", "18-24", "F", "2023-01-01")], "completed_on")

    result = compute_indicators({**city(), "pathways": pathways}, None, 2025, indicators=["pathways-completed"])

    assert cell(result, "pathways-completed")["value"] == 0.0


def test_it_counts_pathways_completed_in_the_year() -> None:
    pathways = people_records(
        [("north", "18-24", "F", "2025-09-30"), ("south", "65-79", "M", None), ("south", "18-24", "M", "2026-01-02")],
        "completed_on",
    )

    result = compute_indicators({**city(), "pathways": pathways}, None, 2025, indicators=["pathways-completed"])

    # One completed in 2025 (north 18-24 F); one not completed; one completed in 2026.
    assert cell(result, "pathways-completed")["value"] == pytest.approx(1000 / 900)
    assert cell(result, "pathways-completed", "district", "north")["value"] == pytest.approx(1000 / 300)
    assert len(result[(result["breakdown"] == "district") & (result["numerator"] > 0)]) == 1


def test_it_reports_no_data_for_every_indicator_without_tables() -> None:
    result = compute_indicators({}, None, 2025)

    assert set(result["status"]) == {"no data"}
    assert len(result) == len(load_framework().indicators)


def test_it_gives_the_protected_count_of_each_cell(result: pd.DataFrame) -> None:
    assert cell(result, "registration-rate")["count"] == 5  # people registered
    assert (
        cell(result, "waitlist-pressure", "district", "north")["count"] == 0
    )  # the smaller of 0 waitlisted and 7 confirmed
    assert cell(result, "learner-satisfaction")["count"] == 3  # ratings, not their sum
    assert math.isnan(cell(result, "free-offers")["count"])  # offers are not people


def test_it_takes_each_area_latest_statistic_at_or_before_the_year(result: pd.DataFrame) -> None:
    rows = result[result["indicator"] == "neet-young-people"].set_index("area")

    assert list(rows.loc["city", ["value", "data_year", "source"]]) == [11.9, 2024, "INSEE"]
    assert rows.loc["France", "value"] == 12.3


def test_it_has_the_documented_columns(result: pd.DataFrame) -> None:
    assert list(result.columns) == COLUMNS
    assert set(result["status"]) <= {"ok", "no data", "zero denominator"}


def test_it_leaves_out_cells_with_nothing_in_them(result: pd.DataFrame) -> None:
    families = result[(result["indicator"] == "family-offers") & (result["breakdown"] == "building_block")]

    # Quality has no offer in 2025 (0 of 0); "none" (no building block) has none either.
    assert set(families["building_block"]) == {
        "inclusive-education",
        "families-communities",
        "workplace",
        "learning-technologies",
        "culture-of-learning",
    }


def test_it_crosses_breakdowns_on_request() -> None:
    result = compute_indicators(city(), None, 2025, [("district", "age_band")], indicators=["registration-rate"])

    crossed = result[result["breakdown"] == "district+age_band"].set_index(["district", "age_band"])
    assert list(crossed.loc[("south", "18-24"), ["numerator", "denominator"]]) == [1, 400]  # p4 of 200 F + 200 M
    assert crossed.loc[("north", "18-24"), "numerator"] == 2  # p1, p2
    assert set(result["breakdown"]) == {"total", "district+age_band"}


def test_it_counts_a_resident_in_each_district_they_registered_from() -> None:
    moved = participations()
    moved.loc[moved["person_id"] == "p1", "district"] = ["north", "north", "south"]  # p1 moved before row 3

    result = compute_indicators({**city(), "participations": moved}, None, 2025, indicators=["registration-rate"])

    assert cell(result, "registration-rate")["numerator"] == 5
    assert cell(result, "registration-rate", "district", "north")["numerator"] == 2
    assert cell(result, "registration-rate", "district", "south")["numerator"] == 4


def test_it_accepts_link_tables_instead_of_list_columns() -> None:
    offers = opportunities()
    links = offers[["id", "audiences"]].explode("audiences").dropna()
    tables = {
        **city(),
        "opportunities": offers.drop(columns=["audiences"]),
        "opportunity_audiences": links.set_axis(["opportunity_id", "audience"], axis=1),
    }

    result = compute_indicators(tables, None, 2025, indicators=["family-offers"])

    assert cell(result, "family-offers")["value"] == 40.0


def test_it_computes_several_years_in_one_call() -> None:
    result = compute_indicators(city(), None, [2024, 2025], indicators=["registration-rate"], breakdowns=[])

    by_year = result.set_index("year")
    # 2024: only p2 (row 16), against the 2020 population (1,800), the latest at or before 2024.
    assert list(by_year.loc[2024, ["numerator", "denominator"]]) == [1, 1800]
    assert list(by_year.loc[2025, ["numerator", "denominator"]]) == [5, 900]


def test_it_reads_categorical_and_text_columns_alike() -> None:
    categorical = participations().astype({"district": "category", "age_band": "category", "sex": "category"})

    plain = compute_indicators(city(), None, 2025, indicators=["attendance-rate"])
    coded = compute_indicators({**city(), "participations": categorical}, None, 2025, indicators=["attendance-rate"])

    pd.testing.assert_frame_equal(plain, coded)


def test_it_compares_session_times_in_their_own_time_zone() -> None:
    zoned = participations()
    zoned["session_start"] = zoned["session_start"].dt.tz_localize("Europe/Paris")

    result = compute_indicators({**city(), "participations": zoned}, None, 2025, indicators=["registration-rate"])

    assert cell(result, "registration-rate")["numerator"] == 5


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        (
            "participations",
            lambda frame: frame.drop(columns=["attended"]),
            r"lacks column\(s\) \['attended'\]",
        ),
        ("participations", lambda frame: frame.assign(status="booked"), "participations.status has"),
        ("participations", lambda frame: frame.assign(attended="maybe"), "participations.attended must hold"),
        (
            "participations",
            lambda frame: frame.assign(session_start="soon"),
            "session_start must hold dates",
        ),
        ("population", lambda frame: frame.assign(count=-1), "population.count must hold finite, non-negative"),
        ("opportunities", lambda frame: frame.assign(id=1), r"opportunities.id repeats \[1\]"),
        ("feedback", lambda frame: frame.assign(rating=7), "feedback.rating must lie between 1 and 5"),
        ("free_offer_access", lambda frame: frame.assign(population_within=1000), "must not exceed population"),
    ],
)
def test_it_refuses_a_bad_table_with_a_clear_message(table: str, change: object, message: str) -> None:
    tables = city()
    tables[table] = change(tables[table])  # type: ignore[operator]

    with pytest.raises(ValueError, match=message):
        compute_indicators(tables, None, 2025)


@pytest.mark.parametrize(
    ("breakdowns", "message"),
    [(["year"], "pass several years"), (["borough"], "distinct dimensions"), ([("sex", "sex")], "distinct")],
)
def test_it_refuses_an_unknown_breakdown(breakdowns: list[object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_indicators(city(), None, 2025, breakdowns)  # type: ignore[arg-type]


def test_it_refuses_an_unknown_indicator() -> None:
    with pytest.raises(ValueError, match="no indicator with code 'happiness'"):
        compute_indicators(city(), None, 2025, indicators=["happiness"])


def test_its_values_are_numerator_over_denominator_times_the_unit_scale(result: pd.DataFrame) -> None:
    framework = load_framework()
    rated = result[(result["status"] == "ok") & result["denominator"].notna() & result["numerator"].notna()]
    scale = rated["unit"].map({code: unit.scale for code, unit in framework.units.items()})

    np.testing.assert_allclose(rated["value"], scale * rated["numerator"] / rated["denominator"])

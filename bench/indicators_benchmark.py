"""Benchmark `compute_indicators` on 10 million participation records against a straightforward baseline.

    .venv/bin/python bench/indicators_benchmark.py [--records 10000000 --persons 1000000
        --districts 40 --opportunities 20000 --baseline-records 200000 --seed 2026]

A synthetic city (seeded numpy): population by district, age band and sex; residents with a
district, age band and sex; participation records over 13 months (about 8 % fall outside the
year), 85 % confirmed, 8 % waitlisted, 7 % cancelled, attendance taken for sessions before
15 November; a quarter of the offers run as series; offers with building blocks, audiences,
languages and topics; credentials, pathways, ratings, follow-up answers, festival events, the
walking-access table and statistics. Ours computes every default indicator with every default
breakdown, from categorical columns (what docs/indicators.md recommends) and then from plain text
columns. The baseline computes the five participation indicators (registration and participation
rates, waitlist pressure, attendance, series completion; total and by age band, sex and district)
the way a first version would: a row-wise `apply` to find the year, then a Python loop per
indicator and cell with boolean masks and sets. It runs on a sample of `--baseline-records`
records, its time is extrapolated linearly to the full size (stated as such), and its results on
the sample are checked against ours.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.indicators import compute_indicators, load_framework

YEAR = 2025
AGE_BANDS = ["0-5", "6-10", "11-17", "18-24", "25-44", "45-64", "65-79", "80+"]
AGE_WEIGHTS = [0.06, 0.06, 0.08, 0.09, 0.27, 0.25, 0.14, 0.05]
BLOCKS = [
    "inclusive-education",
    "families-communities",
    "workplace",
    "learning-technologies",
    "quality",
    "culture-of-learning",
]
AUDIENCES = ["families", "children", "young-people", "adults", "seniors", "job-seekers", "newcomers"]
LANGUAGES = ["fr", "en", "ar", "es", "pt", "de"]
TOPICS = ["environment-daily-life", "digital", "arts-culture", "languages", "work-training", "health-wellbeing"]
SECTORS = ["formal", "non_formal", "informal"]
OUTCOMES = ["further_learning", "job", "volunteering", "shared", "confidence", "nothing_yet"]
PARTICIPATION_INDICATORS = [
    "registration-rate",
    "participation-rate",
    "waitlist-pressure",
    "attendance-rate",
    "series-completion",
]
PEOPLE = ("age_band", "sex", "district")


def main() -> None:
    """Generate the city, time ours (categorical and text columns) and the baseline, print the ratio."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--districts", type=int, default=40)
    parser.add_argument("--opportunities", type=int, default=20_000)
    parser.add_argument("--baseline-records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    started = time.perf_counter()
    tables = synthetic_city(arguments)
    print(
        f"synthetic city: {arguments.records:,} participation records, {arguments.persons:,} residents, "
        f"{arguments.districts} districts, {arguments.opportunities:,} offers "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    framework = load_framework()
    ours, result = timed(lambda: compute_indicators(tables, framework, YEAR))
    print(
        f"ours, every default indicator ({len(framework.indicators)}) and breakdown, categorical columns: "
        f"{ours:.2f} s ({len(result):,} rows; target <= 10 s: {'met' if ours <= 10 else 'MISSED'})"
    )
    as_text = {**tables, "participations": with_text_columns(tables["participations"])}
    text_time, _ = timed(lambda: compute_indicators(as_text, framework, YEAR))
    print(f"ours, same, text columns instead of categorical: {text_time:.2f} s")
    subset, _ = timed(lambda: compute_indicators(tables, framework, YEAR, indicators=PARTICIPATION_INDICATORS))
    print(f"ours, the five participation indicators only: {subset:.2f} s")
    compare_with_baseline(tables, framework, arguments, subset)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the whole run (generation included): {peak:,.0f} MB")


def compare_with_baseline(
    tables: dict[str, pd.DataFrame], framework: Any, arguments: argparse.Namespace, subset: float
) -> None:
    """The baseline on a sample, checked against ours on the same sample, extrapolated linearly."""
    rng = np.random.default_rng(arguments.seed + 1)
    participations = tables["participations"]
    chosen = np.sort(rng.choice(len(participations), arguments.baseline_records, replace=False))
    sample = participations.iloc[chosen].reset_index(drop=True)
    population = tables["population"]
    seconds, expected = timed(lambda: baseline(sample, population))
    ours = compute_indicators(
        {"participations": sample, "population": population}, framework, YEAR, indicators=PARTICIPATION_INDICATORS
    )
    agree = all(
        np.isclose(value, lookup(ours, indicator, breakdown, label), equal_nan=True)
        for (indicator, breakdown, label), value in expected.items()
    )
    factor = arguments.records / arguments.baseline_records
    print(
        f"baseline (row-wise apply + a Python loop per indicator and cell), {arguments.baseline_records:,} "
        f"records: {seconds:.2f} s; results equal ours on that sample: {agree}"
    )
    print(
        f"baseline extrapolated linearly to {arguments.records:,} records (not measured): "
        f"{seconds * factor:.0f} s; ratio to ours on the same five indicators: {seconds * factor / subset:.0f}x"
    )


def baseline(sample: pd.DataFrame, population: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    """What a first version would write: a row-wise apply, then a loop per indicator and cell."""
    frame = sample.astype(dict.fromkeys((*PEOPLE, "status"), str)).copy()
    frame["in_year"] = frame.apply(lambda row: row["session_start"].year == YEAR, axis=1)
    frame = frame[frame["in_year"]]
    population = population.astype(dict.fromkeys(PEOPLE, str))
    population = population[population["year"] == population.loc[population["year"] <= YEAR, "year"].max()]
    pairs = baseline_pairs(frame)
    results: dict[tuple[str, str, str], float] = {}
    for breakdown in ("total", *PEOPLE):
        labels = ["total"] if breakdown == "total" else sorted(frame[breakdown].unique())
        for label in labels:
            rows = frame if breakdown == "total" else frame[frame[breakdown] == label]
            people = population if breakdown == "total" else population[population[breakdown] == label]
            for indicator, value in baseline_cell(rows, float(people["count"].sum())).items():
                results[(indicator, breakdown, label)] = value
            over = [pair for pair in pairs if breakdown == "total" or pair["cell"][breakdown] == label]
            over = [pair for pair in over if pair["taken"] == pair["booked"]]
            complete = [pair for pair in over if pair["attended"] >= pair["length"]]
            results[("series-completion", breakdown, label)] = 100 * len(complete) / len(over) if over else np.nan
    return results


def baseline_pairs(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """(Person, series) pairs with what they booked, had attendance taken for and attended, row by row."""
    pairs: dict[tuple[Any, Any], dict[str, Any]] = {}
    for row in frame[(frame["status"] == "confirmed") & frame["series_key"].notna()].itertuples():
        pair = pairs.setdefault(
            (row.person_id, row.series_key),
            {
                "series": row.series_key,
                "booked": 0,
                "taken": 0,
                "attended": 0,
                "cell": {dim: getattr(row, dim) for dim in PEOPLE},
            },
        )
        attended: Any = row.attended
        pair["booked"] += 1
        pair["taken"] += 0 if pd.isna(attended) else 1
        pair["attended"] += 0 if pd.isna(attended) else int(attended)
    lengths: dict[Any, int] = {}
    for pair in pairs.values():
        lengths[pair["series"]] = max(lengths.get(pair["series"], 0), pair["booked"])
    return [{**pair, "length": lengths[pair["series"]]} for pair in pairs.values()]


def baseline_cell(rows: pd.DataFrame, inhabitants: float) -> dict[str, float]:
    """The five indicators for one cell, with Python sets and sums."""
    confirmed = rows[rows["status"] == "confirmed"]
    registered = set(confirmed["person_id"])
    came = set(confirmed.loc[confirmed["attended"].fillna(False).astype(bool), "person_id"])
    taken = confirmed[confirmed["attended"].notna()]
    waitlisted = int((rows["status"] == "waitlisted").sum())
    return {
        "registration-rate": 100 * len(registered) / inhabitants if inhabitants else np.nan,
        "participation-rate": 100 * len(came) / inhabitants if inhabitants else np.nan,
        "waitlist-pressure": waitlisted / len(confirmed) if len(confirmed) else np.nan,
        "attendance-rate": 100 * taken["attended"].astype(bool).sum() / len(taken) if len(taken) else np.nan,
    }


def lookup(result: pd.DataFrame, indicator: str, breakdown: str, label: str) -> float:
    """Our value for one cell (NaN when we leave the cell out or it has no denominator)."""
    rows = result[(result["indicator"] == indicator) & (result["breakdown"] == breakdown)]
    if breakdown != "total":
        rows = rows[rows[breakdown] == (label or "none")]
    return float(rows["value"].iloc[0]) if len(rows) else np.nan


def synthetic_city(arguments: argparse.Namespace) -> dict[str, pd.DataFrame]:
    """Every table `compute_indicators` reads, seeded."""
    rng = np.random.default_rng(arguments.seed)
    districts = [f"D{number:02d}" for number in range(1, arguments.districts + 1)]
    weights = rng.uniform(0.5, 1.5, len(districts))
    residents = residents_table(rng, arguments.persons, districts, weights / weights.sum())
    offers = offers_table(rng, arguments.opportunities, districts)
    participations = participations_table(rng, arguments.records, residents, offers)
    return {
        "participations": participations,
        "population": population_table(rng, districts, weights),
        "opportunities": offers,
        "free_offer_access": pd.DataFrame(
            {
                "district": districts,
                "population": 40_000.0,
                "population_within": rng.uniform(10_000, 40_000, len(districts)),
            }
        ),
        "credentials": records_table(rng, residents, 200_000, "issued_on"),
        "pathways": records_table(rng, residents, 50_000, "completed_on"),
        "feedback": records_table(rng, residents, 1_000_000, "submitted_on").assign(
            rating=rng.integers(1, 6, 1_000_000)
        ),
        "follow_ups": records_table(rng, residents, 200_000, "answered_on").assign(
            outcome=rng.choice(OUTCOMES, 200_000)
        ),
        "festival_events": pd.DataFrame(
            {"id": np.arange(500), "district": rng.choice(districts, 500), "start": dates(rng, 500)}
        ),
        "statistics": statistics_table(rng),
    }


def residents_table(rng: np.random.Generator, persons: int, districts: list[str], shares: np.ndarray) -> pd.DataFrame:
    """Residents with an age band, a sex (2 % unstated) and a district, as categorical columns."""
    return pd.DataFrame(
        {
            "age_band": categorical(rng.choice(len(AGE_BANDS), persons, p=AGE_WEIGHTS), AGE_BANDS),
            "sex": categorical(rng.choice(3, persons, p=[0.52, 0.46, 0.02]), ["F", "M", ""]),
            "district": categorical(rng.choice(len(districts), persons, p=shares), districts),
        }
    )


def participations_table(
    rng: np.random.Generator, records: int, residents: pd.DataFrame, offers: pd.DataFrame
) -> pd.DataFrame:
    """Registrations: busy residents register more (a Pareto draw), sessions spread over 13 months."""
    person = np.minimum((rng.pareto(1.5, records) * len(residents) / 8).astype(np.int64), len(residents) - 1)
    offer = rng.integers(0, len(offers), records)
    start = dates(rng, records, days=395)
    status = rng.choice(3, records, p=[0.85, 0.08, 0.07])
    taken = (start < pd.Timestamp(YEAR, 11, 15)) & (status == 0)
    attended = pd.array(np.where(rng.random(records) < 0.8, True, False), dtype="boolean")
    attended[~taken] = pd.NA
    in_series = offers["series"].to_numpy()[offer]
    series = pd.array(np.where(in_series, offer, 0), dtype="Int64")
    series[~in_series] = pd.NA
    return pd.DataFrame(
        {
            "person_id": person,
            **{dim: take(residents[dim], person) for dim in PEOPLE},
            "opportunity_id": offers["id"].to_numpy()[offer],
            "session_start": start,
            "status": categorical(status, ["confirmed", "waitlisted", "cancelled"]),
            "attended": attended,
            "series_key": series,
        }
    )


def offers_table(rng: np.random.Generator, count: int, districts: list[str]) -> pd.DataFrame:
    """Offers with one to three building blocks, audiences, languages and topics."""
    mode = rng.choice(["on_site", "online", "blended"], count, p=[0.8, 0.12, 0.08])
    district = rng.choice(np.array(districts, dtype=object), count)
    district[mode == "online"] = None
    return pd.DataFrame(
        {
            "id": np.arange(count) + 1,
            "district": district,
            "building_blocks": pick_lists(rng, BLOCKS, count, 3),
            "audiences": pick_lists(rng, AUDIENCES, count, 2),
            "languages": pick_lists(rng, LANGUAGES, count, 2, first="fr"),
            "topics": pick_lists(rng, TOPICS, count, 2),
            "is_free": rng.random(count) < 0.6,
            "mode": mode,
            "step_free": rng.random(count) < 0.7,
            "organisation_id": rng.integers(1, 800, count),
            "sector": rng.choice(SECTORS, count, p=[0.3, 0.5, 0.2]),
            "verified_recently": rng.random(count) < 0.85,
            "series": rng.random(count) < 0.25,
        }
    )


def population_table(rng: np.random.Generator, districts: list[str], weights: np.ndarray) -> pd.DataFrame:
    """Inhabitants by district, age band and sex, one census year."""
    grid = pd.MultiIndex.from_product([districts, AGE_BANDS, ["F", "M"]], names=["district", "age_band", "sex"])
    frame = grid.to_frame(index=False)
    base = 40_000 * np.repeat(weights, len(AGE_BANDS) * 2) * np.tile(np.repeat(AGE_WEIGHTS, 2), len(districts)) / 2
    return frame.assign(year=2022, count=np.round(base * rng.uniform(0.9, 1.1, len(frame))))


def records_table(rng: np.random.Generator, residents: pd.DataFrame, count: int, date: str) -> pd.DataFrame:
    """Dated records about residents (credentials, ratings...)."""
    person = rng.integers(0, len(residents), count)
    frame = residents.iloc[person].reset_index(drop=True)
    return frame.assign(**{date: dates(rng, count)})


def statistics_table(rng: np.random.Generator) -> pd.DataFrame:
    """Three years of every statistic and survey indicator, for the city and the country."""
    codes = [item.code for item in load_framework().indicators if item.source != "platform"]
    rows = [
        (code, area, year, float(rng.uniform(1, 90)), "INSEE")
        for code in codes
        for area in ("city", "France")
        for year in (2022, 2023, 2024)
    ]
    return pd.DataFrame(rows, columns=["indicator", "area", "year", "value", "source"])


def dates(rng: np.random.Generator, count: int, days: int = 365) -> pd.DatetimeIndex:
    """Date-times from 1 January of YEAR over `days` days."""
    seconds = rng.integers(0, days * 86_400, count)
    return pd.Timestamp(YEAR, 1, 1) + pd.to_timedelta(seconds, unit="s")


def categorical(codes: NDArray[np.integer[Any]], categories: list[str]) -> pd.Categorical[str]:
    """A categorical column from integer codes."""
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(categories))


def take(column: pd.Series, rows: NDArray[np.int64]) -> pd.Categorical[str]:
    """Rows of a categorical column, still categorical."""
    return categorical(column.cat.codes.to_numpy()[rows], list(column.cat.categories))


def pick_lists(
    rng: np.random.Generator, choices: list[str], count: int, most: int, first: str | None = None
) -> list[list[str]]:
    """Lists of one to `most` distinct choices (each starting with `first` when given)."""
    sizes = rng.integers(1, most + 1, count)
    drawn = rng.integers(0, len(choices), (count, most))
    return [
        list(dict.fromkeys(([first] if first else []) + [choices[i] for i in row[:size]]))
        for row, size in zip(drawn, sizes, strict=True)
    ]


def with_text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The same participations with plain text instead of categorical columns (as a first caller might pass)."""
    return frame.astype(dict.fromkeys((*PEOPLE, "status"), str))


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken and the result."""
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


if __name__ == "__main__":
    main()

"""Each indicator's city-wide value over the past years, for the dashboard's and the report's trend charts."""

from __future__ import annotations

import pandas as pd

from analytics.indicators import Framework, compute_indicators
from learningcity.catalogue.models import City
from learningcity.monitoring import indicator_tables as tables
from learningcity.monitoring.city_framework import DATED_METHODS

YEARS_SHOWN = 6

History = dict[str, list[tuple[int, float]]]


def indicator_history(city: City, framework: Framework, year: int, *, years: int = YEARS_SHOWN) -> History:
    """(year, value) of every dated indicator with data, over the `years` years up to `year` (oldest first).

    Only indicators whose inputs are dated get a history (registrations, ratings, statistics...);
    a statistic counts in the year it describes, not in the later years that repeat it.
    """
    dated = [indicator.code for indicator in framework.indicators if indicator.method in DATED_METHODS]
    if not dated:
        return {}
    fixed = {"population": tables.population(city), "statistics": tables.statistics(city)}
    frames = []
    for when in range(year - years + 1, year + 1):
        yearly = {"participations": tables.participations(city, when), **tables.feedback_tables(city, when), **fixed}
        frames.append(compute_indicators(yearly, framework, when, [], area=city.slug, indicators=dated))
    return history_from_cells(pd.concat(frames, ignore_index=True), areas=(city.slug, city.name))


def history_from_cells(cells: pd.DataFrame, *, areas: tuple[str, ...]) -> History:
    """The city's total values that describe their own year, by indicator (a statistic of the city's own area).

    Statistics carry their own area (the city's name or slug, a district, the country); the city's
    figure is the row whose area is the city (slug or name), or, when the indicator has rows for
    one area only, that one.
    """
    totals = cells[(cells["breakdown"] == "total") & (cells["status"] == "ok") & cells["value"].notna()]
    totals = totals[totals["data_year"] == totals["year"]]
    history: History = {}
    for code, rows in totals.groupby("indicator", sort=False):
        own = rows[rows["area"].isin(areas)]
        chosen = own if len(own) else rows if rows["area"].nunique() == 1 else rows.iloc[0:0]
        points = sorted({int(y): float(v) for y, v in zip(chosen["year"], chosen["value"], strict=True)}.items())
        if points:
            history[str(code)] = points
    return history

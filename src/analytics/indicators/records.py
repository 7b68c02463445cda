"""Indicators read from dated records about residents: credentials, pathways, ratings, follow-up answers.

Each table has the resident's `age_band`, `sex` and `district` and a date column named by the
indicator's `date` parameter. The platform does not hold credentials or pathways yet (ratings and
follow-ups come from the monitoring app): an indicator whose table is absent or empty reports "no data".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analytics.indicators._grid import BoolArray, FloatArray, Grid, IntArray, Labels, Spec, grid_cells
from analytics.indicators._inputs import PEOPLE, Cells, Inputs, in_year, quantities, ratio_cells
from analytics.indicators.framework import Indicator


@dataclass(frozen=True)
class Records:
    """The rows of a record table dated in the year, and their flat (age band, sex, district) cells."""

    rows: BoolArray
    labels: Labels
    cells: IntArray

    def grid(self, weights: FloatArray | None = None) -> Grid:
        """The year's rows counted (or `weights`, aligned with them, summed) by age band, sex and district."""
        return Grid.from_cells(PEOPLE, self.labels, self.cells, weights)


def records_per_inhabitants(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells]:
    """Records dated in the year (credentials issued, pathways completed), per inhabitant."""
    counts = _records(inputs, indicator, year).grid()
    population = inputs.population(year)
    cells = []
    for spec in specs:
        counted = counts.margin(spec)
        cells.append(Cells(counted, population.spread(spec, counted.values.shape), counted.values))
    return cells


def record_mean(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells]:
    """The mean of a numeric column (a 1-5 rating) over the year's records."""
    records = _records(inputs, indicator, year, [indicator.parameters["column"]])
    name, column = indicator.parameters["table"], indicator.parameters["column"]
    values = quantities(inputs.table(name)[column][records.rows], f"{name}.{column}")
    low, high = float(indicator.parameters["low"]), float(indicator.parameters["high"])
    if values.size and (values.min() < low or values.max() > high):
        raise ValueError(f"{name}.{column} must lie between {low:g} and {high:g}")
    total, counts = records.grid(values), records.grid()
    return [Cells(total.margin(spec), counts.margin(spec).values, counts.margin(spec).values) for spec in specs]


def record_share(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells]:
    """The share of the year's records whose `column` is one of the `positive` values."""
    records = _records(inputs, indicator, year, [indicator.parameters["column"]])
    name, column = indicator.parameters["table"], indicator.parameters["column"]
    answers = inputs.table(name)[column]
    if answers[records.rows].isna().any():
        raise ValueError(f"{name}.{column} has missing values")
    positive = answers.astype(str).isin([str(value) for value in indicator.parameters["positive"]]).to_numpy()
    return ratio_cells(records.grid(positive[records.rows].astype(np.float64)), records.grid(), specs)


def _records(inputs: Inputs, indicator: Indicator, year: int, columns: Sequence[str] = ()) -> Records:
    name, date = indicator.parameters["table"], indicator.parameters["date"]

    def make() -> Records:
        frame = inputs.table(name, [*PEOPLE, date, *columns])
        rows = in_year(frame[date], year, f"{name}.{date}")
        labels = tuple(inputs.vocabulary(dim) for dim in PEOPLE)
        cells = grid_cells(labels, [inputs.codes(name, dim)[rows] for dim in PEOPLE])
        return Records(rows, labels, cells)

    return inputs.cached(("records", name, date, year, tuple(columns)), make)

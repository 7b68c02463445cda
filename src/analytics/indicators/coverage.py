"""Where learning reaches: residents within a walk of a free offer, and the learning festival's spread.

`free_offer_access` is computed elsewhere (the access analysis, `analytics.access.share_within`)
and passed in as a table: district, population, population_within, and optionally age_band and
year. `festival_events` (id, district, start) lists the learning festival's events; the platform
does not hold it yet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analytics.indicators._grid import Grid, Spec
from analytics.indicators._inputs import Cells, Inputs, in_year, quantities, whole_numbers
from analytics.indicators.framework import Indicator


def population_within(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells | None]:
    """Residents living within reach, over residents (from a per-district table; the latest year at or before)."""
    name = str(indicator.parameters["table"])
    frame = inputs.table(name, ["district", "population", "population_within"])
    rows = np.ones(len(frame), dtype=bool)
    if "year" in frame.columns:
        years = whole_numbers(frame["year"], f"{name}.year")
        if not (years <= year).any():
            return [None] * len(specs)
        rows = years == years[years <= year].max()
    total = quantities(frame["population"], f"{name}.population")[rows]
    within = quantities(frame["population_within"], f"{name}.population_within")[rows]
    if (within > total).any():
        raise ValueError(f"{name}.population_within must not exceed population")
    dims = tuple(dim for dim in ("district", "age_band") if dim in frame.columns)
    labels = tuple(inputs.vocabulary(dim) for dim in dims)
    codes = [inputs.codes(name, dim)[rows] for dim in dims]
    reached, everyone = Grid.count(dims, labels, codes, within), Grid.count(dims, labels, codes, total)
    return [
        Cells(reached.margin(spec), everyone.margin(spec).values) if set(spec) <= set(dims) else None for spec in specs
    ]


def festival_events(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells | None]:
    """Festival events held in the year (a count, by district)."""
    events = _events(inputs, indicator, year)
    return [Cells(events.margin(spec)) for spec in specs]


def festival_reach(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells | None]:
    """Districts (those with inhabitants) where at least one festival event took place, over all districts."""
    events = _events(inputs, indicator, year).values
    inhabited = inputs.population(year).margin(("district",)).values > 0
    inhabited[-1] = False  # the last label is NONE, not a district
    reached = float(np.sum(inhabited & (events > 0)))
    numerator = Grid((), (), np.asarray(reached, np.float64))
    return [Cells(numerator, np.asarray(float(inhabited.sum()))) if not spec else None for spec in specs]


def _events(inputs: Inputs, indicator: Indicator, year: int) -> Grid:
    name, date = str(indicator.parameters["table"]), str(indicator.parameters["date"])
    frame = inputs.table(name, ["district", date])
    rows = in_year(frame[date], year, f"{name}.{date}")
    return Grid.count(("district",), (inputs.vocabulary("district"),), [inputs.codes(name, "district")[rows]])

"""Indicators about residents: who registered, came, finished, was waitlisted (table `participations`).

One row of `participations` is one registration of one resident for one session, carrying the
resident's age band, sex and district at the time. The year's rows are read once into arrays
(`Registrations`); every indicator below is then a few `np.bincount` calls or one hash-based
distinct count over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.indicators._grid import BoolArray, Grid, IntArray, Labels, Spec, distinct_grids, encode, grid_cells
from analytics.indicators._inputs import PEOPLE, Cells, Inputs, entity_codes, in_year, ratio_cells, truth
from analytics.indicators.framework import Indicator

PARTICIPATION_COLUMNS = ("person_id", *PEOPLE, "session_start", "status", "attended", "series_key")
STATUSES = ("confirmed", "waitlisted", "cancelled")


@dataclass(frozen=True)
class Registrations:
    """The year's participation records as aligned arrays."""

    labels: Labels
    person: IntArray
    cells: IntArray  # flat (age band, sex, district) cell of each row
    confirmed: BoolArray
    waitlisted: BoolArray
    attended: BoolArray
    recorded: BoolArray  # attendance was taken (the session has happened)
    series: IntArray  # -1 for a one-off session
    series_keys: tuple[str, ...]

    def grid(self, rows: BoolArray) -> Grid:
        """The rows selected, counted by age band, sex and district."""
        return Grid.from_cells(PEOPLE, self.labels, self.cells[rows])


def registrations(inputs: Inputs, year: int) -> Registrations:
    """The year's participation rows, read once per computation."""
    return inputs.cached(("registrations", year), lambda: _read_registrations(inputs, year))


def residents_reached(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells]:
    """Residents with a confirmed registration (or who attended, `attended: true`), per inhabitant."""
    rows = registrations(inputs, year)
    population = inputs.population(year)
    chosen = rows.confirmed & rows.attended if indicator.parameters.get("attended") else rows.confirmed
    grids = distinct_grids(rows.person[chosen], PEOPLE, rows.labels, rows.cells[chosen], specs)
    return [Cells(grid, population.spread(grid.dims, grid.values.shape), grid.values) for grid in grids]


def waitlist_pressure(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells]:
    """Waitlisted registrations divided by confirmed ones."""
    rows = registrations(inputs, year)
    return ratio_cells(rows.grid(rows.waitlisted), rows.grid(rows.confirmed), specs)


def attendance_rate(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells]:
    """Confirmed registrations attended, among those whose attendance was taken."""
    rows = registrations(inputs, year)
    taken = rows.confirmed & rows.recorded
    return ratio_cells(rows.grid(taken & rows.attended), rows.grid(taken), specs)


def series_completion(inputs: Inputs, indicator: Indicator, year: int, specs: Sequence[Spec]) -> list[Cells]:
    """(Person, series) pairs whose sessions are over, where the person attended every session of the series.

    A pair has at least one confirmed registration for a session of the series in the year; it is
    over when attendance was taken at all of its confirmed sessions, and complete when the person
    attended as many sessions as the series has in the year: the most confirmed registrations anyone
    holds for it (booking a series books every session). A pair counts once, in the cell of its first row.
    """
    rows = registrations(inputs, year)
    chosen = rows.confirmed & (rows.series >= 0)
    series, person = rows.series[chosen], rows.person[chosen]
    width = max(len(rows.series_keys), 1)
    if person.size and int(person.max()) >= 2**62 // width:
        person = pd.factorize(person)[0].astype(np.int64)
    pair, uniques = pd.factorize(person * width + series)
    pairs = len(uniques)
    booked = np.bincount(pair, minlength=pairs)
    attended = np.bincount(pair, weights=rows.attended[chosen], minlength=pairs)
    taken = np.bincount(pair, weights=rows.recorded[chosen], minlength=pairs)
    first = np.full(pairs, len(pair), np.int64)
    np.minimum.at(first, pair, np.arange(len(pair)))
    pair_series = series[first]
    length = np.zeros(width, np.int64)
    np.maximum.at(length, pair_series, booked)
    over = taken == booked
    complete = over & (attended >= length[pair_series])
    cells = rows.cells[chosen][first]
    done = Grid.from_cells(PEOPLE, rows.labels, cells[complete])
    held = Grid.from_cells(PEOPLE, rows.labels, cells[over])
    return ratio_cells(done, held, specs)


def _read_registrations(inputs: Inputs, year: int) -> Registrations:
    frame = inputs.table("participations", PARTICIPATION_COLUMNS)
    rows = in_year(frame["session_start"], year, "participations.session_start")
    labels = tuple(inputs.vocabulary(dim) for dim in PEOPLE)
    cells = grid_cells(labels, [inputs.codes("participations", dim)[rows] for dim in PEOPLE])
    status_codes, status_labels = inputs.cached(("encoded-status",), lambda: encode(frame["status"]))
    unknown = sorted(set(status_labels) - set(STATUSES))
    if unknown:
        raise ValueError(f"participations.status has {unknown}; expected one of {list(STATUSES)}")
    status = status_codes[rows]
    attended, recorded = truth(frame["attended"], "participations.attended")
    series_codes, series_keys = inputs.cached(("encoded-series",), lambda: encode(frame["series_key"]))
    series = _blank_as_missing(series_codes[rows], series_keys)
    return Registrations(
        labels=labels,
        person=entity_codes(frame["person_id"][rows], "participations.person_id"),
        cells=cells,
        confirmed=_is(status, status_labels, "confirmed"),
        waitlisted=_is(status, status_labels, "waitlisted"),
        attended=attended[rows],
        recorded=recorded[rows],
        series=series,
        series_keys=tuple(series_keys),
    )


def _is(codes: IntArray, labels: Sequence[str], wanted: str) -> BoolArray:
    if wanted not in labels:
        return np.zeros(codes.size, dtype=bool)
    return np.asarray(codes == labels.index(wanted))


def _blank_as_missing(codes: IntArray, labels: Sequence[str]) -> IntArray:
    if "" in labels:
        codes = np.where(codes == labels.index(""), -1, codes)
    return codes

"""Small-count suppression before publishing breakdowns, with complementary cells.

A cell whose count (people or records behind it, column `count`) is under the threshold is
suppressed (primary). Then, within each table (rows of one indicator, area and year), every
margin relation is checked: a margin row (the total, or a cell of a coarser breakdown) equals the
sum of the cells that split it along one more dimension (the total and the district cells; the
cell "65-79" and the cells "65-79 x F", "65-79 x M"). If exactly one member of such a relation is
suppressed, subtracting the published members from the margin would give it back, so the
smallest other cell (by count) is suppressed too (secondary), and this repeats until no relation
has exactly one suppressed member. Finally the whole table is checked as a linear system: a
suppressed cell that the relations together pin down exactly (a "bridge" between two groups of
suppressed cells, say) gets one more complementary suppression beside it, until none is
determined. Suppressed rows keep their labels; numerator, denominator, count and value become
NaN, and column `suppressed` says "primary" or "secondary".

>>> frame = pd.DataFrame({"indicator": "x", "district": [None, "a", "b", "c"], "count": [60.0, 3.0, 27.0, 30.0]})
>>> suppress_small_counts(frame)["suppressed"].tolist()
['', 'primary', 'secondary', '']
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from analytics.indicators._grid import BoolArray, FloatArray

DIMENSIONS = ("age_band", "sex", "district", "building_block", "sector")
TABLE_KEYS = ("indicator", "area", "year")
MEASURES = ("numerator", "denominator", "count", "value")
Group = tuple[int, list[int]]  # a margin row and the rows that sum to it


def suppress_small_counts(frame: pd.DataFrame, threshold: float = 10, *, count_column: str = "count") -> pd.DataFrame:
    """A copy of a long indicator table with small counts, and the cells that would reveal them, suppressed.

    Rows whose count is missing (indicators that count no people) are never suppressed for
    themselves. Dimension columns (age_band, sex, district, building_block, sector) are empty
    where a row is not broken down by them.
    """
    if not threshold > 0:
        raise ValueError(f"threshold must be a positive number, got {threshold!r}")
    if count_column not in frame.columns:
        raise ValueError(f"the table has no {count_column!r} column to judge small counts by")
    counts = pd.to_numeric(frame[count_column], errors="coerce").to_numpy(dtype=np.float64)
    primary = np.asarray(counts < threshold)  # NaN compares False
    suppressed = primary.copy()
    dims = [dim for dim in DIMENSIONS if dim in frame.columns]
    keys = [key for key in TABLE_KEYS if key in frame.columns]
    tables = frame.groupby(keys, dropna=False, sort=False).indices if keys else {None: np.arange(len(frame))}
    for rows in tables.values():
        if primary[rows].any():
            suppressed[rows] = _suppress_table(frame.iloc[rows][dims], counts[rows], primary[rows])
    result = frame.copy()
    for measure in (*MEASURES, count_column):
        if measure in result.columns:
            result[measure] = result[measure].astype(np.float64).mask(suppressed)
    result["suppressed"] = np.where(primary, "primary", np.where(suppressed, "secondary", ""))
    return result


def margin_groups(cells: pd.DataFrame) -> list[Group]:
    """The margin relations of one table: (margin row, rows splitting it along one more dimension).

    Rows are positions in `cells`, whose columns are the dimensions (empty where not broken down).
    A margin with no published row is no relation: nothing can be subtracted from it.
    """
    labels = [tuple(None if pd.isna(value) else value for value in row) for row in cells.itertuples(index=False)]
    position = {label: row for row, label in enumerate(labels)}
    if len(position) != len(labels):
        raise ValueError("a table repeats a cell (same indicator, area, year and labels); cannot suppress")
    children: dict[tuple[Hashable, ...], list[int]] = {}
    for row, label in enumerate(labels):
        for axis, value in enumerate(label):
            if value is not None:
                parent = (*label[:axis], None, *label[axis + 1 :])
                children.setdefault((*parent, axis), []).append(row)
    return [(position[key[:-1]], rows) for key, rows in children.items() if key[:-1] in position]


def determined_cells(groups: Sequence[Group], suppressed: BoolArray) -> list[int]:
    """Suppressed rows whose value the margin relations fix exactly, whatever the other suppressed values."""
    unknown = sorted({row for margin, rows in groups for row in (margin, *rows) if suppressed[row]})
    if not unknown:
        return []
    column = {row: index for index, row in enumerate(unknown)}
    equations = np.zeros((len(groups), len(unknown)))
    for index, (margin, rows) in enumerate(groups):
        for row in rows:
            if suppressed[row]:
                equations[index, column[row]] += 1.0
        if suppressed[margin]:
            equations[index, column[margin]] -= 1.0
    _, singular, basis = np.linalg.svd(equations)
    rank = int(np.sum(singular > 1e-9 * max(1.0, singular.max(initial=0.0))))
    free = basis[rank:]  # the null space: how suppressed values can move together
    fixed = np.abs(free).max(axis=0, initial=0.0) < 1e-9
    return [row for row, is_fixed in zip(unknown, fixed, strict=True) if is_fixed]


def _suppress_table(cells: pd.DataFrame, counts: FloatArray, primary: BoolArray) -> BoolArray:
    groups = margin_groups(cells)
    suppressed = primary.copy()
    while True:
        changed = False
        for group in groups:
            if sum(bool(suppressed[row]) for row in (group[0], *group[1])) == 1:
                _hide_beside(group, counts, suppressed)
                changed = True
        if changed:
            continue
        determined = determined_cells(groups, suppressed)
        if not determined:
            return suppressed
        if not _hide_near(groups, determined, counts, suppressed):
            # No relation of a determined cell has a published member left: hide the table rather than leak.
            suppressed[:] = True
            return suppressed


def _hide_near(groups: Sequence[Group], rows: Sequence[int], counts: FloatArray, suppressed: BoolArray) -> bool:
    """One more suppression in a relation of the first of `rows` that has a published member."""
    for row in rows:
        around = [group for group in groups if row == group[0] or row in group[1]]
        around.sort(key=lambda group: sum(bool(suppressed[member]) for member in (group[0], *group[1])))
        if any(_hide_beside(group, counts, suppressed) for group in around):
            return True
    return False


def _hide_beside(group: Group, counts: FloatArray, suppressed: BoolArray) -> bool:
    """Suppress the smallest published cell of the relation (the margin only when no cell is left)."""
    margin, rows = group
    candidates = [row for row in rows if not suppressed[row]]
    if not candidates:
        candidates = [margin] if not suppressed[margin] else []
    if not candidates:
        return False
    choice = min(candidates, key=lambda row: (np.nan_to_num(counts[row], nan=np.inf), row))
    suppressed[choice] = True
    return True

"""Small-count suppression: nothing under the threshold is published, and nothing suppressed can be recovered.

The checks here do not reuse the module's relation finding or linear algebra: `relations` pairs
rows by brute force, and `recoverable` asks numpy's matrix rank whether a suppressed value is a
linear combination of the published margins (e_i in the row space of the relations). A seeded
randomised test (hypothesis is not installed) runs them over 300 random tables of one to three
dimensions with their margins.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analytics.indicators import compute_indicators, suppress_small_counts
from analytics.indicators.suppression import DIMENSIONS

MEASURES = ["numerator", "denominator", "count", "value"]


def relations(frame: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """(margin row, rows splitting it along one more dimension), found by comparing every pair of rows."""
    dims = [dim for dim in DIMENSIONS if dim in frame.columns]
    labels = [{dim: row[dim] for dim in dims if pd.notna(row[dim])} for _, row in frame.iterrows()]
    found = []
    for margin, outer in enumerate(labels):
        for extra in set(dims) - set(outer):
            children = [
                row
                for row, inner in enumerate(labels)
                if set(inner) == {*outer, extra} and all(inner[dim] == value for dim, value in outer.items())
            ]
            if children:
                found.append((margin, children))
    return found


def recoverable(frame: pd.DataFrame, hidden: np.ndarray) -> list[int]:
    """Hidden rows whose value the published margins determine exactly (by matrix rank)."""
    unknown = [int(row) for row in np.flatnonzero(hidden)]
    equations = []
    for margin, children in relations(frame):
        equation = np.zeros(len(unknown))
        for row in children:
            if hidden[row]:
                equation[unknown.index(row)] += 1
        if hidden[margin]:
            equation[unknown.index(margin)] -= 1
        equations.append(equation)
    if not equations:
        return []
    system = np.array(equations)
    rank = np.linalg.matrix_rank(system)
    return [
        row
        for index, row in enumerate(unknown)
        if np.linalg.matrix_rank(np.vstack([system, np.eye(len(unknown))[index]])) == rank
    ]


def random_table(rng: np.random.Generator) -> pd.DataFrame:
    """One indicator broken down by one to three dimensions, with every coarser table (margins) as well."""
    dims = ["age_band", "sex", "district"][: rng.integers(1, 4)]
    sizes = [int(rng.integers(2, 6)) for _ in dims]
    small = rng.random(sizes) < rng.uniform(0.1, 0.6)
    counts = np.where(small, rng.integers(0, 10, sizes), rng.integers(10, 200, sizes)).astype(float)
    population = counts * 20 + 100
    rows = []
    for kept in itertools.chain.from_iterable(
        itertools.combinations(range(len(dims)), n) for n in range(len(dims) + 1)
    ):
        summed_count = counts.sum(axis=tuple(axis for axis in range(len(dims)) if axis not in kept))
        summed_population = population.sum(axis=tuple(axis for axis in range(len(dims)) if axis not in kept))
        for position in itertools.product(*(range(sizes[axis]) for axis in kept)):
            labels = {dims[axis]: f"{dims[axis]}-{index}" for axis, index in zip(kept, position, strict=True)}
            count = float(summed_count[position]) if kept else float(summed_count)
            people = float(summed_population[position]) if kept else float(summed_population)
            rows.append(
                {**labels, "numerator": count, "denominator": people, "count": count, "value": 100 * count / people}
            )
    frame = pd.DataFrame(rows).reindex(columns=["indicator", *dims, *MEASURES])
    return frame.assign(indicator="participation-rate", area="city", year=2025)


def check_properties(original: pd.DataFrame, threshold: float = 10) -> pd.DataFrame:
    """Suppress, then assert every published-table property; returns the suppressed table."""
    published = suppress_small_counts(original, threshold)
    hidden = (published["suppressed"] != "").to_numpy()
    shown = ~hidden
    # Nothing under the threshold is published, and every suppressed cell is blank.
    assert (original.loc[shown, "count"] >= threshold).all()
    assert published.loc[hidden, MEASURES].isna().all().all()
    # Published figures are the true ones (no rounding, no noise): totals stay consistent.
    pd.testing.assert_frame_equal(published.loc[shown, original.columns], original.loc[shown])
    # No relation has exactly one hidden member, and no hidden cell is determined by the relations together.
    counts = original["count"].to_numpy(dtype=float)
    for margin, children in relations(original):
        assert int(hidden[[margin, *children]].sum()) != 1, (margin, children)
        assert counts[margin] == counts[children].sum()  # the table's own margins add up
    assert recoverable(original, hidden) == []
    return published


def test_it_suppresses_a_small_cell_and_its_complement() -> None:
    table = pd.DataFrame(
        {"indicator": "x", "district": [None, "a", "b", "c", "d"], "count": [141.0, 4.0, 12.0, 25.0, 100.0]}
    )

    published = suppress_small_counts(table)

    assert published["suppressed"].tolist() == ["", "primary", "secondary", "", ""]
    assert published["count"].tolist()[2:] == [pytest.approx(float("nan"), nan_ok=True), 25.0, 100.0]


def test_it_publishes_a_table_with_no_small_cell_unchanged() -> None:
    table = pd.DataFrame({"indicator": "x", "district": [None, "a", "b"], "count": [30.0, 10.0, 20.0]})

    published = suppress_small_counts(table)

    assert published["suppressed"].tolist() == ["", "", ""]
    pd.testing.assert_frame_equal(published.drop(columns="suppressed"), table)


def test_it_never_suppresses_rows_that_count_no_people() -> None:
    table = pd.DataFrame(
        {"indicator": "free-offers", "district": [None, "a", "b"], "count": np.nan, "numerator": [3.0, 1.0, 2.0]}
    )

    assert suppress_small_counts(table)["suppressed"].tolist() == ["", "", ""]


def test_it_treats_each_indicator_area_and_year_as_its_own_table() -> None:
    table = pd.DataFrame(
        {
            "indicator": ["x", "x", "x", "y", "y", "y"],
            "district": [None, "a", "b"] * 2,
            "count": [50.0, 5.0, 45.0, 60.0, 30.0, 30.0],
        }
    )

    assert suppress_small_counts(table)["suppressed"].tolist() == ["", "primary", "secondary", "", "", ""]


def test_it_hides_a_cell_that_two_groups_of_suppressed_cells_would_pin_down() -> None:
    # A 4 x 4 table whose small cells form two 2 x 2 blocks joined by one "bridge" cell (a1, d3): every
    # row and column holds 0 or at least 2 small cells, yet the bridge equals R1 + R2 - C1 - C2 + known cells.
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)}
    counts = np.array(
        [[5.0 if (row, column) in small else 50.0 + 7 * row + column for column in range(4)] for row in range(4)]
    )
    rows = [{"count": counts.sum()}]
    rows += [{"age_band": f"a{row}", "count": counts[row].sum()} for row in range(4)]
    rows += [{"district": f"d{column}", "count": counts[:, column].sum()} for column in range(4)]
    rows += [
        {"age_band": f"a{row}", "district": f"d{column}", "count": counts[row, column]}
        for row in range(4)
        for column in range(4)
    ]
    table = pd.DataFrame(rows).reindex(columns=["indicator", "age_band", "district", *MEASURES])
    table = table.assign(indicator="x", numerator=table["count"])

    published = check_properties(table)

    assert (published["suppressed"] == "primary").sum() == 9
    assert (published["suppressed"] == "secondary").sum() >= 1


def test_it_keeps_every_property_on_300_random_tables() -> None:
    rng = np.random.default_rng(20260101)
    secondary = 0
    for _ in range(300):
        published = check_properties(random_table(rng))
        secondary += int((published["suppressed"] == "secondary").sum())

    assert secondary > 100  # the complementary rule was exercised, not just the primary one


def test_it_keeps_every_property_on_computed_indicators() -> None:
    from tests.analytics.test_indicators_compute import city

    result = compute_indicators(city(), None, 2025, ["age_band", "sex", "district", ("age_band", "sex")])
    for _, table in result[result["count"].notna()].groupby("indicator"):
        check_properties(table.reset_index(drop=True), threshold=2)


@pytest.mark.parametrize(
    ("threshold", "column", "message"), [(0, "count", "positive number"), (10, "people", "no 'people' column")]
)
def test_it_refuses_a_bad_threshold_or_count_column(threshold: float, column: str, message: str) -> None:
    table = pd.DataFrame({"indicator": "x", "count": [5.0]})

    with pytest.raises(ValueError, match=message):
        suppress_small_counts(table, threshold, count_column=column)


def test_it_refuses_a_table_that_repeats_a_cell() -> None:
    table = pd.DataFrame({"indicator": "x", "district": [None, "a", "a"], "count": [10.0, 5.0, 5.0]})

    with pytest.raises(ValueError, match="repeats a cell"):
        suppress_small_counts(table)

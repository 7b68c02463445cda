"""The counting engine under the indicators: grids, margins, spreading denominators, distinct counts, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.indicators._grid import NONE, Grid, distinct_grids, encode, grid_cells, recode

LABELS = (("F", "M"), ("a", "b", "c"))


def test_it_counts_rows_into_cells_and_sums_weights() -> None:
    codes = (np.array([0, 0, 1, 1]), np.array([2, 2, 0, 1]))

    counted = Grid.count(("sex", "district"), LABELS, codes)
    weighted = Grid.count(("sex", "district"), LABELS, codes, np.array([1.5, 2.0, 3.0, 4.0]))

    assert counted.values.tolist() == [[0, 0, 2], [1, 1, 0]]
    assert weighted.values.tolist() == [[0, 0, 3.5], [3.0, 4.0, 0]]


def test_it_gives_margins_in_the_order_asked() -> None:
    grid = Grid(("sex", "district"), LABELS, np.arange(6, dtype=float).reshape(2, 3))

    assert grid.margin(("district", "sex")).values.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert grid.margin(("district", "sex")).labels == (LABELS[1], LABELS[0])
    assert float(grid.margin(()).values) == 15.0
    with pytest.raises(ValueError, match="cannot break down by"):
        grid.margin(("age_band",))


def test_it_spreads_a_denominator_over_a_dimension_it_lacks() -> None:
    population = Grid(("sex", "district"), LABELS, np.array([[10.0, 20.0, 30.0], [1.0, 2.0, 3.0]]))

    spread = population.spread(("district", "building_block"), (3, 2))

    assert spread.tolist() == [[11.0, 11.0], [22.0, 22.0], [33.0, 33.0]]


def test_it_counts_distinct_entities_once_per_cell_and_once_in_the_total() -> None:
    # Person 7 appears twice in (F, a) and once in (F, b); person 8 once in (M, a).
    person = np.array([7, 7, 7, 8])
    cells = grid_cells(LABELS, (np.array([0, 0, 0, 1]), np.array([0, 0, 1, 0])))

    by_district, by_sex, total = distinct_grids(
        person, ("sex", "district"), LABELS, cells, [("district",), ("sex",), ()]
    )

    assert by_district.values.tolist() == [2, 1, 0]
    assert by_sex.values.tolist() == [1, 1]
    assert float(total.values) == 2


def test_it_counts_huge_ids_without_overflowing() -> None:
    person = np.array([2**62, 2**62, 5])
    cells = np.array([0, 1, 1])

    (grid,) = distinct_grids(person, ("district",), (("a", "b"),), cells, [("district",)])

    assert grid.values.tolist() == [1, 2]


def test_it_encodes_text_categorical_and_float_labels_alike() -> None:
    codes, labels = encode(pd.Series(["b", None, "a", "b"]))
    assert codes.tolist() == [0, -1, 1, 0]
    assert labels == ["b", "a"]
    codes, labels = encode(pd.Series(["b", "a"], dtype="category"))
    assert labels == ["a", "b"]
    assert codes.tolist() == [1, 0]
    assert encode(pd.Series([12.0, np.nan]))[1] == ["12"]  # district ids read as floats


def test_it_recodes_into_a_shared_vocabulary_with_missing_and_empty_as_none() -> None:
    codes = recode(np.array([0, 1, -1, 2]), ["south", "", "north"], ("north", "south", NONE))

    assert codes.tolist() == [1, 2, 2, 0]

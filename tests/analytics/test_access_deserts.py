"""Learning deserts and the walking-distance headline, by age band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.access import ALL_AGES, costs_from_dense, desert_population, share_within

INF = np.inf


def three_areas() -> pd.DataFrame:
    """Residents by age band in three areas; the bands do not overlap."""
    return pd.DataFrame({"0-14": [100.0, 50.0, 0.0], "15-64": [300.0, 200.0, 500.0], "65+": [0.0, 0.0, 0.0]})


def test_it_counts_residents_of_areas_scoring_below_the_threshold_by_band() -> None:
    table = desert_population([0.5, 0.05, 0.0], three_areas(), threshold=0.1)

    assert table.index.tolist() == ["0-14", "15-64", "65+", ALL_AGES]
    assert table["population_in_deserts"].tolist() == [50.0, 700.0, 0.0, 750.0]
    assert table["population"].tolist() == [150.0, 1000.0, 0.0, 1150.0]
    assert_allclose(table["share"], [1 / 3, 0.7, 0.0, 750 / 1150])


def test_it_does_not_count_an_area_scoring_exactly_the_threshold() -> None:
    table = desert_population([0.1, 0.1, 0.1], three_areas(), threshold=0.1)

    assert table.loc[ALL_AGES, "population_in_deserts"] == 0.0


def test_it_refuses_nan_scores() -> None:
    with pytest.raises(ValueError, match="convention='standard'"):
        desert_population([0.5, np.nan, 0.0], three_areas(), threshold=0.1)


def test_it_refuses_scores_indexed_differently_from_the_population() -> None:
    scores = pd.Series([0.5, 0.0, 0.0], index=["b", "a", "c"])

    with pytest.raises(ValueError, match="indexed differently"):
        desert_population(scores, three_areas().set_axis(["a", "b", "c"]), threshold=0.1)


def test_it_refuses_one_score_too_few() -> None:
    with pytest.raises(ValueError, match=r"one value per area \(3\)"):
        desert_population([0.5, 0.0], three_areas(), threshold=0.1)


def test_it_refuses_a_negative_population() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        desert_population([0.5, 0.0, 0.0], three_areas().assign(**{"65+": [-1.0, 0.0, 0.0]}), threshold=0.1)


def test_it_gives_the_share_within_a_ten_minute_walk_from_a_cost_matrix() -> None:
    # Area 0 has a library at 0 m, area 1 one at 900 m, area 2 one at exactly 800 m.
    costs = costs_from_dense([[0.0, 2000.0], [900.0, INF], [INF, 800.0]])

    table = share_within(costs, three_areas(), max_cost=800)

    assert table["population_within"].tolist() == [100.0, 800.0, 0.0, 900.0]
    assert_allclose(table["share"], [100 / 150, 0.8, 0.0, 900 / 1150])


def test_it_gives_the_same_share_from_nearest_costs() -> None:
    table = share_within(np.array([0.0, 900.0, 800.0]), three_areas(), max_cost=800)

    assert table["population_within"].tolist() == [100.0, 800.0, 0.0, 900.0]

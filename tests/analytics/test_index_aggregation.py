"""Aggregation by hand: arithmetic, geometric, harmonic (with the shift for zeros), Copeland on four units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.index import Tree, aggregate, aggregate_tree, equal_weights

WEIGHTS = pd.Series([0.5, 0.25, 0.25], index=["x", "y", "z"])


def three_units() -> pd.DataFrame:
    return pd.DataFrame({"x": [2.0, 4.0, 1.0], "y": [8.0, 4.0, 16.0], "z": [4.0, 4.0, 16.0]}, index=["n", "s", "e"])


def test_it_takes_the_weighted_arithmetic_mean() -> None:
    # n: 0.5*2 + 0.25*8 + 0.25*4 = 4; s: 4; e: 0.5 + 4 + 4 = 8.5.
    assert_allclose(aggregate(three_units(), WEIGHTS, "arithmetic"), [4.0, 4.0, 8.5])


def test_it_takes_the_weighted_geometric_mean() -> None:
    # n: 2^0.5 * 8^0.25 * 4^0.25 = 2^(0.5 + 0.75 + 0.5) = 2^1.75; s: 4; e: 1 * 16^0.25 * 16^0.25 = 4.
    assert_allclose(aggregate(three_units(), WEIGHTS, "geometric"), [2**1.75, 4.0, 4.0])


def test_it_takes_the_weighted_harmonic_mean() -> None:
    # n: 1 / (0.5/2 + 0.25/8 + 0.25/4) = 1 / 0.34375; e: 1 / (0.5 + 0.25/16 + 0.25/16) = 1 / 0.53125.
    assert_allclose(aggregate(three_units(), WEIGHTS, "harmonic"), [1 / 0.34375, 4.0, 1 / 0.53125])


def test_it_shifts_zeros_before_a_geometric_or_harmonic_mean_and_shifts_back() -> None:
    # The minimum is 0 and the range 10, so s = 0.01 * 10 - 0 = 0.1.
    # geometric n: sqrt(0.1 * 10.1) - 0.1; harmonic n: 1 / (0.5/0.1 + 0.5/10.1) - 0.1; s keeps 10.
    values = pd.DataFrame({"x": [0.0, 10.0], "y": [10.0, 10.0]}, index=["n", "s"])
    halves = pd.Series([0.5, 0.5], index=["x", "y"])

    assert_allclose(aggregate(values, halves, "geometric"), [np.sqrt(0.1 * 10.1) - 0.1, 10.0])
    assert_allclose(aggregate(values, halves, "harmonic"), [1 / (5 + 0.5 / 10.1) - 0.1, 10.0])


def test_it_shifts_negative_z_scores_so_that_the_smallest_is_one_percent_of_the_range() -> None:
    # min -1, range 2: s = 0.02 + 1 = 1.02; n: sqrt(0.02 * 2.02) - 1.02.
    values = pd.DataFrame({"x": [-1.0, 1.0], "y": [1.0, 1.0]}, index=["n", "s"])
    halves = pd.Series([0.5, 0.5], index=["x", "y"])

    assert_allclose(aggregate(values, halves, "geometric"), [np.sqrt(0.02 * 2.02) - 1.02, 1.0])


def four_units() -> pd.DataFrame:
    return pd.DataFrame(
        {"x": [3.0, 2.0, 1.0, 1.0], "y": [1.0, 3.0, 2.0, 1.0], "z": [1.0, 3.0, 2.0, 3.0]}, index=["A", "B", "C", "D"]
    )


def test_it_counts_copeland_wins_and_losses_with_weights() -> None:
    # Weights 1/2, 1/4, 1/4; e_jk = weight where j beats k + half the weight where they tie.
    # A-B: 0.5 (tie); A-C: 0.5 (tie); A-D: 0.5 + 0.125 = 0.625 (A); B-C: 1 (B); B-D: 0.875 (B); C-D: 0.5 (tie).
    # A: +1, B: +2, C: -1, D: -2.
    assert_allclose(aggregate(four_units(), WEIGHTS, "copeland"), [1, 2, -1, -2])


def test_it_counts_copeland_wins_and_losses_with_equal_weights() -> None:
    # A-B: 1/3 (B); A-C: 1/3 (C); A-D: 1/3 + 1/6 (tie); B-C: 1 (B); B-D: 2/3 + 1/6 (B); C-D: 1/6 + 1/3 (tie).
    # A: -2, B: +3, C: 0, D: -1.
    equal = pd.Series(1.0, index=["x", "y", "z"])

    assert_allclose(aggregate(four_units(), equal, "copeland"), [-2, 3, 0, -1])


def test_it_averages_the_children_a_unit_has_when_some_are_missing() -> None:
    # n lacks x: (0.25*4 + 0.25*2) / 0.5 = 3.
    values = pd.DataFrame({"x": [np.nan, 1.0], "y": [4.0, 1.0], "z": [2.0, 1.0]}, index=["n", "s"])

    assert_allclose(aggregate(values, WEIGHTS, "arithmetic"), [3.0, 1.0])
    assert_allclose(aggregate(values, WEIGHTS, "geometric"), [np.sqrt(8), 1.0])


def test_it_aggregates_up_the_tree_level_by_level() -> None:
    # A = (a + b) / 2 = 25, 75; B = c = 100, 0; LCI = (A + B) / 2 = 62.5, 37.5.
    tree = Tree.from_parents({"a": "A", "b": "A", "c": "B", "A": "LCI", "B": "LCI"})
    normalised = pd.DataFrame({"a": [0.0, 100.0], "b": [50.0, 50.0], "c": [100.0, 0.0]}, index=["n", "s"])

    scores = aggregate_tree(normalised, tree, equal_weights(tree), ["arithmetic", "arithmetic"])

    assert scores.columns.tolist() == ["a", "b", "c", "A", "B", "LCI"]
    assert_allclose(scores["A"], [25, 75])
    assert_allclose(scores["LCI"], [62.5, 37.5])


def test_it_compares_the_indicators_below_a_node_with_their_effective_weights_for_copeland() -> None:
    # Effective weights in LCI: a 1/4, b 1/4, c 1/2. n against s: s wins a (1/4), b ties (1/8 each),
    # n wins c (1/2): e_ns = 1/2 + 1/8 = 5/8 > 1/2, so n wins: n +1, s -1.
    tree = Tree.from_parents({"a": "A", "b": "A", "c": "B", "A": "LCI", "B": "LCI"})
    normalised = pd.DataFrame({"a": [0.0, 100.0], "b": [50.0, 50.0], "c": [100.0, 0.0]}, index=["n", "s"])

    scores = aggregate_tree(normalised, tree, equal_weights(tree), ["arithmetic", "copeland"])

    assert_allclose(scores["LCI"], [1, -1])


@pytest.mark.parametrize("method", ["arithmetic", "geometric", "harmonic"])
def test_it_gives_a_unit_with_equal_children_that_value(method: str) -> None:
    values = pd.DataFrame({"x": [0.0, 7.0, 3.0], "y": [0.0, 7.0, 9.0]}, index=["n", "s", "e"])

    scores = aggregate(values, pd.Series([0.3, 0.7], index=["x", "y"]), method)  # type: ignore[arg-type]

    assert_allclose(scores[["n", "s"]], [0.0, 7.0], atol=1e-12)


def test_it_refuses_an_unknown_method_and_bad_weights() -> None:
    with pytest.raises(ValueError, match="aggregation must be one of"):
        aggregate(three_units(), WEIGHTS, "median")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        aggregate(three_units(), WEIGHTS.drop("z"), "arithmetic")

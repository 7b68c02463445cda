"""Weights per node: equal, given, budget allocation, PCA on a matrix whose first component is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.index import Tree, budget_weights, equal_weights, given_weights, pca_weights
from analytics.index.indicators import indicator_meta
from analytics.index.weighting import perturbed_weights


def small_framework() -> Tree:
    """Area A holds indicators a, b, c; area B holds d alone."""
    return Tree.from_parents({"a": "A", "b": "A", "c": "A", "d": "B", "A": "LCI", "B": "LCI"})


def test_it_shares_weight_equally_among_siblings() -> None:
    weights = equal_weights(small_framework())

    assert_allclose(weights[["a", "b", "c", "d", "A", "B"]], [1 / 3, 1 / 3, 1 / 3, 1, 1 / 2, 1 / 2])


def test_it_reads_indicator_weights_from_meta_and_aggregate_weights_from_the_framework() -> None:
    # a: 2 / (2 + 1 + 1); A: 3 / (3 + 1).
    tree = Tree.from_frame(
        pd.DataFrame(
            {
                "code": ["a", "b", "c", "d", "A", "B"],
                "parent": ["A", "A", "A", "B", "LCI", "LCI"],
                "weight": [None, None, None, None, 3.0, 1.0],
            }
        )
    )
    meta = pd.DataFrame({"code": list("abcd"), "direction": [1, 1, 1, 1], "weight": [2.0, 1.0, 1.0, 5.0]})

    weights = given_weights(tree, indicator_meta(meta, tree.indicators))

    assert_allclose(weights[["a", "b", "c", "d", "A", "B"]], [0.5, 0.25, 0.25, 1.0, 0.75, 0.25])


def test_it_averages_the_experts_budgets_within_each_parent() -> None:
    # a: (50 + 30) / 2 = 40, b: 30, c: 30, out of 100; A and B: 50 each.
    points = pd.DataFrame(
        {"a": [50, 30], "b": [30, 30], "c": [20, 40], "d": [100, 100], "A": [60, 40], "B": [40, 60]},
        index=["expert 1", "expert 2"],
    )

    weights = budget_weights(points, small_framework())

    assert_allclose(weights[["a", "b", "c", "d", "A", "B"]], [0.4, 0.3, 0.3, 1.0, 0.5, 0.5])


def test_it_refuses_a_budget_that_forgets_a_node() -> None:
    points = pd.DataFrame({"a": [50], "b": [30], "c": [20], "d": [100], "A": [60]})

    with pytest.raises(ValueError, match=r"no points to the node\(s\) \['B'\]"):
        budget_weights(points, small_framework())


def test_it_weights_by_the_squared_loadings_of_the_first_principal_component() -> None:
    # x2 and x3 are uncorrelated and x1 = x2 + x3 (up to constants): corr(x1, x2) = corr(x1, x3) = 1/sqrt(2).
    # The correlation matrix [[1, r, r], [r, 1, 0], [r, 0, 1]] has its largest eigenvalue, 2, for the
    # eigenvector (1, 1/sqrt(2), 1/sqrt(2)): squared and summed to 1, the weights are 1/2, 1/4, 1/4.
    children = pd.DataFrame({"x1": [4.0, 2.0, 2.0, 0.0], "x2": [3.0, 1.0, 3.0, 1.0], "x3": [3.0, 3.0, 1.0, 1.0]})

    weights = pca_weights(children)

    assert_allclose(weights, [0.5, 0.25, 0.25], atol=1e-12)


def test_it_gives_two_correlated_children_equal_pca_weights() -> None:
    # A 2 x 2 correlation matrix always has the first eigenvector (1, 1)/sqrt(2) when r > 0.
    children = pd.DataFrame({"x": [1.0, 2.0, 3.0, 5.0], "y": [2.0, 1.0, 4.0, 4.0]})

    assert_allclose(pca_weights(children), [0.5, 0.5])


def test_it_drops_a_weight_and_its_emptied_parent_then_renormalises() -> None:
    # Dropping d empties B, so A takes the whole index; noise 1.5 on a: a 1.5/(1.5 + 1 + 1).
    tree = small_framework()
    base = equal_weights(tree).to_numpy()
    factors = np.ones((1, len(tree.nodes)))
    factors[0, tree.nodes.index("a")] = 1.5
    dropped = np.zeros((1, len(tree.nodes)), dtype=bool)
    dropped[0, tree.nodes.index("d")] = True

    indicators, areas = perturbed_weights(base, factors, dropped, tree)

    assert_allclose(indicators[0], [1.5 / 3.5, 1 / 3.5, 1 / 3.5, 0.0])
    assert_allclose(areas[0], [1.0, 0.0])

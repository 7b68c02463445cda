"""The whole build: a four-district city computed by hand, the audit trail, and dominance under every method."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.index import AGGREGATIONS, NORMALISATIONS, IndexConfig, Tree, budget_weights, build_index

FRAMEWORK = pd.DataFrame({"code": ["a", "b", "c", "d", "A", "B"], "parent": ["A", "A", "B", "B", "LCI", "LCI"]})
META = pd.DataFrame({"code": ["a", "b", "c", "d"], "direction": [1, 1, -1, 1]})


def four_districts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [0.0, 5.0, 10.0, 5.0],
            "b": [10.0, np.nan, 30.0, 20.0],
            "c": [4.0, 2.0, 0.0, 2.0],
            "d": [1.0, 5.0, 3.0, 3.0],
        },
        index=["north", "south", "east", "west"],
    )


def test_it_builds_the_index_of_a_small_city_as_computed_by_hand() -> None:
    # b for south is imputed as (10 + 30 + 20) / 3 = 20. Min-max: a, b and c (flipped) give 0, 50, 100, 50,
    # d gives 0, 100, 50, 50. A = (a + b) / 2 = 0, 50, 100, 50; B = (c + d) / 2 = 0, 75, 75, 50;
    # LCI = (A + B) / 2 = 0, 62.5, 87.5, 50.
    result = build_index(four_districts(), META, FRAMEWORK, IndexConfig(weighting="equal"))

    assert_allclose(result.scores["A"], [0, 50, 100, 50])
    assert_allclose(result.scores["B"], [0, 75, 75, 50])
    assert_allclose(result.index, [0, 62.5, 87.5, 50])
    assert result.ranks["LCI"].tolist() == [4, 2, 1, 3]
    assert result.imputed.values.tolist() == [["south", "b", 20.0, "mean"]]
    assert result.outliers["action"].tolist() == ["none"] * 4
    assert result.screening.empty


def test_it_uses_weights_from_a_budget_allocation() -> None:
    # A 0.75, B 0.25: LCI = 0.75 A + 0.25 B = 0, 56.25, 93.75, 50.
    points = pd.DataFrame({"a": [1], "b": [1], "c": [1], "d": [1], "A": [75], "B": [25]})
    tree = Tree.from_frame(FRAMEWORK)

    result = build_index(four_districts(), META, tree, weights=budget_weights(points, tree))

    assert_allclose(result.index, [0, 56.25, 93.75, 50])
    assert result.weights["A"] == 0.75


def test_it_ties_units_with_equal_scores_at_the_best_rank() -> None:
    # Without d, B = c = 0, 50, 100, 50 equals A, so the index is 0, 50, 100, 50: south and west share rank 2.
    result = build_index(four_districts(), META, FRAMEWORK, IndexConfig(exclude=("d",)))

    assert_allclose(result.index, [0, 50, 100, 50])
    assert result.ranks["LCI"].tolist() == [4, 2, 1, 2]
    assert result.tree.indicators == ("a", "b", "c")


def test_it_averages_what_a_unit_reports_when_nothing_is_imputed() -> None:
    # South lacks b: A = a = 50 (min-max over north, east, west: 0, 100, 50 for b).
    result = build_index(four_districts(), META, FRAMEWORK, IndexConfig(imputation="none"))

    assert result.scores["A"]["south"] == 50.0
    assert np.isnan(result.scores["b"]["south"])
    assert result.imputed.empty


def test_it_reports_what_screening_dropped_and_builds_on_the_rest() -> None:
    data = four_districts().assign(b=[10.0, np.nan, np.nan, np.nan])

    result = build_index(data, META, FRAMEWORK)

    assert result.screening[["kind", "code"]].values.tolist() == [["indicator", "b"]]
    assert "b" not in result.scores.columns
    assert result.tree.children("A") == ("a",)


def test_it_takes_one_aggregation_per_level() -> None:
    result = build_index(four_districts(), META, FRAMEWORK, IndexConfig(aggregation=("arithmetic", "copeland")))

    # Copeland over a, b, c, d with weights 1/4 each: east beats all (+3), north loses to all (-3).
    assert result.index["east"] == 3
    assert result.index["north"] == -3


def test_it_derives_pca_weights_that_sum_to_one_within_each_parent() -> None:
    rng = np.random.default_rng(4)
    data = pd.DataFrame(rng.normal(size=(30, 4)), columns=list("abcd"))

    result = build_index(data, META, FRAMEWORK, IndexConfig(weighting="pca", treat_outliers=False))

    assert_allclose(result.weights[["a", "b"]].sum(), 1.0)
    assert_allclose(result.weights[["A", "B"]].sum(), 1.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda: build_index(four_districts(), META.drop(index=3), FRAMEWORK), r"meta has no row.*\['d'\]"),
        (lambda: build_index(four_districts().drop(columns="c"), META, FRAMEWORK), r"lacks the indicator.*\['c'\]"),
        (lambda: build_index(four_districts(), META.assign(direction=2), FRAMEWORK), "direction must be"),
        (lambda: build_index(four_districts(), META, FRAMEWORK, IndexConfig(exclude=("z",))), "cannot exclude"),
        (lambda: IndexConfig(aggregation="median"), "aggregation must be one of"),  # type: ignore[arg-type]
        (lambda: IndexConfig(min_unit_coverage=1.5), "between 0 and 1"),
        (lambda: IndexConfig(aggregation=("arithmetic",)).methods(2), "one aggregation per level"),
    ],
)
def test_it_refuses_inconsistent_inputs_with_a_clear_message(change: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        change()


@pytest.mark.parametrize(
    ("parents", "message"),
    [
        ({"a": "A", "b": "LCI", "A": "LCI"}, "same depth"),
        ({"a": "A", "b": "B"}, "exactly one root"),
    ],
)
def test_it_refuses_a_framework_that_is_not_a_balanced_tree(parents: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Tree.from_parents(parents)


def test_it_reads_a_framework_table_that_lists_the_root_with_an_empty_parent() -> None:
    table = pd.DataFrame({"code": ["LCI", "A", "B", "a", "b", "c"], "parent": [None, "LCI", "LCI", "A", "B", "B"]})

    tree = Tree.from_frame(table)

    assert tree.levels == (("a", "b", "c"), ("A", "B"), ("LCI",))
    assert tree.indicators_under("B") == ("b", "c")


def city_with_a_leader() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nine random districts and "leader", better than all of them on every indicator."""
    rng = np.random.default_rng(7)
    data = pd.DataFrame(rng.lognormal(size=(9, 4)), columns=list("abcd"), index=[f"d{i}" for i in range(9)])
    directions = META["direction"].to_numpy()
    data.loc["leader"] = np.where(directions > 0, data.max() + 0.5, data.min() - 0.1)
    meta = META.assign(
        low=data.quantile(0.2).to_numpy(), high=data.quantile(0.8).to_numpy(), target=data.median().to_numpy()
    )
    return data, meta


@pytest.mark.parametrize(
    ("normalisation", "aggregation", "weighting"),
    list(itertools.product(NORMALISATIONS, AGGREGATIONS, ["given", "equal", "pca"])),
)
def test_it_ranks_a_unit_that_dominates_on_every_indicator_first_under_every_method(
    normalisation: str, aggregation: str, weighting: str
) -> None:
    data, meta = city_with_a_leader()
    config = IndexConfig(normalisation=normalisation, aggregation=aggregation, weighting=weighting)  # type: ignore[arg-type]

    result = build_index(data, meta, FRAMEWORK, config)

    assert result.ranks.loc["leader", "LCI"] == 1

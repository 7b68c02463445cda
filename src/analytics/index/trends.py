"""The index across years: one score and rank per unit and year, and the change from year to year.

Scores of different years are only comparable when every year is treated alike. The frames of all
years are therefore stacked into one table of unit-years and built once (COINr's panel approach):
one screening, one imputation, one outlier treatment and one normalisation for the whole period,
so that a district that improves moves up the min-max scale instead of being rescaled back to
where it was. Ranks are then taken within each year. (Copeland compares every unit-year with every
other; rank normalisation ranks unit-years, which is what makes its years comparable.)

>>> tree = pd.DataFrame({"code": ["a", "b", "A"], "parent": ["A", "A", "LCI"]})
>>> meta = pd.DataFrame({"code": ["a", "b"], "direction": [1, 1]})
>>> years = {2024: pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 3.0]}, index=["n", "s"]),
...          2025: pd.DataFrame({"a": [3.0, 2.0], "b": [5.0, 3.0]}, index=["n", "s"])}
>>> trend = index_trend(years, meta, tree, IndexConfig(treat_outliers=False))
>>> trend.scores.round(1).values.tolist(), trend.change[2025].round(1).tolist()
([[0.0, 100.0], [50.0, 50.0]], [100.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from analytics.index.pipeline import IndexConfig, IndexResult, build_index
from analytics.index.tree import Tree

Year = TypeVar("Year", bound=Hashable)


@dataclass(frozen=True, eq=False)
class TrendResult:
    """Units x years tables of index score, rank within the year and change from the previous year."""

    scores: pd.DataFrame
    ranks: pd.DataFrame
    change: pd.DataFrame  # score minus the previous year's score (NaN the first year)
    result: IndexResult  # the pooled build, rows (year, unit)


def index_trend(
    frames: Mapping[Year, pd.DataFrame],
    meta: pd.DataFrame,
    tree: Tree | pd.DataFrame,
    config: IndexConfig | None = None,
    *,
    groups: pd.Series | None = None,
) -> TrendResult:
    """The index per unit and year (years in the order given), built on all years pooled."""
    if not frames:
        raise ValueError("give at least one year of data")
    pooled = pd.concat(frames, names=["year", "unit"])
    unit_groups = (
        None
        if groups is None
        else pd.Series(groups.reindex(pooled.index.get_level_values("unit")).to_numpy(), index=pooled.index)
    )
    result = build_index(pooled, meta, tree, config, groups=unit_groups)
    scores = result.index.unstack("year").reindex(columns=list(frames))
    ranks = scores.rank(ascending=False, method="min").astype("Int64")
    return TrendResult(scores=scores, ranks=ranks, change=scores.diff(axis=1), result=result)

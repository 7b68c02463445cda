"""The index across years, on one pooled normalisation so that progress shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from analytics.index import IndexConfig, index_trend

TREE = pd.DataFrame({"code": ["courses", "visits", "A"], "parent": ["A", "A", "LCI"]})
META = pd.DataFrame({"code": ["courses", "visits"], "direction": [1, 1]})


def two_years() -> dict[int, pd.DataFrame]:
    return {
        2024: pd.DataFrame({"courses": [10.0, 20.0, 30.0], "visits": [1.0, 2.0, 3.0]}, index=["n", "s", "e"]),
        2025: pd.DataFrame({"courses": [30.0, 20.0, 50.0], "visits": [3.0, 2.0, 5.0]}, index=["n", "s", "e"]),
    }


def test_it_scores_every_year_on_one_scale_and_gives_the_change() -> None:
    # Pooled min-max: courses over 10..50 and visits over 1..5 give the same shares: (x - min) / range.
    # 2024: n 0, s 25, e 50; 2025: n 50, s 25, e 100. Change: n +50, s 0, e +50.
    trend = index_trend(two_years(), META, TREE, IndexConfig(treat_outliers=False))

    assert_allclose(trend.scores[2024], [0, 25, 50])
    assert_allclose(trend.scores[2025], [50, 25, 100])
    assert_allclose(trend.change[2025], [50, 0, 50])
    assert np.isnan(trend.change[2024]).all()
    assert trend.ranks[2025].tolist() == [2, 3, 1]


def test_it_keeps_the_years_in_the_order_given() -> None:
    years = two_years()
    reversed_years = {2025: years[2025], 2024: years[2024]}

    trend = index_trend(reversed_years, META, TREE, IndexConfig(treat_outliers=False))

    assert trend.scores.columns.equals(pd.Index([2025, 2024]))

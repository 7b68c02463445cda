"""Outlier treatment as COINr's default: winsorise up to 5 points, else the shifted log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analytics.index import kurtosis, skewness, treat_outliers, winsorise


def test_it_measures_skewness_and_kurtosis_as_excel_does() -> None:
    values = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0])

    assert skewness(values) == pytest.approx(stats.skew(values, bias=False), rel=1e-12)
    assert kurtosis(values) == pytest.approx(stats.kurtosis(values, bias=False), rel=1e-12)


def test_it_winsorises_the_highest_point_onto_the_next_one() -> None:
    # COINr's vignette example: skewness 3.06, kurtosis 9.74; 100 becomes 30 and the skewness falls to 1.71.
    data = pd.DataFrame({"visits": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0]})

    treated, record = treat_outliers(data)

    assert treated["visits"].tolist()[-2:] == [30.0, 30.0]
    assert record["action"]["visits"] == "winsorised"
    assert record["points"]["visits"] == 1
    assert record["passes"]["visits"]


def test_it_winsorises_tied_extremes_together_and_counts_both() -> None:
    # 1..20 and two 100s: both 100s take the next value, 20 (skewness 2.82, kurtosis 7.13 before).
    values = np.r_[np.arange(1.0, 21.0), 100.0, 100.0]

    treated, points = winsorise(values, skew_limit=2, kurtosis_limit=3.5, max_points=5)

    assert_allclose(treated[-3:], [20, 20, 20])
    assert points == 2


def test_it_falls_back_to_the_shifted_log_when_five_points_are_not_enough() -> None:
    # 40 zeros and 10, 100, ..., 1e10: still skewed after 5 points, so log(x - min + 0.01 * range)
    # of the original values, with min 0 and range 1e10: log(x + 1e8).
    values = np.r_[np.zeros(40), 10.0 ** np.arange(1, 11)]
    data = pd.DataFrame({"enrolments": values})

    treated, record = treat_outliers(data)

    assert_allclose(treated["enrolments"], np.log(values + 1e8))
    assert record["action"]["enrolments"] == "log"
    assert record["points"]["enrolments"] == 0


def test_it_mirrors_the_log_for_a_left_skew() -> None:
    # Negated values: max 0, range 1e10, so -log(max + 0.01 * range - x) = -log(1e8 - x).
    values = -np.r_[np.zeros(40), 10.0 ** np.arange(1, 11)]

    treated, record = treat_outliers(pd.DataFrame({"waiting": values}))

    assert_allclose(treated["waiting"], -np.log(1e8 - values))
    assert record["action"]["waiting"] == "log"
    assert np.all(np.diff(treated["waiting"].to_numpy()[np.argsort(values)]) >= 0)  # the order of units is kept


def test_it_leaves_a_well_behaved_indicator_alone() -> None:
    values = np.linspace(0.0, 1.0, 30) ** 2

    treated, record = treat_outliers(pd.DataFrame({"share": values}))

    assert_allclose(treated["share"], values)
    assert record["action"]["share"] == "none"
    assert record["points"]["share"] == 0


def test_it_ignores_missing_values_and_keeps_them_missing() -> None:
    data = pd.DataFrame({"visits": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0, np.nan]})

    treated, record = treat_outliers(data)

    assert np.isnan(treated["visits"].iloc[-1])
    assert record["action"]["visits"] == "winsorised"

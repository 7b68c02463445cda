"""Outlier treatment per indicator, as COINr's default `Treat()` (after the JRC COIN Tool).

An indicator has outliers when its absolute skewness exceeds 2 **and** its kurtosis exceeds 3.5
(sample skewness and excess kurtosis as Excel's SKEW and KURT, e1071 type 2, COINr's `skew`/`kurt`).
Such an indicator is winsorised: the most extreme value on the side of the skew is given the next
value in, again and again, until it passes or `max_points` units have been changed (ties at the
extreme change together). If winsorising cannot make it pass, the winsorised values are discarded
and the original ones log-transformed with COINr's shift, which copes with zeros and negatives:
`log(x - min + a)` for a right skew and `-log(max + a - x)` for a left one, a = 1 % of the range
(COINr's `log_CT` and `log_CT_plus`). Both keep the order of the units.

>>> values = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100.0])
>>> round(skewness(values), 3), round(kurtosis(values), 3)
(3.063, 9.741)
>>> treated, points = winsorise(values, skew_limit=2, kurtosis_limit=3.5, max_points=5)
>>> treated[-2:].tolist(), points  # 100 becomes 30, and the skewness falls to 1.71
([30.0, 30.0], 1)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.index._checks import BoolArray, FloatArray

RECORD_COLUMNS = ["skewness", "kurtosis", "action", "points", "skewness_after", "kurtosis_after", "passes"]
LOG_SHIFT_SHARE = 0.01  # COINr's a = 0.01 * (max - min)


def skewness(values: FloatArray) -> float:
    """Sample skewness, adjusted (Excel SKEW, e1071 type 2); NaN below 3 values or with no spread."""
    x = values[~np.isnan(values)]
    n = x.size
    deviations = x - x.mean()
    spread = float(np.sum(deviations**2))
    if n < 3 or spread <= 0:
        return float("nan")
    biased = np.sqrt(n) * float(np.sum(deviations**3)) / spread**1.5
    return float(biased * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(values: FloatArray) -> float:
    """Sample excess kurtosis, adjusted (Excel KURT, e1071 type 2); NaN below 4 values or with no spread."""
    x = values[~np.isnan(values)]
    n = x.size
    deviations = x - x.mean()
    spread = float(np.sum(deviations**2))
    if n < 4 or spread <= 0:
        return float("nan")
    ratio = n * float(np.sum(deviations**4)) / spread**2
    return float(((n + 1) * (ratio - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def has_outliers(values: FloatArray, skew_limit: float, kurtosis_limit: float) -> bool:
    """True when |skewness| > skew_limit and kurtosis > kurtosis_limit (False when either is undefined)."""
    skew, kurt = skewness(values), kurtosis(values)
    return bool(abs(skew) > skew_limit and kurt > kurtosis_limit)


def winsorise(
    values: FloatArray, *, skew_limit: float, kurtosis_limit: float, max_points: int
) -> tuple[FloatArray, int]:
    """The values winsorised until they pass or `max_points` units changed, and how many changed."""
    x = values.copy()
    changed: BoolArray = np.zeros(x.size, dtype=bool)
    present = ~np.isnan(x)
    while has_outliers(x, skew_limit, kurtosis_limit) and changed.sum() < max_points:
        high_side = skewness(x) >= 0
        at_extreme = present & (x == (np.nanmax(x) if high_side else np.nanmin(x)))
        others = x[present & ~at_extreme]
        if others.size == 0:
            break
        x[at_extreme] = others.max() if high_side else others.min()
        changed |= at_extreme
    return x, int(changed.sum())


def log_shift(values: FloatArray) -> FloatArray:
    """COINr's shifted log, in the direction of the skew: `log(x - min + a)` or `-log(max + a - x)`."""
    low, high = np.nanmin(values), np.nanmax(values)
    shift = LOG_SHIFT_SHARE * (high - low)
    if skewness(values) >= 0:
        return np.asarray(np.log(values - low + shift), dtype=np.float64)
    return np.asarray(-np.log(high + shift - values), dtype=np.float64)


def treat_outliers(
    data: pd.DataFrame, *, skew_limit: float = 2.0, kurtosis_limit: float = 3.5, max_points: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The treated data and, per indicator, what was done (see RECORD_COLUMNS and the module docstring)."""
    if max_points < 0:
        raise ValueError(f"max_points must not be negative, got {max_points}")
    treated = data.copy()
    rows = {}
    for code in data.columns:
        treated[code], rows[code] = _treat_one(
            data[code].to_numpy(dtype=np.float64), skew_limit, kurtosis_limit, max_points
        )
    return treated, pd.DataFrame.from_dict(rows, orient="index", columns=RECORD_COLUMNS)


def _treat_one(
    values: FloatArray, skew_limit: float, kurtosis_limit: float, max_points: int
) -> tuple[FloatArray, list[object]]:
    before = [skewness(values), kurtosis(values)]
    if not has_outliers(values, skew_limit, kurtosis_limit):
        return values, [*before, "none", 0, *before, True]
    winsorised, points = winsorise(values, skew_limit=skew_limit, kurtosis_limit=kurtosis_limit, max_points=max_points)
    if not has_outliers(winsorised, skew_limit, kurtosis_limit):
        return winsorised, [*before, "winsorised", points, skewness(winsorised), kurtosis(winsorised), True]
    logged = log_shift(values)
    passes = not has_outliers(logged, skew_limit, kurtosis_limit)
    return logged, [*before, "log", 0, skewness(logged), kurtosis(logged), passes]

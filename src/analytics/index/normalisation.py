"""Normalisation: every indicator onto a common scale where more is better (negative indicators flipped).

| method | formula for a positive indicator (a negative one is mirrored) | scale |
|---|---|---|
| `minmax` | (x - min) / (max - min) | 0 to 100 (`scale`) |
| `zscore` | (x - mean) / sd (sd with n - 1) | mean 0, sd 1 (`mean_sd`) |
| `goalposts` | (x - low) / (high - low), clipped to [0, 1] | 0 to 100 |
| `rank` | rank among the units (ties share the average rank) | 1 (worst) to n (best) |
| `distance_to_target` | (x - min) / (target - min), capped at 1 (COINr `n_dist2targ`) | 0 to 100 |

For a negative indicator the goalposts read (high - x) / (high - low), the distance to target
(max - x) / (max - target) and the others use -x. Missing values stay missing.

>>> data = pd.DataFrame({"courses": [10.0, 20.0, 40.0], "dropout": [0.3, 0.1, 0.2]})
>>> min_max(data, [1, -1]).round(2).values.tolist()
[[0.0, 0.0], [33.33, 100.0], [100.0, 50.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from analytics.index._checks import FloatArray, one_of
from analytics.index.indicators import Indicators

Normalisation = Literal["minmax", "zscore", "goalposts", "rank", "distance_to_target"]
NORMALISATIONS: tuple[Normalisation, ...] = get_args(Normalisation)
Directions = Sequence[float] | FloatArray | pd.Series


def min_max(data: pd.DataFrame, directions: Directions, scale: tuple[float, float] = (0.0, 100.0)) -> pd.DataFrame:
    """(x - min) / (max - min), onto `scale`; a ValueError for an indicator with no spread."""
    oriented = data * _directions(data, directions)
    low, spread = oriented.min(), _spread(oriented.max() - oriented.min(), "min-max")
    return (oriented - low) / spread * (scale[1] - scale[0]) + scale[0]


def z_score(data: pd.DataFrame, directions: Directions, mean_sd: tuple[float, float] = (0.0, 1.0)) -> pd.DataFrame:
    """(x - mean) / sd, then `mean_sd[1] * z + mean_sd[0]`; a ValueError for an indicator with no spread."""
    oriented = data * _directions(data, directions)
    sd = _spread(oriented.std(ddof=1), "z-score")
    return (oriented - oriented.mean()) / sd * mean_sd[1] + mean_sd[0]


def goalposts(
    data: pd.DataFrame, directions: Directions, low: Directions, high: Directions, scale: float = 100.0
) -> pd.DataFrame:
    """Position between the goalposts, clipped: 0 at the worst goalpost, `scale` at the best."""
    lows, highs = _per_indicator(data, low, "low goalpost"), _per_indicator(data, high, "high goalpost")
    if not (highs > lows).all():
        wrong = data.columns[~(highs > lows)].tolist()
        raise ValueError(f"the high goalpost must be above the low one, not for {wrong[:5]}")
    positive = _directions(data, directions) > 0
    share = np.where(positive, (data - lows) / (highs - lows), (highs - data) / (highs - lows))
    return pd.DataFrame(np.clip(share, 0.0, 1.0) * scale, index=data.index, columns=data.columns)


def rank(data: pd.DataFrame, directions: Directions) -> pd.DataFrame:
    """Rank among the units, 1 for the worst, ties sharing the average rank; missing values stay missing."""
    oriented = (data * _directions(data, directions)).to_numpy()
    ranks = stats.rankdata(oriented, axis=0, method="average", nan_policy="omit")
    return pd.DataFrame(np.where(np.isnan(oriented), np.nan, ranks), index=data.index, columns=data.columns)


def distance_to_target(
    data: pd.DataFrame, directions: Directions, target: Directions, scale: float = 100.0
) -> pd.DataFrame:
    """Progress from the worst unit to the target, capped at the target; every unit scores `scale` if all reach it."""
    targets = _per_indicator(data, target, "target")
    positive = _directions(data, directions) > 0
    worst = np.where(positive, data.min(), data.max())
    gap = np.where(positive, targets - worst, worst - targets)
    progress = np.where(positive, data - worst, worst - data)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(gap > 0, progress / np.where(gap > 0, gap, 1.0), 1.0)
    share = np.where(np.isnan(data.to_numpy()), np.nan, np.minimum(share, 1.0))
    return pd.DataFrame(share * scale, index=data.index, columns=data.columns)


def normalise(
    data: pd.DataFrame,
    method: Normalisation,
    meta: Indicators,
    *,
    minmax_range: tuple[float, float] = (0.0, 100.0),
    zscore_mean_sd: tuple[float, float] = (0.0, 1.0),
) -> pd.DataFrame:
    """The data normalised by `method`, with the directions, goalposts and targets of `meta` (same columns)."""
    one_of(method, NORMALISATIONS, "normalisation")
    if tuple(data.columns) != meta.codes:
        meta = meta.subset([str(code) for code in data.columns])
    if method == "minmax":
        return min_max(data, meta.direction, minmax_range)
    if method == "zscore":
        return z_score(data, meta.direction, zscore_mean_sd)
    if method == "goalposts":
        return goalposts(data, meta.direction, meta.low, meta.high)
    if method == "rank":
        return rank(data, meta.direction)
    return distance_to_target(data, meta.direction, meta.target)


def _directions(data: pd.DataFrame, directions: Directions) -> FloatArray:
    values = np.asarray(directions, dtype=np.float64)
    if values.shape != (data.shape[1],) or not np.isin(values, (1.0, -1.0)).all():
        raise ValueError(f"directions must hold +1 or -1 for each of the {data.shape[1]} indicators, got {values}")
    return values


def _per_indicator(data: pd.DataFrame, values: Directions, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (data.shape[1],):
        raise ValueError(f"give one {name} per indicator ({data.shape[1]}), got shape {array.shape}")
    if np.isnan(array).any():
        raise ValueError(f"the {name} is missing for {data.columns[np.isnan(array)][:5].tolist()} (see meta)")
    return array


def _spread(spread: pd.Series, method: str) -> pd.Series:
    flat = spread.index[~(spread > 0)]
    if len(flat):
        raise ValueError(f"{method} needs some spread, but {flat[:5].tolist()} take(s) one value (screen them out)")
    return spread

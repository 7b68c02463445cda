"""Input checks shared by the index modules: a clear error before any arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def as_share(value: float, name: str) -> float:
    """A number between 0 and 1 (a coverage threshold, a noise level), or a ValueError naming it."""
    share = float(value)
    if not 0.0 <= share <= 1.0:  # also refuses NaN
        raise ValueError(f"{name} must lie between 0 and 1, got {value!r}")
    return share


def as_indicator_frame(data: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """The `codes` columns of `data` as floats (units x indicators), or a ValueError naming what is missing or wrong."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame (units x indicators), got {type(data).__name__}")
    wanted = list(codes)
    missing = [code for code in wanted if code not in data.columns]
    if missing:
        raise ValueError(f"data lacks the indicator column(s) {missing[:5]} named in the framework")
    if data.index.has_duplicates:
        raise ValueError(f"data has repeated units, e.g. {data.index[data.index.duplicated()][:3].tolist()}")
    frame = data[wanted]
    try:
        numeric = frame.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"indicator values must be numeric: {error}") from error
    if np.isinf(numeric.to_numpy()).any():
        raise ValueError("indicator values must be finite or missing (NaN), not infinite")
    return numeric


def as_groups(groups: pd.Series | None, units: pd.Index) -> pd.Series | None:
    """The group of every unit (for group-mean imputation), aligned on `units`, or a ValueError."""
    if groups is None:
        return None
    if not isinstance(groups, pd.Series):
        raise TypeError(f"groups must be a pandas Series indexed by unit, got {type(groups).__name__}")
    missing = units.difference(groups.index)
    if len(missing):
        raise ValueError(f"groups has no group for the unit(s) {missing[:5].tolist()}")
    aligned = groups.reindex(units)
    if aligned.isna().any():
        raise ValueError(f"groups is missing for the unit(s) {aligned.index[aligned.isna()][:5].tolist()}")
    return aligned


def one_of(value: Any, allowed: Iterable[Any], name: str) -> Any:
    """`value` when it is one of `allowed`, else a ValueError listing the choices."""
    options = tuple(allowed)
    if value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    return value

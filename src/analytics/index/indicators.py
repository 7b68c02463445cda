"""Indicator metadata: direction, goalposts, target and weight of every indicator, checked once.

The metadata table has one row per indicator, keyed by a `code` column (or by its index):

| column | meaning |
|---|---|
| `direction` | +1 when more is better, -1 when less is better (required) |
| `low`, `high` | goalposts in the indicator's own units (needed by the goalposts normalisation) |
| `target` | the value to reach (needed by the distance-to-target normalisation) |
| `weight` | the indicator's weight within its sub-area (optional, default 1) |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.index._checks import FloatArray

OPTIONAL_COLUMNS = ("low", "high", "target", "weight")


@dataclass(frozen=True, eq=False)
class Indicators:
    """The metadata of the indicators in `codes`, as arrays in that order (NaN where a column is absent)."""

    codes: tuple[str, ...]
    direction: FloatArray
    low: FloatArray
    high: FloatArray
    target: FloatArray
    weight: FloatArray

    def subset(self, codes: Sequence[str]) -> Indicators:
        """The metadata of some of the indicators, in the order given."""
        positions = [self.codes.index(code) for code in codes]
        return Indicators(
            tuple(codes),
            self.direction[positions],
            self.low[positions],
            self.high[positions],
            self.target[positions],
            self.weight[positions],
        )


def indicator_meta(meta: pd.DataFrame, codes: Sequence[str]) -> Indicators:
    """The metadata of `codes` from the metadata table, or a ValueError naming the indicator at fault."""
    if not isinstance(meta, pd.DataFrame):
        raise TypeError(f"meta must be a pandas DataFrame, got {type(meta).__name__}")
    table = meta.set_index("code") if "code" in meta.columns else meta.copy()
    table.index = table.index.map(str)
    if table.index.has_duplicates:
        raise ValueError(f"meta lists the indicator(s) {table.index[table.index.duplicated()][:5].tolist()} twice")
    missing = [code for code in codes if code not in table.index]
    if missing:
        raise ValueError(f"meta has no row for the indicator(s) {missing[:5]}")
    if "direction" not in table.columns:
        raise ValueError("meta lacks the column 'direction' (+1 when more is better, -1 when less is better)")
    rows = table.loc[list(codes)]
    direction = pd.to_numeric(rows["direction"], errors="coerce").to_numpy(dtype=np.float64)
    wrong = [code for code, d in zip(codes, direction, strict=True) if d not in (1.0, -1.0)]
    if wrong:
        raise ValueError(f"direction must be +1 or -1, not for the indicator(s) {wrong[:5]}")
    columns = {name: _optional(rows, name) for name in OPTIONAL_COLUMNS}
    if (columns["weight"] < 0).any():
        raise ValueError("indicator weights must not be negative")
    return Indicators(tuple(codes), direction, **columns)


def _optional(rows: pd.DataFrame, name: str) -> FloatArray:
    if name not in rows.columns:
        return np.full(len(rows), np.nan)
    try:
        return rows[name].to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"meta column {name!r} must be numeric: {error}") from error

"""Imputation of missing values, indicator by indicator, with a record of every cell filled.

`mean` and `median` fill a gap with the indicator's mean or median over the units that report it;
`group_mean` with its mean over the units of the same group (e.g. the districts of one borough, the
cities of one country), or, when nobody in the group reports it, its overall mean (the record says
so). `none` leaves the gaps: aggregation then averages the values present (see `aggregation`).

>>> data = pd.DataFrame({"a": [1.0, None, 3.0, 10.0]}, index=["n", "s", "e", "w"])
>>> filled, record = impute(data, "group_mean", groups=pd.Series(["x", "x", "x", "y"], index=data.index))
>>> filled["a"].tolist()
[1.0, 2.0, 3.0, 10.0]
>>> record.values.tolist()
[['s', 'a', 2.0, 'group_mean']]
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

from analytics.index._checks import as_groups, one_of

Imputation = Literal["none", "mean", "median", "group_mean"]
IMPUTATIONS: tuple[Imputation, ...] = get_args(Imputation)
RECORD_COLUMNS = ["unit", "indicator", "value", "method"]


def impute(
    data: pd.DataFrame, method: Imputation, groups: pd.Series | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data with its gaps filled, and the record of filled cells (unit, indicator, value, method)."""
    one_of(method, IMPUTATIONS, "imputation")
    missing = data.isna()
    if method == "none" or not missing.to_numpy().any():
        return data, pd.DataFrame(columns=RECORD_COLUMNS)
    if method == "group_mean":
        aligned = as_groups(groups, data.index)
        if aligned is None:
            raise ValueError("group_mean imputation needs groups: a Series giving each unit's group")
        overall = data.mean(axis=0)
        by_group = data.groupby(aligned.to_numpy()).transform("mean")
        filled = data.fillna(by_group)
        methods = pd.DataFrame("group_mean", index=data.index, columns=data.columns).where(
            by_group.notna(), "mean (no value in the group)"
        )
        filled = filled.fillna(overall)
    else:
        filled = data.fillna(data.mean(axis=0) if method == "mean" else data.median(axis=0))
        methods = pd.DataFrame(method, index=data.index, columns=data.columns)
    return filled, _record(filled, methods, missing)


def _record(filled: pd.DataFrame, methods: pd.DataFrame, missing: pd.DataFrame) -> pd.DataFrame:
    rows, columns = np.nonzero(missing.to_numpy())
    return pd.DataFrame(
        {
            "unit": filled.index[rows],
            "indicator": filled.columns[columns],
            "value": filled.to_numpy()[rows, columns],
            "method": methods.to_numpy()[rows, columns],
        },
        columns=RECORD_COLUMNS,
    )

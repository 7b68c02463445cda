"""Data-availability screening: leave out indicators and units with too little data, and say why.

Indicators go first (an indicator few units report should not cost those units their place), then
units on the indicators kept, then indicators with no variation left (they cannot be normalised and
say nothing about differences). Each dropped row of the report gives the kind, the code, the share
of values present and the reason.

>>> data = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, None, None, None], "c": [5.0, 6.0, None, 7.0]},
...                     index=["n", "s", "e", "w"])
>>> kept, dropped = screen(data, min_indicator_coverage=0.5, min_unit_coverage=0.66)
>>> kept.columns.tolist(), kept.index.tolist()
(['a', 'c'], ['n', 's', 'w'])
>>> dropped[["kind", "code", "coverage"]].values.tolist()
[['indicator', 'b', 0.25], ['unit', 'e', 0.5]]
"""

from __future__ import annotations

import pandas as pd

from analytics.index._checks import as_share

REPORT_COLUMNS = ["kind", "code", "coverage", "reason"]


def screen(
    data: pd.DataFrame, *, min_indicator_coverage: float, min_unit_coverage: float, drop_constant: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data kept (units x indicators) and a report of what was dropped (kind, code, coverage, reason)."""
    indicator_floor = as_share(min_indicator_coverage, "min_indicator_coverage")
    unit_floor = as_share(min_unit_coverage, "min_unit_coverage")
    report: list[dict[str, object]] = []
    coverage = data.notna().mean(axis=0)
    sparse_indicators = coverage.index[coverage < indicator_floor]
    report += _rows("indicator", coverage[sparse_indicators], f"fewer than {indicator_floor:.0%} of units report it")
    kept = data.drop(columns=sparse_indicators)
    unit_coverage = kept.notna().mean(axis=1) if kept.shape[1] else pd.Series(0.0, index=kept.index)
    sparse_units = unit_coverage.index[unit_coverage < unit_floor]
    report += _rows("unit", unit_coverage[sparse_units], f"it reports fewer than {unit_floor:.0%} of the indicators")
    kept = kept.drop(index=sparse_units)
    if drop_constant:
        constant = kept.columns[kept.nunique(dropna=True) <= 1]
        report += _rows("indicator", kept[constant].notna().mean(axis=0), "no variation between the units kept")
        kept = kept.drop(columns=constant)
    if kept.empty:
        raise ValueError("screening left no data: lower the coverage thresholds or check the data")
    return kept, pd.DataFrame(report, columns=REPORT_COLUMNS)


def _rows(kind: str, coverage: pd.Series, reason: str) -> list[dict[str, object]]:
    return [
        {"kind": kind, "code": code, "coverage": round(float(share), 4), "reason": reason}
        for code, share in coverage.items()
    ]

"""Every indicator of the framework, computed from plain tables into one long table.

>>> import pandas as pd
>>> tables = {"statistics": pd.DataFrame({"indicator": ["neet-young-people"], "area": ["Nantes"],
...     "year": [2023], "value": [11.2], "source": ["INSEE"]})}
>>> result = compute_indicators(tables, None, 2025, indicators=["neet-young-people", "participation-rate"])
>>> result[["indicator", "area", "data_year", "value", "status"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'indicator': 'neet-young-people', 'area': 'Nantes', 'data_year': 2023, 'value': 11.2, 'status': 'ok'},
 {'indicator': 'participation-rate', 'area': 'city', 'data_year': 2025, 'value': nan, 'status': 'no data'}]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from analytics.indicators import coverage, offers, people, records
from analytics.indicators._grid import NONE, Spec
from analytics.indicators._inputs import Cells, Inputs, NoData
from analytics.indicators.framework import BREAKDOWNS, Framework, Indicator, load_framework
from analytics.indicators.statistics import statistic_rows

Method = Callable[[Inputs, Indicator, int, Sequence[Spec]], Sequence[Cells | None]]
METHODS: dict[str, Method] = {
    "residents_reached": people.residents_reached,
    "waitlist_pressure": people.waitlist_pressure,
    "attendance_rate": people.attendance_rate,
    "series_completion": people.series_completion,
    "records_per_inhabitants": records.records_per_inhabitants,
    "record_mean": records.record_mean,
    "record_share": records.record_share,
    "offers_per_inhabitants": offers.offers_per_inhabitants,
    "offer_share": offers.offer_share,
    "active_organisations": offers.active_organisations,
    "provider_evenness": offers.provider_evenness,
    "population_within": coverage.population_within,
    "festival_events": coverage.festival_events,
    "festival_reach": coverage.festival_reach,
}
DIMENSIONS = tuple(key for key in BREAKDOWNS if key != "year")
COLUMNS = [
    "indicator", "area", "breakdown", *DIMENSIONS, "year", "data_year",
    "numerator", "denominator", "count", "value", "unit", "source", "status",
]  # fmt: skip
TOTAL = "total"


def compute_indicators(
    tables: Mapping[str, pd.DataFrame],
    framework: Framework | None,
    year: int | Iterable[int],
    breakdowns: Iterable[str | Sequence[str]] | None = None,
    *,
    area: str = "city",
    indicators: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The framework's indicators (default: the packaged one, all indicators) for one year or several.

    `tables` maps table names to data frames (schemas in docs/indicators.md); an absent or empty
    table makes the indicators that need it report "no data". `breakdowns` lists the breakdowns
    wanted besides the total: a dimension ("district") or a cross ("age_band", "sex"); each
    indicator gives those its definition allows. Default: every single-dimension breakdown it allows.
    One row per cell: see COLUMNS and docs/indicators.md.
    """
    framework = framework or load_framework()
    years = [year] if isinstance(year, int) else [int(value) for value in year]
    chosen = _chosen(framework, indicators)
    requested = None if breakdowns is None else _specs(breakdowns)
    inputs = Inputs(tables, framework.building_blocks())
    frames = [
        _indicator_frame(inputs, framework, indicator, when, _specs_for(indicator, requested), area)
        for when in years
        for indicator in chosen
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def _indicator_frame(
    inputs: Inputs, framework: Framework, indicator: Indicator, year: int, specs: list[Spec], area: str
) -> pd.DataFrame:
    try:
        if indicator.method == "statistic":
            found = statistic_rows(inputs, indicator, year)
            return _labelled(found.assign(breakdown=TOTAL, status="ok"), indicator, year)
        computed = METHODS[indicator.method](inputs, indicator, year, specs)
    except NoData:
        computed = []
    scale = framework.units[indicator.unit].scale
    pairs = zip(specs, computed, strict=False)
    frames = [_cells_frame(cells, spec, scale) for spec, cells in pairs if cells is not None]
    if not frames:
        no_data = pd.DataFrame({"breakdown": [TOTAL], "source": indicator.source, "status": "no data"})
        return _labelled(no_data.assign(area=area, data_year=year), indicator, year)
    cells = pd.concat(frames, ignore_index=True)
    return _labelled(cells.assign(area=area, data_year=year, source="platform"), indicator, year)


def _labelled(frame: pd.DataFrame, indicator: Indicator, year: int) -> pd.DataFrame:
    """The rows with the indicator's code, unit and year, and every column of COLUMNS."""
    frame = frame.assign(indicator=indicator.code, year=year, unit=indicator.unit)
    return frame.reindex(columns=COLUMNS)


def _cells_frame(cells: Cells, spec: Spec, scale: float) -> pd.DataFrame:
    """One row per cell of a breakdown.

    Cells with nothing in numerator and denominator are left out (they read as zero), and so are
    "none" cells (no sex stated, an online offer's district...) with nothing in the numerator.
    """
    numerator = cells.numerator.values.ravel()
    size = numerator.size
    denominator = np.full(size, np.nan) if cells.denominator is None else np.asarray(cells.denominator).ravel()
    count = np.full(size, np.nan) if cells.count is None else np.asarray(cells.count).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denominator > 0, scale * numerator / denominator, np.nan)
    value = scale * numerator if cells.denominator is None else ratio
    status = np.where(denominator == 0, "zero denominator", "ok")
    columns: dict[str, object] = {"breakdown": "+".join(spec) or TOTAL}
    if spec:
        index = pd.MultiIndex.from_product(cells.numerator.labels, names=list(spec))
        columns |= {dim: index.get_level_values(dim) for dim in spec}
    frame = pd.DataFrame(
        {
            **columns,
            "numerator": numerator,
            "denominator": denominator,
            "count": count,
            "value": value,
            "status": status,
        },
        index=range(size),
    )
    if not spec:
        return frame
    unlabelled = np.zeros(size, dtype=bool)
    for dim in spec:
        unlabelled |= (frame[dim] == NONE).to_numpy()
    kept: pd.DataFrame = frame.loc[(numerator != 0) | ((denominator > 0) & ~unlabelled)]
    return kept


def _chosen(framework: Framework, indicators: Iterable[str] | None) -> list[Indicator]:
    chosen = list(framework.indicators) if indicators is None else [framework.indicator(code) for code in indicators]
    unknown = sorted({indicator.method for indicator in chosen} - {*METHODS, "statistic"})
    if unknown:
        raise ValueError(f"unknown computation method(s) {unknown}; known: {sorted(METHODS)} and 'statistic'")
    return chosen


def _specs(breakdowns: Iterable[str | Sequence[str]]) -> list[Spec]:
    specs: list[Spec] = []
    for breakdown in breakdowns:
        spec = (breakdown,) if isinstance(breakdown, str) else tuple(breakdown)
        if "year" in spec:
            raise ValueError("year is not a cell breakdown: pass several years instead")
        unknown = [key for key in spec if key not in DIMENSIONS]
        if unknown or not spec or len(set(spec)) != len(spec):
            raise ValueError(f"breakdown {list(spec)} must name distinct dimensions among {list(DIMENSIONS)}")
        specs.append(spec)
    return specs


def _specs_for(indicator: Indicator, requested: list[Spec] | None) -> list[Spec]:
    if requested is None:
        return [(), *((key,) for key in indicator.breakdowns if key != "year")]
    return [(), *(spec for spec in requested if set(spec) <= set(indicator.breakdowns))]

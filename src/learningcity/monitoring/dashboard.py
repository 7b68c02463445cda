"""The coordinator's dashboard: indicators by UNESCO area and sub-area, and the index by district."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.utils.translation import gettext_lazy as _

from analytics.index import Choices, IndexConfig, Tree, sensitivity, uncertainty
from analytics.indicators import Framework, Indicator, compute_indicators, load_framework, suppress_small_counts
from learningcity.catalogue.models import City
from learningcity.monitoring.charts import gap_bar, trend_chart, trend_of
from learningcity.monitoring.city_framework import city_framework
from learningcity.monitoring.history import History, indicator_history
from learningcity.monitoring.indicator_tables import indicator_tables
from learningcity.monitoring.models import Source

MIN_DISTRICT_INDICATORS = 3
SEX_LABELS = {"F": _("women"), "M": _("men"), "none": _("sex not stated")}


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows for one city and year."""

    framework: Framework
    totals: pd.DataFrame  # one row per indicator: the city's value
    by_district: pd.DataFrame  # published (suppressed) district breakdowns
    index: pd.DataFrame | None  # per district: median rank, 5-95 % rank interval, score interval
    index_indicators: list[str]
    drivers: pd.DataFrame | None = None  # Sobol S1 and ST of each method choice on the ranking
    history: History | None = None  # (year, value) of each dated indicator over the past years


def city_cells(city: City, year: int, framework: Framework) -> pd.DataFrame:
    """Every indicator of the year for the city, in total and by district (before suppression)."""
    return compute_indicators(indicator_tables(city, year), framework, year, ["district"], area=city.slug)


def published_indicators(city: City, year: int) -> pd.DataFrame:
    """The open-data table: totals and district values with counts under 10 suppressed (value emptied).

    Only the city's active indicators are published (retired ones are not).
    """
    framework = city_framework(city)
    published = suppress_small_counts(city_cells(city, year, framework))
    published.loc[published["suppressed"].astype(bool), ["value", "numerator", "denominator", "count"]] = None
    return published[published["status"] != "no data"].reset_index(drop=True)


def city_dashboard(city: City, year: int, *, runs: int = 300) -> Dashboard:
    """Compute the city's indicators for the year, suppress small counts, build the index and the trends."""
    framework = city_framework(city)
    cells = city_cells(city, year, framework)
    totals = cells[cells["breakdown"] == "total"].drop_duplicates("indicator").set_index("indicator")
    districts = suppress_small_counts(cells[cells["breakdown"] == "district"].reset_index(drop=True))
    index, used, drivers = district_index(framework, cells[cells["breakdown"] == "district"], runs=runs)
    return Dashboard(
        framework=framework, totals=totals, by_district=districts, index=index, index_indicators=used, drivers=drivers,
        history=indicator_history(city, framework, year),
    )  # fmt: skip


def district_index(
    framework: Framework, cells: pd.DataFrame, *, runs: int
) -> tuple[pd.DataFrame | None, list[str], pd.DataFrame | None]:
    """The Learning City Index of each district with Monte Carlo rank intervals (None with too little data)."""
    data = cells.pivot_table(index="district", columns="indicator", values="value", aggfunc="first")
    data = data.drop(index=["none"], errors="ignore").dropna(axis=1, thresh=max(2, int(0.66 * len(data))))
    # An indicator with almost no variation between districts cannot rank them (and breaks normalisation).
    data = data.loc[:, data.nunique() >= 3]
    if data.shape[1] < MIN_DISTRICT_INDICATORS or data.shape[0] < 3:
        return None, [], None
    indicators = [framework.indicator(code) for code in data.columns]
    meta = pd.DataFrame({
        "code": [i.code for i in indicators], "direction": [1 if i.direction == "higher" else -1 for i in indicators],
        "low": [i.goalposts[0] for i in indicators], "high": [i.goalposts[1] for i in indicators],
        "target": [i.target for i in indicators], "weight": 1.0,
    })  # fmt: skip
    sub_areas = {i.sub_area for i in indicators}
    parents: dict[str, Any] = {i.code: i.sub_area for i in indicators}
    parents.update({code: framework.sub_area(code).area for code in sub_areas})
    parents.update({framework.sub_area(code).area: "index" for code in sub_areas})
    tree = Tree.from_parents(parents)
    choices = Choices(normalisations=("minmax", "goalposts", "rank"), aggregations=("arithmetic", "geometric"))
    config = IndexConfig(weighting="equal")
    try:
        result = uncertainty(data, meta, tree, choices, n=runs, config=config, seed=0)
        drivers = sensitivity(data, meta, tree, choices, n=256, config=config, seed=1).indices
    except ValueError:  # too little usable data this year: the dashboard says the index is not available
        return None, [], None
    return result.summary.sort_values("median_rank"), list(data.columns), drivers


def dashboard_sections(board: Dashboard, language: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """Areas, their sub-areas and each indicator's value and district breakdown, ready for the template."""
    framework = board.framework
    sections = []
    for area in framework.areas:
        subs = []
        for sub in (sub for sub in framework.sub_areas if sub.area == area.code):
            rows = [indicator_row(board, indicator, language, names) for indicator in framework.indicators_of(sub.code)]
            subs.append({"sub": sub, "name": getattr(sub.name, language), "rows": rows})
        sections.append({"area": area, "name": getattr(area.name, language), "subs": subs})
    return sections


def indicator_row(board: Dashboard, indicator: Indicator, language: str, names: dict[str, str]) -> dict[str, Any]:
    """One indicator: its names, the city's value (None without data) and the published district values."""
    total: Any = board.totals.loc[indicator.code] if indicator.code in board.totals.index else None
    breakdown = board.by_district[board.by_district["indicator"] == indicator.code]
    value = None if total is None or total["status"] != "ok" else float(total["value"])
    return {
        "indicator": indicator, "name": getattr(indicator.name, language),
        "definition": getattr(indicator.definition, language),
        "unit": getattr(board.framework.units[indicator.unit].name, language),
        "source": Source(indicator.source).label,
        "value": value,
        "districts": [(names.get(str(row["district"]), str(row["district"])), row["value"], row["suppressed"])
                      for row in breakdown.to_dict("records")],
        **trend_and_gap(indicator, value, (board.history or {}).get(indicator.code, [])),
    }  # fmt: skip


def trend_and_gap(indicator: Indicator, value: float | None, points: list[tuple[int, float]]) -> dict[str, Any]:
    """The trend chart (two years or more of values) and the gap-to-target bar (a value this year)."""
    target = indicator.target if math.isfinite(indicator.target) else None
    low, high = indicator.goalposts
    return {
        "points": points,
        "trend": trend_chart(points, target=target) if len(points) >= 2 else None,
        "movement": trend_of(points, indicator.direction) if len(points) >= 2 else None,
        "gap": None if value is None else gap_bar(
            value=value, target=target, low=low, high=high, direction=indicator.direction
        ),
        "target": target, "lower_is_better": indicator.direction == "lower",
    }  # fmt: skip


def index_rows(board: Dashboard, names: dict[str, str]) -> list[dict[str, Any]]:
    """The index table: district name, median rank and intervals."""
    if board.index is None:
        return []
    rows = board.index.to_dict("index")
    return [
        {"district": names.get(str(code), str(code)), **{str(k): v for k, v in row.items()}}
        for code, row in rows.items()
    ]


def key_figure_rows(published: pd.DataFrame, language: str, framework: Framework | None = None) -> list[dict[str, Any]]:
    """The city-wide value of each indicator that has one (suppressed or missing values are left out)."""
    framework = framework or load_framework()
    totals = published[(published["breakdown"] == "total") & published["value"].notna()]
    values: dict[str, float] = {
        str(code): float(value) for code, value in zip(totals["indicator"], totals["value"], strict=True)
    }
    rows = []
    for indicator in framework.indicators:
        if indicator.code in values:
            rows.append({
                "indicator": indicator, "name": getattr(indicator.name, language),
                "value": values[indicator.code],
                "unit": getattr(framework.units[indicator.unit].name, language),
                "sub_area": getattr(framework.sub_area(indicator.sub_area).name, language),
            })  # fmt: skip
    return rows


def not_reached(city: City, year: int) -> list[dict[str, Any]]:
    """Residents taking part, by age band and sex and by district, least reached first (counts under 10 hidden)."""
    framework = load_framework()
    cells = compute_indicators(
        indicator_tables(city, year), framework, year, [("age_band", "sex"), "district"],
        area=city.slug, indicators=["participation-rate"],
    )  # fmt: skip
    cells = suppress_small_counts(cells[cells["breakdown"] != "total"].reset_index(drop=True))
    names: dict[str, str] = dict(city.districts.values_list("code", "name"))
    rows = []
    for record in cells.sort_values("value", na_position="last").to_dict("records"):
        if record["breakdown"] == "district":
            group = names.get(str(record["district"]), str(record["district"]))
        else:
            sex = SEX_LABELS.get(str(record["sex"]), str(record["sex"]))
            group = f"{record['age_band']} · {sex}"
        hidden = bool(record["suppressed"])
        rows.append({"group": group, "kind": record["breakdown"], "value": None if hidden else record["value"],
                     "people": None if hidden else record["numerator"], "hidden": hidden})  # fmt: skip
    return rows

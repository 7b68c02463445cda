"""A city's own version of the framework: the packaged areas and units, with the indicators the city tracks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal, cast

from analytics.indicators import Framework, Indicator, Text, load_framework
from learningcity.catalogue.models import City
from learningcity.monitoring.models import CityIndicator

# Methods whose inputs are dated, so that a value can be computed for a past year (the catalogue's
# offers are read as they are today, so offer-based indicators have no history yet).
DATED_METHODS = frozenset({
    "residents_reached", "waitlist_pressure", "attendance_rate", "series_completion", "records_per_inhabitants",
    "record_mean", "record_share", "festival_events", "festival_reach", "statistic",
})  # fmt: skip


def city_framework(city: City) -> Framework:
    """The packaged framework with the city's active indicators (all the defaults when it tracks none yet).

    Retired indicators are left out: they keep their history but no longer appear anywhere published.
    """
    framework = load_framework()
    rows = list(CityIndicator.objects.filter(city=city))
    if not rows:
        return framework
    active = tuple(as_indicator(row, framework) for row in rows if not row.retired)
    order = {indicator.code: position for position, indicator in enumerate(framework.indicators)}
    ordered = sorted(active, key=lambda indicator: (order.get(indicator.code, len(order)), indicator.code))
    return replace(framework, indicators=tuple(ordered))


def as_indicator(row: CityIndicator, framework: Framework) -> Indicator:
    """A city's indicator row as the analytics package's `Indicator`."""
    default = next((item for item in framework.indicators if item.code == row.code), None)
    parameters: dict[str, Any] = dict(row.parameters or {})
    if not parameters and default is not None and default.method == row.method:
        parameters = dict(default.parameters)
    return Indicator(
        code=row.code,
        sub_area=row.sub_area,
        name=Text(fr=row.name_fr, en=row.name_en),
        definition=Text(fr=row.definition_fr, en=row.definition_en),
        unit=row.unit,
        direction=cast(Literal["higher", "lower"], row.direction),
        source=cast(Literal["platform", "statistic", "survey"], row.source),
        breakdowns=tuple(row.breakdowns or ()),
        target=float("nan") if row.target is None else float(row.target),
        goalposts=(row.goalpost_low, row.goalpost_high),
        personal=default.personal if default is not None else False,
        method=row.method or "statistic",
        parameters=parameters,
    )


def computations() -> list[Indicator]:
    """The packaged platform indicators, whose computation a new platform indicator can reuse."""
    return [indicator for indicator in load_framework().indicators if indicator.source == "platform"]

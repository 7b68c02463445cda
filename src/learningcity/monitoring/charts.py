"""Geometry of the small server-rendered charts: an indicator's trend over years, and its gap to target.

Pure functions (no Django): values in, pixel coordinates out; the templates only draw them.

>>> chart = trend_chart([(2024, 10.0), (2025, 20.0)], target=None)
>>> [(dot.x, dot.y) for dot in chart.dots]
[(36.0, 75.8), (232.0, 14.2)]
>>> bar = gap_bar(value=15.0, target=20.0, low=0.0, high=40.0, direction="higher")
>>> bar.value_width, bar.target_x, bar.gap, bar.met
(75.0, 100.0, -5.0, False)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TREND_WIDTH, TREND_HEIGHT = 240, 90
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 36, 8, 8, 8
BAR_WIDTH = 200


@dataclass(frozen=True)
class Dot:
    """One year's value on the trend line."""

    x: float
    y: float
    year: int
    value: float


@dataclass(frozen=True)
class TrendChart:
    """A line of values over years, with the target as a dashed line when it falls in view."""

    width: int
    height: int
    dots: list[Dot]
    line: str  # SVG polyline points
    target_y: float | None
    axis_low: float  # the values at the bottom and top of the plot
    axis_high: float
    bottom: float  # y of the plot's bottom edge


def value_range(values: Sequence[float]) -> tuple[float, float]:
    """The span the axis shows: the values' range, widened by 10 % (or by 1 when they are all equal).

    >>> value_range([5.0, 5.0])
    (4.0, 6.0)
    >>> value_range([0.0, 10.0])
    (-1.0, 11.0)
    """
    low, high = min(values), max(values)
    margin = (high - low) * 0.1 if high > low else max(abs(high) * 0.1, 1.0)
    return low - margin, high + margin


def trend_chart(points: Sequence[tuple[int, float]], *, target: float | None) -> TrendChart:
    """Dots and a line for (year, value) points (at least one), years spaced by their distance in time."""
    points = sorted(points)
    shown_target = target if target is not None and math.isfinite(target) else None
    low, high = value_range([value for _, value in points] + ([shown_target] if shown_target is not None else []))
    first, last = points[0][0], points[-1][0]
    plot_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM

    def x(year: int) -> float:
        return round(TREND_LEFT + (plot_width * (year - first) / (last - first) if last > first else plot_width / 2), 1)

    def y(value: float) -> float:
        return round(TREND_TOP + plot_height * (high - value) / (high - low), 1)

    dots = [Dot(x=x(year), y=y(value), year=year, value=value) for year, value in points]
    return TrendChart(
        width=TREND_WIDTH, height=TREND_HEIGHT, dots=dots, line=" ".join(f"{dot.x},{dot.y}" for dot in dots),
        target_y=None if shown_target is None else y(shown_target), axis_low=low, axis_high=high,
        bottom=TREND_HEIGHT - TREND_BOTTOM,
    )  # fmt: skip


@dataclass(frozen=True)
class Trend:
    """How the value moved from the first year shown to the last, and whether that is progress."""

    first_year: int
    last_year: int
    change: float
    improving: bool | None  # None when unchanged

    @property
    def size(self) -> float:
        """How much it moved, without the sign."""
        return abs(self.change)


def trend_of(points: Sequence[tuple[int, float]], direction: str) -> Trend:
    """The change from the first to the last point; for a lower-is-better indicator, a fall is progress.

    >>> trend_of([(2023, 8.0), (2025, 5.0)], "lower")
    Trend(first_year=2023, last_year=2025, change=-3.0, improving=True)
    """
    points = sorted(points)
    change = points[-1][1] - points[0][1]
    improving = None if change == 0 else (change > 0) == (direction == "higher")
    return Trend(first_year=points[0][0], last_year=points[-1][0], change=change, improving=improving)


@dataclass(frozen=True)
class GapBar:
    """The value as a bar on the goalposts' scale, the target as a marker, and the gap between them."""

    width: int
    value_width: float
    target_x: float | None
    gap: float | None  # value minus target
    met: bool | None  # the target is reached (None without a target)
    scale_low: float
    scale_high: float

    @property
    def distance(self) -> float | None:
        """How far the value is from the target, without the sign."""
        return None if self.gap is None else abs(self.gap)


def gap_bar(*, value: float, target: float | None, low: float, high: float, direction: str) -> GapBar:
    """A bar from the scale's start to the value, on a scale from the goalposts widened to the value and target."""
    has_target = target is not None and math.isfinite(target)
    ends = [low, high, value] + ([target] if has_target and target is not None else [])
    start, end = min(0.0, *ends) if low >= 0 else min(ends), max(ends)
    span = (end - start) or 1.0

    def x(number: float) -> float:
        return round(BAR_WIDTH * (number - start) / span, 1)

    if not has_target or target is None:
        return GapBar(BAR_WIDTH, x(value), None, None, None, start, end)
    gap = value - target
    met = gap >= 0 if direction == "higher" else gap <= 0
    return GapBar(BAR_WIDTH, x(value), x(target), gap, met, start, end)

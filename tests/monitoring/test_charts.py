"""The geometry of the trend and gap-to-target charts, computed by hand."""

from __future__ import annotations

import pytest

from learningcity.monitoring.charts import gap_bar, trend_chart, trend_of, value_range


def test_it_spaces_years_by_time_and_puts_higher_values_higher() -> None:
    chart = trend_chart([(2025, 30.0), (2021, 10.0), (2022, 20.0)], target=None)
    assert [dot.year for dot in chart.dots] == [2021, 2022, 2025], "sorted by year"
    xs = [dot.x for dot in chart.dots]
    assert (xs[0], xs[-1]) == (36, 232), "first and last years at the plot's edges"
    assert xs[1] == pytest.approx(36 + 196 / 4, abs=0.1), "2022 is a quarter of the way from 2021 to 2025"
    ys = [dot.y for dot in chart.dots]
    assert ys[0] > ys[1] > ys[2], "larger values are drawn higher (smaller y)"
    assert chart.line == " ".join(f"{dot.x},{dot.y}" for dot in chart.dots)
    assert all(8 <= y <= chart.bottom for y in ys)


def test_it_keeps_the_target_in_view() -> None:
    chart = trend_chart([(2024, 10.0), (2025, 12.0)], target=30.0)
    assert chart.target_y is not None
    assert chart.target_y < min(dot.y for dot in chart.dots), "a higher target is drawn above the values"
    assert chart.axis_high >= 30.0
    assert trend_chart([(2024, 10.0), (2025, 12.0)], target=float("nan")).target_y is None


def test_it_draws_flat_and_single_year_series() -> None:
    assert value_range([5.0, 5.0]) == (4.0, 6.0)
    flat = trend_chart([(2024, 5.0), (2025, 5.0)], target=None)
    assert flat.dots[0].y == flat.dots[1].y == pytest.approx(45.0)
    single = trend_chart([(2025, 5.0)], target=None)
    assert single.dots[0].x == pytest.approx(134.0), "one year sits in the middle"


@pytest.mark.parametrize(
    ("points", "direction", "improving"),
    [
        ([(2023, 10.0), (2025, 14.0)], "higher", True),
        ([(2023, 10.0), (2025, 14.0)], "lower", False),
        ([(2023, 0.3), (2025, 0.1)], "lower", True),
        ([(2023, 4.0), (2025, 4.0)], "higher", None),
    ],
)
def test_it_says_whether_a_trend_is_progress_in_the_indicators_direction(
    points: list[tuple[int, float]], direction: str, improving: bool | None
) -> None:
    trend = trend_of(points, direction)
    assert trend.improving is improving
    assert trend.size == pytest.approx(abs(points[-1][1] - points[0][1]))


def test_it_draws_the_gap_on_the_goalposts_scale() -> None:
    bar = gap_bar(value=15.0, target=20.0, low=0.0, high=40.0, direction="higher")
    assert (bar.value_width, bar.target_x) == (75.0, 100.0)
    assert (bar.gap, bar.distance, bar.met) == (-5.0, 5.0, False)
    reached = gap_bar(value=25.0, target=20.0, low=0.0, high=40.0, direction="higher")
    assert reached.met is True


def test_it_reads_a_lower_is_better_gap_the_other_way() -> None:
    above = gap_bar(value=0.2, target=0.05, low=0.0, high=0.3, direction="lower")
    assert above.met is False
    assert above.gap == pytest.approx(0.15)
    assert above.target_x == pytest.approx(200 * 0.05 / 0.3, abs=0.1)
    below = gap_bar(value=0.02, target=0.05, low=0.0, high=0.3, direction="lower")
    assert below.met is True


def test_it_widens_the_scale_to_a_value_beyond_the_goalposts() -> None:
    bar = gap_bar(value=80.0, target=20.0, low=0.0, high=40.0, direction="higher")
    assert bar.value_width == 200.0
    assert bar.scale_high == 80.0
    assert bar.target_x == 50.0
    negative = gap_bar(value=-10.0, target=5.0, low=-20.0, high=20.0, direction="higher")
    assert negative.scale_low == -20.0
    assert negative.value_width == pytest.approx(50.0)
    no_target = gap_bar(value=10.0, target=None, low=0.0, high=40.0, direction="higher")
    assert no_target.target_x is None
    assert no_target.met is None

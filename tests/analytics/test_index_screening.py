"""Data-availability screening and imputation on crafted tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.index import impute, screen

NAN = np.nan


def five_districts() -> pd.DataFrame:
    """`rare` is reported by 2 of 5 districts; `east` reports 1 of the 3 others; `flat` never varies."""
    return pd.DataFrame(
        {
            "libraries": [1.0, 2.0, 3.0, 4.0, 5.0],
            "courses": [10.0, NAN, NAN, 40.0, 50.0],
            "rare": [NAN, 1.0, NAN, NAN, 2.0],
            "flat": [7.0, 7.0, NAN, 7.0, 7.0],
        },
        index=["north", "south", "east", "west", "centre"],
    )


def test_it_drops_sparse_indicators_then_sparse_units_then_constant_indicators_and_says_why() -> None:
    # rare: 2/5 = 40 % < 50 % (courses: 3/5 is enough). Of libraries, courses and flat, east reports
    # libraries only: 1/3 < 66 %; south reports 2/3 and stays. flat then takes one value, 7, among those kept.
    kept, dropped = screen(five_districts(), min_indicator_coverage=0.5, min_unit_coverage=0.66)

    assert kept.columns.tolist() == ["libraries", "courses"]
    assert kept.index.tolist() == ["north", "south", "west", "centre"]
    assert dropped[["kind", "code"]].values.tolist() == [["indicator", "rare"], ["unit", "east"], ["indicator", "flat"]]
    assert dropped["coverage"].tolist() == [0.4, 0.3333, 1.0]
    assert "fewer than 50% of units" in dropped["reason"][0]
    assert dropped["reason"][2] == "no variation between the units kept"


def test_it_keeps_a_constant_indicator_when_asked() -> None:
    kept, _ = screen(five_districts(), min_indicator_coverage=0.5, min_unit_coverage=0.66, drop_constant=False)

    assert "flat" in kept.columns


def test_it_refuses_to_screen_everything_out() -> None:
    with pytest.raises(ValueError, match="screening left no data"):
        screen(five_districts().drop(columns="libraries"), min_indicator_coverage=1.0, min_unit_coverage=1.0)


def test_it_refuses_a_threshold_outside_0_and_1() -> None:
    with pytest.raises(ValueError, match="min_unit_coverage must lie between 0 and 1"):
        screen(five_districts(), min_indicator_coverage=0.5, min_unit_coverage=66)


def gaps() -> pd.DataFrame:
    return pd.DataFrame(
        {"courses": [1.0, NAN, 3.0, 8.0, NAN], "visits": [4.0, 4.0, NAN, 10.0, 2.0]},
        index=["north", "south", "east", "west", "centre"],
    )


def test_it_imputes_the_mean_and_records_every_cell() -> None:
    # courses: (1 + 3 + 8) / 3 = 4; visits: (4 + 4 + 10 + 2) / 4 = 5.
    filled, record = impute(gaps(), "mean")

    assert_allclose(filled["courses"], [1, 4, 3, 8, 4])
    assert_allclose(filled["visits"], [4, 4, 5, 10, 2])
    assert record.values.tolist() == [
        ["south", "courses", 4.0, "mean"],
        ["east", "visits", 5.0, "mean"],
        ["centre", "courses", 4.0, "mean"],
    ]


def test_it_imputes_the_median() -> None:
    # courses: median of 1, 3, 8 = 3; visits: median of 2, 4, 4, 10 = 4.
    filled, _ = impute(gaps(), "median")

    assert_allclose(filled["courses"], [1, 3, 3, 8, 3])
    assert_allclose(filled["visits"], [4, 4, 4, 10, 2])


def test_it_imputes_the_group_mean_and_falls_back_to_the_overall_mean_for_an_empty_group() -> None:
    # Borough X = north, south, east, west: courses (1 + 3 + 8) / 3 = 4 for south, visits (4 + 4 + 10) / 3 = 6
    # for east. Borough Y = centre alone, which lacks courses: the overall mean, (1 + 3 + 8) / 3 = 4.
    boroughs = pd.Series(["X", "X", "X", "X", "Y"], index=gaps().index)

    filled, record = impute(gaps(), "group_mean", groups=boroughs)

    assert_allclose(filled["courses"], [1, 4, 3, 8, 4])
    assert_allclose(filled["visits"], [4, 4, 6, 10, 2])
    assert record["method"].tolist() == ["group_mean", "group_mean", "mean (no value in the group)"]


def test_it_leaves_gaps_when_told_not_to_impute() -> None:
    filled, record = impute(gaps(), "none")

    assert filled.isna().sum().sum() == 3
    assert record.empty


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (None, "group_mean imputation needs groups"),
        (pd.Series(["X"], index=["north"]), r"no group for the unit\(s\) \[.*'south'"),
    ],
)
def test_it_refuses_group_mean_without_a_group_for_every_unit(groups: pd.Series | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        impute(gaps(), "group_mean", groups=groups)

"""Every normalisation on four districts, with the expected values worked out by hand in the comments."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.index import distance_to_target, goalposts, min_max, normalise, rank, z_score
from analytics.index.indicators import indicator_meta

UNITS = ["north", "south", "east", "west"]


def courses_and_dropout() -> pd.DataFrame:
    """Courses per 1,000 residents (more is better) and dropout rate in % (less is better)."""
    return pd.DataFrame({"courses": [2.0, 4.0, 6.0, 10.0], "dropout": [5.0, 3.0, 1.0, 1.0]}, index=UNITS)


def test_it_rescales_min_max_to_0_100_and_flips_a_negative_indicator() -> None:
    # courses: (x - 2) / 8; dropout: (5 - x) / 4.
    scores = min_max(courses_and_dropout(), [1, -1])

    assert_allclose(scores["courses"], [0, 25, 50, 100])
    assert_allclose(scores["dropout"], [0, 50, 100, 100])


def test_it_rescales_min_max_to_another_range() -> None:
    scores = min_max(courses_and_dropout(), [1, -1], scale=(1.0, 11.0))

    assert_allclose(scores["courses"], [1.0, 3.5, 6.0, 11.0])


def test_it_standardises_with_the_sample_standard_deviation() -> None:
    # courses: mean 5.5, deviations -3.5 -1.5 0.5 4.5, sum of squares 35, sd sqrt(35 / 3).
    # dropout flipped: -5 -3 -1 -1, mean -2.5, deviations -2.5 -0.5 1.5 1.5, sum of squares 11.
    scores = z_score(courses_and_dropout(), [1, -1])

    assert_allclose(scores["courses"], np.array([-3.5, -1.5, 0.5, 4.5]) / np.sqrt(35 / 3))
    assert_allclose(scores["dropout"], np.array([-2.5, -0.5, 1.5, 1.5]) / np.sqrt(11 / 3))


def test_it_places_units_between_goalposts_and_clips_beyond_them() -> None:
    # courses between 3 and 8: (x - 3) / 5 = -0.2 (clipped to 0), 0.2, 0.6, 1.4 (clipped to 1).
    # dropout between 1 (best) and 5 (worst): (5 - x) / 4 = 0, 0.5, 1, 1.
    scores = goalposts(courses_and_dropout(), [1, -1], low=[3.0, 1.0], high=[8.0, 5.0])

    assert_allclose(scores["courses"], [0, 20, 60, 100])
    assert_allclose(scores["dropout"], [0, 50, 100, 100])


def test_it_ranks_units_with_ties_sharing_the_average_rank() -> None:
    scores = rank(courses_and_dropout(), [1, -1])

    assert_allclose(scores["courses"], [1, 2, 3, 4])
    assert_allclose(scores["dropout"], [1, 2, 3.5, 3.5])


def test_it_measures_progress_from_the_worst_unit_to_the_target_capped_at_the_target() -> None:
    # courses, target 6: (x - 2) / (6 - 2) = 0, 0.5, 1, 2 (capped at 1).
    # dropout, target 2: (5 - x) / (5 - 2) = 0, 2/3, 4/3 (capped), 4/3 (capped).
    scores = distance_to_target(courses_and_dropout(), [1, -1], target=[6.0, 2.0])

    assert_allclose(scores["courses"], [0, 50, 100, 100])
    assert_allclose(scores["dropout"], [0, 200 / 3, 100, 100])


def test_it_gives_everyone_full_marks_when_every_unit_has_reached_the_target() -> None:
    scores = distance_to_target(courses_and_dropout(), [1, -1], target=[1.0, 6.0])

    assert_allclose(scores.to_numpy(), 100.0)


def test_it_keeps_missing_values_missing() -> None:
    data = courses_and_dropout()
    data.loc["east", "courses"] = np.nan

    for scores in (min_max(data, [1, -1]), z_score(data, [1, -1]), rank(data, [1, -1])):
        assert np.isnan(scores["courses"]["east"])
        assert scores["courses"].notna().sum() == 3


def test_it_normalises_from_the_metadata_table() -> None:
    meta = pd.DataFrame(
        {"code": ["courses", "dropout"], "direction": [1, -1], "low": [3, 1], "high": [8, 5], "target": [6, 2]}
    )
    indicators = indicator_meta(meta, ["courses", "dropout"])

    scores = normalise(courses_and_dropout(), "goalposts", indicators)

    assert_allclose(scores["courses"], [0, 20, 60, 100])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: min_max(d.assign(courses=3.0), [1, -1]), r"spread.*\['courses'\]"),
        (lambda d: z_score(d.assign(dropout=1.0), [1, -1]), r"spread.*\['dropout'\]"),
        (lambda d: min_max(d, [1, 0]), "directions must hold"),
        (lambda d: goalposts(d, [1, -1], low=[3.0, 5.0], high=[8.0, 1.0]), "high goalpost must be above"),
        (lambda d: goalposts(d, [1, -1], low=[3.0, np.nan], high=[8.0, 5.0]), r"low goalpost is missing.*dropout"),
        (lambda d: distance_to_target(d, [1, -1], target=[6.0]), "one target per indicator"),
    ],
)
def test_it_refuses_what_it_cannot_normalise(call: Callable[[pd.DataFrame], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(courses_and_dropout())

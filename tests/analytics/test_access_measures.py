"""Accessibility measures on toy cities small enough to compute by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import sparse

from analytics.access import (
    LUO_QI_2009_BANDS_MINUTES,
    Convention,
    Decay,
    ExponentialDecay,
    GaussianDecay,
    PowerDecay,
    StepDecay,
    costs_from_dense,
    costs_from_table,
    enhanced_two_step_fca,
    euclidean_costs,
    gravity,
    hansen_potential,
    measures,
    nearest_cost,
    reached_destinations,
    two_step_fca,
)

INF = np.inf


def one_venue_two_areas() -> sparse.csr_matrix:
    """A library 200 m from area A (100 residents) and 500 m from area B (200 residents)."""
    return costs_from_dense([[200.0], [500.0]])


def test_it_shares_one_venue_between_the_two_areas_that_reach_it() -> None:
    # R = 30 seats / (100 + 200) residents = 0.1, and both areas reach only that library.
    scores = two_step_fca([100, 200], [30], one_venue_two_areas(), max_cost=800)

    assert_allclose(scores, [0.1, 0.1], rtol=1e-15)


def test_it_gives_the_whole_venue_to_the_only_area_within_max_cost() -> None:
    # Within 300 m only area A (100 residents) reaches the 30 seats: R = 0.3; B reaches nothing.
    scores = two_step_fca([100, 200], [30], one_venue_two_areas(), max_cost=300)

    assert_allclose(scores, [0.3, 0.0], rtol=1e-15)


def test_it_counts_a_venue_exactly_at_max_cost() -> None:
    scores = two_step_fca([100, 200], [30], one_venue_two_areas(), max_cost=500)

    assert_allclose(scores, [0.1, 0.1], rtol=1e-15)


def test_it_scores_an_area_with_nothing_in_reach_zero_and_its_nearest_venue_inf() -> None:
    costs = costs_from_dense([[200.0], [INF]])

    assert two_step_fca([100, 50], [30], costs, max_cost=800).tolist() == [0.3, 0.0]
    assert nearest_cost(costs).tolist() == [200.0, INF]
    assert reached_destinations(costs).tolist() == [1, 0]


def test_it_scores_an_unreached_area_nan_in_the_pysal_convention() -> None:
    scores = two_step_fca([100, 50], [30], costs_from_dense([[200.0], [INF]]), max_cost=800, convention="pysal")

    assert scores[0] == 0.3
    assert np.isnan(scores[1])


def test_it_counts_a_venue_at_zero_distance() -> None:
    # The library sits on area A's centroid: a stored 0, not a missing pair.
    costs = costs_from_dense([[0.0, 600.0], [INF, 300.0]])

    assert_allclose(two_step_fca([100, 100], [10, 20], costs, max_cost=800), [0.1 + 0.1, 0.1], rtol=1e-15)
    assert nearest_cost(costs).tolist() == [0.0, 300.0]
    # Gravity weighs the zero-distance pair at the floor, 1/50: venue 0 has 100/50 = 2 residents-equivalent,
    # R0 = 5; venue 1 has 100/600 + 100/300 = 0.5, R1 = 40. Area A: 5/50 + 40/600; area B: 40/300.
    gravity_scores = gravity([100, 100], [10, 20], costs, PowerDecay(1, min_cost=50))
    assert_allclose(gravity_scores, [0.1 + 1 / 15, 2 / 15], rtol=1e-14)


def test_it_weights_both_steps_by_band_in_e2sfca() -> None:
    # One venue with 190 seats; four areas of 100 residents at 5, 15, 25 and 35 minutes.
    # Catchment: 100·1 + 100·0.68 + 100·0.22 = 190, so R = 1; each area gets R times its band weight.
    costs = costs_from_dense([[5.0], [15.0], [25.0], [35.0]])

    scores = enhanced_two_step_fca([100, 100, 100, 100], [190], costs, LUO_QI_2009_BANDS_MINUTES)

    assert_allclose(scores, [1.0, 0.68, 0.22, 0.0], rtol=1e-15)


def test_it_puts_a_cost_on_a_band_edge_in_the_nearer_band() -> None:
    # 10 minutes exactly is in the first band (cost <= 10), 20 in the second, 30 in the third.
    costs = costs_from_dense([[10.0], [20.0], [30.0]])

    scores = enhanced_two_step_fca([50, 50, 100], [50 + 34 + 22], costs, LUO_QI_2009_BANDS_MINUTES)

    assert_allclose(scores, [1.0, 0.68, 0.22], rtol=1e-15)


def test_it_reads_e2sfca_costs_from_a_travel_time_table() -> None:
    table = pd.DataFrame({"origin": ["a", "b"], "destination": ["lib", "lib"], "cost": [8, 18]})
    costs = costs_from_table(table, ["a", "b"], ["lib"], max_cost=30)

    # Catchment 100·1 + 100·0.68 = 168 residents-equivalent for 168 seats.
    scores = enhanced_two_step_fca([100, 100], [168], costs, LUO_QI_2009_BANDS_MINUTES)

    assert_allclose(scores, [1.0, 0.68], rtol=1e-15)


def test_it_decays_gravity_with_distance_and_competition() -> None:
    # Weights (power 1, floor 100 m): area 0 is 100 m from venue 0 (w 0.01) and 200 m from venue 1 (w 0.005);
    # area 1 is 400 m from venue 1 (w 0.0025). Venue 0's demand: 100·0.01 = 1 → 10 seats / 1 = 10.
    # Venue 1's demand: 100·0.005 + 300·0.0025 = 1.25 → 10 / 1.25 = 8.
    # Area 0: 0.01·10 + 0.005·8 = 0.14; area 1: 0.0025·8 = 0.02.
    costs = costs_from_dense([[100.0, 200.0], [INF, 400.0]])

    scores = gravity([100, 300], [10, 10], costs, PowerDecay(exponent=1, min_cost=100))

    assert_allclose(scores, [0.14, 0.02], rtol=1e-14)


def test_it_conserves_supply_in_the_demand_adjusted_models() -> None:
    # Every seat within someone's reach is shared out: sum of residents x score = total supply reached.
    costs = costs_from_dense([[100.0, 200.0, INF], [INF, 400.0, INF], [50.0, INF, INF]])
    residents, seats = np.array([100.0, 300.0, 50.0]), np.array([10.0, 10.0, 99.0])

    for scores in (
        two_step_fca(residents, seats, costs, max_cost=1000),
        gravity(residents, seats, costs, GaussianDecay(sigma=300)),
        enhanced_two_step_fca(residents, seats, costs, [(150, 1.0), (500, 0.5)]),
    ):
        assert_allclose(residents @ scores, 20.0, rtol=1e-14)


def test_it_sums_supply_without_competition_in_the_hansen_potential() -> None:
    costs = costs_from_dense([[0.0, 400.0], [INF, 400.0]])

    assert hansen_potential([10, 20], costs).tolist() == [30.0, 20.0]
    assert_allclose(hansen_potential([10, 20], costs, GaussianDecay(400)), [10 + 20 * np.exp(-0.5), 20 * np.exp(-0.5)])
    assert hansen_potential([10, 20], costs, max_cost=100).tolist() == [10.0, 0.0]


def test_it_scores_zero_instead_of_nan_when_nobody_lives_within_reach() -> None:
    # Venue 1 is reachable only from an empty area: its ratio is 0, not 5/0.
    costs = costs_from_dense([[100.0, INF], [INF, 100.0]])

    scores = two_step_fca([100, 0], [10, 5], costs, max_cost=800)

    assert scores.tolist() == [0.1, 0.0]


def test_it_reproduces_pysal_division_by_an_empty_catchment() -> None:
    costs = costs_from_dense([[100.0, INF], [INF, 100.0], [INF, 100.0]])

    scores = two_step_fca([100, 0, 0], [10, 5], costs, max_cost=800, convention="pysal")

    assert scores.tolist() == [0.1, INF, INF]


def test_it_scores_zero_everywhere_without_supply() -> None:
    scores = two_step_fca([100, 200], [0], one_venue_two_areas(), max_cost=800, normalize=True)

    assert scores.tolist() == [0.0, 0.0]


def test_it_normalizes_by_the_population_weighted_mean() -> None:
    costs = costs_from_dense([[100.0, INF], [INF, 100.0], [INF, INF]])
    residents = np.array([100.0, 300.0, 100.0])

    scores = two_step_fca(residents, [10, 60], costs, max_cost=800, normalize=True)

    # Raw scores 0.1, 0.2, 0; weighted mean (10 + 60 + 0) / 500 = 0.14.
    assert_allclose(scores, [0.1 / 0.14, 0.2 / 0.14, 0.0], rtol=1e-14)
    assert_allclose(residents @ scores / residents.sum(), 1.0, rtol=1e-14)


def test_it_finds_the_nearest_venue_of_a_kind() -> None:
    costs = costs_from_dense([[0.0, 300.0, 700.0], [INF, 500.0, 100.0], [INF, INF, INF]])

    assert nearest_cost(costs, mask=[False, True, True]).tolist() == [300.0, 100.0, INF]
    assert nearest_cost(costs, mask=[False, False, False]).tolist() == [INF, INF, INF]


@pytest.mark.parametrize(
    ("decay", "costs", "expected"),
    [
        (StepDecay(((10, 1.0), (20, 0.5))), [0.0, 10.0, 10.1, 20.0, 20.1], [1.0, 1.0, 0.5, 0.5, 0.0]),
        (PowerDecay(exponent=2, min_cost=100, scale=100), [0.0, 100.0, 200.0], [1.0, 1.0, 0.25]),
        (GaussianDecay(sigma=10), [0.0, 10.0, 20.0], [1.0, np.exp(-0.5), np.exp(-2.0)]),
        (ExponentialDecay(rate=np.log(2) / 100), [0.0, 100.0, 200.0], [1.0, 0.5, 0.25]),
    ],
)
def test_it_weighs_costs_with_each_decay(decay: Decay, costs: list[float], expected: list[float]) -> None:
    assert_allclose(decay(np.array(costs)), expected, rtol=1e-14)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: StepDecay(()), "at least one"),
        (lambda: StepDecay(((20, 1.0), (10, 0.5))), "increase strictly"),
        (lambda: StepDecay(((10, -1.0),)), "non-negative"),
        (lambda: PowerDecay(exponent=1, min_cost=0), "min_cost must be positive"),
        (lambda: GaussianDecay(sigma=0), "sigma"),
    ],
)
def test_it_refuses_a_meaningless_decay(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("demand", "supply", "message"),
    [
        ([100], [30], r"demand has 1 values but the cost matrix expects 2"),
        ([100, 200], [30, 40], r"supply has 2 values but the cost matrix expects 1"),
        ([100, -1], [30], "demand must not be negative"),
        ([100, np.nan], [30], "demand must be finite"),
        ([100, 200], [[30]], "supply must be one-dimensional"),
    ],
)
def test_it_explains_mismatched_inputs(demand: list[float], supply: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        two_step_fca(demand, supply, one_venue_two_areas(), max_cost=800)


def test_it_refuses_an_unknown_convention() -> None:
    with pytest.raises(ValueError, match="convention"):
        two_step_fca([100, 200], [30], one_venue_two_areas(), max_cost=800, convention="other")  # type: ignore[arg-type]


def test_it_refuses_a_decay_that_returns_negative_weights() -> None:
    with pytest.raises(ValueError, match="non-negative weights"):
        gravity([100, 200], [30], one_venue_two_areas(), lambda costs: -costs)


@pytest.mark.parametrize("convention", ["standard", "pysal"])
def test_it_gives_the_same_scores_whatever_the_block_size(
    convention: Convention, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(8)
    origins, venues = rng.uniform(0, 3000, (120, 2)), rng.uniform(0, 3000, (30, 2))
    costs = euclidean_costs(origins, venues, 900)
    residents, seats = rng.integers(0, 500, 120), rng.integers(0, 50, 30)

    def all_measures() -> list[np.ndarray[Any, Any]]:
        return [
            two_step_fca(residents, seats, costs, 600, convention=convention, normalize=True),
            enhanced_two_step_fca(residents, seats, costs, [(300, 1.0), (900, 0.5)], convention=convention),
            gravity(residents, seats, costs, GaussianDecay(300), convention=convention),
            hansen_potential(seats, costs, max_cost=500, convention=convention),
        ]

    in_one_block = all_measures()
    monkeypatch.setattr(measures, "BLOCK_PAIRS", 7)
    in_small_blocks = all_measures()

    for one, small in zip(in_one_block, in_small_blocks, strict=True):
        assert_allclose(small, one, rtol=1e-13, atol=0)

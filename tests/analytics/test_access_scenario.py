"""What-if scenarios: adding or removing a venue gives what a full recomputation gives."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.access import (
    ALL_AGES,
    Scenario,
    desert_change,
    enhanced_two_step_fca,
    euclidean_costs,
    two_step_fca,
)

BANDS = [(300.0, 1.0), (600.0, 0.68), (800.0, 0.22)]


def paris_sized(seed: int = 1) -> Scenario:
    """965 areas and 3,000 venues over 10 km x 10 km, scored with E2SFCA up to 800 m."""
    rng = np.random.default_rng(seed)
    origins, venues = rng.uniform(0, 10_000, (965, 2)), rng.uniform(0, 10_000, (3000, 2))
    population = pd.DataFrame(
        {"0-14": rng.integers(0, 500, 965), "15-64": rng.integers(0, 2000, 965), "65+": rng.integers(0, 600, 965)}
    ).astype(float)
    return Scenario.from_points(
        origins_xy=origins,
        venues_xy=venues,
        demand=population.sum(axis=1),
        supply=rng.integers(1, 100, 3000),
        max_cost=800,
        measure=partial(enhanced_two_step_fca, bands=BANDS),
        population_by_band=population,
        threshold=0.02,
    )


def test_it_adds_a_venue_as_a_full_recomputation_would() -> None:
    city = paris_sized()

    added = city.with_venue((5000.0, 5000.0), capacity=400)

    rebuilt = enhanced_two_step_fca(city.demand, added.supply, added.costs, BANDS)
    assert added.costs.shape == (965, 3001)
    assert added.supply[-1] == 400
    assert_allclose(added.scores, rebuilt, rtol=0, atol=1e-12)


def test_it_matches_a_matrix_built_from_scratch_with_the_new_venue() -> None:
    rng = np.random.default_rng(2)
    origins, venues = rng.uniform(0, 3000, (80, 2)), rng.uniform(0, 3000, (12, 2))
    population = pd.DataFrame({"all": rng.integers(1, 1000, 80).astype(float)})
    measure = partial(two_step_fca, max_cost=800)
    city = Scenario.from_points(
        origins_xy=origins,
        venues_xy=venues[:-1],
        demand=population["all"],
        supply=np.ones(11),
        max_cost=800,
        measure=measure,
        population_by_band=population,
        threshold=1e-3,
    )

    added = city.with_venue(tuple(venues[-1]), capacity=1)

    from_scratch = two_step_fca(population["all"], np.ones(12), euclidean_costs(origins, venues, 800), 800)
    assert_allclose(added.scores, from_scratch, rtol=1e-12)


def test_it_removes_a_venue_as_a_full_recomputation_would() -> None:
    city = paris_sized()

    removed = city.without_venue(17)

    assert removed.costs.shape == (965, 2999)
    assert_allclose(removed.supply, np.delete(city.supply, 17))
    rebuilt = enhanced_two_step_fca(city.demand, removed.supply, removed.costs, BANDS)
    assert_allclose(removed.scores, rebuilt, rtol=0, atol=1e-12)


def test_it_leaves_the_original_scenario_unchanged() -> None:
    city = paris_sized()
    before = city.scores.copy()

    city.with_venue((100.0, 100.0), capacity=50).without_venue(0)

    assert city.costs.shape == (965, 3000)
    assert_allclose(city.scores, before, rtol=0, atol=0)


def test_it_reports_fewer_residents_in_deserts_after_opening_a_venue_where_none_was() -> None:
    # Two areas 5 km apart; one library near area 0 only. Area 1 (500 residents) is a desert until a venue opens.
    population = pd.DataFrame({"0-14": [200.0, 100.0], "15+": [800.0, 400.0]})
    city = Scenario.from_points(
        origins_xy=[[0.0, 0.0], [5000.0, 0.0]],
        venues_xy=[[100.0, 0.0]],
        demand=population.sum(axis=1),
        supply=[50],
        max_cost=800,
        measure=partial(two_step_fca, max_cost=800),
        population_by_band=population,
        threshold=0.01,
    )

    change = desert_change(city, city.with_venue((5000.0, 300.0), capacity=10))

    assert change["before"].tolist() == [100.0, 400.0, 500.0]
    assert change["after"].tolist() == [0.0, 0.0, 0.0]
    assert change.loc[ALL_AGES, "change"] == -500.0
    assert_allclose(change["share_before"], [1 / 3, 1 / 3, 1 / 3])


def test_it_reports_more_residents_in_deserts_after_closing_the_only_venue_in_reach() -> None:
    population = pd.DataFrame({"all": [1000.0, 500.0]})
    city = Scenario.from_points(
        origins_xy=[[0.0, 0.0], [5000.0, 0.0]],
        venues_xy=[[100.0, 0.0], [5000.0, 0.0]],
        demand=population["all"],
        supply=[50, 10],
        max_cost=800,
        measure=partial(two_step_fca, max_cost=800),
        population_by_band=population,
        threshold=0.01,
    )

    change = desert_change(city, city.without_venue(1))

    assert change.loc["all", "change"] == 500.0


def test_it_adds_a_venue_from_a_routed_column_of_travel_costs() -> None:
    population = pd.DataFrame({"all": [100.0, 300.0]})
    city = Scenario(
        demand=np.array([100.0, 300.0]),
        supply=np.empty(0),
        costs=euclidean_costs([[0.0, 0.0], [1.0, 0.0]], np.empty((0, 2)), 10),
        measure=partial(two_step_fca, max_cost=10),
        population_by_band=population,
        threshold=0.01,
    )

    added = city.with_venue_costs([4.0, np.inf], capacity=20)

    assert added.scores.tolist() == [0.2, 0.0]
    with pytest.raises(ValueError, match="needs origins_xy and max_cost"):
        city.with_venue((0.0, 0.0), capacity=1)


def test_it_refuses_a_population_table_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="population_by_band has 1 rows for 2 areas"):
        Scenario.from_points(
            origins_xy=[[0.0, 0.0], [1.0, 0.0]],
            venues_xy=[[0.0, 0.0]],
            demand=[1, 1],
            supply=[1],
            max_cost=10,
            measure=partial(two_step_fca, max_cost=10),
            population_by_band=pd.DataFrame({"all": [2.0]}),
            threshold=0.1,
        )

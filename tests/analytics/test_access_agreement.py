"""Our measures against PySAL `access` 1.1.10 on the same random city: equal within 1e-9.

`access` gets a dense cost table (every origin-destination pair, as it expects); we get the sparse
matrix of pairs within reach built from the same coordinates. `convention="pysal"` must match it
including its NaN (unreached area) and infinity (venue whose catchment has no residents); the
standard convention must match it wherever `access` gives a number, and be 0 where it gives NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.spatial.distance import cdist

from analytics.access import (
    LUO_QI_2009_BANDS_MINUTES,
    GaussianDecay,
    PowerDecay,
    costs_from_table,
    enhanced_two_step_fca,
    euclidean_costs,
    gravity,
    hansen_potential,
    two_step_fca,
)

access = pytest.importorskip("access")  # a dev dependency, only for these reference tests
weights = pytest.importorskip("access.weights")

N_ORIGINS, N_DESTINATIONS = 300, 60
TOLERANCE = 1e-9


@dataclass(frozen=True)
class SharedCity:
    """One seeded random city, as our inputs and as `access`'s data frames."""

    population: np.ndarray[Any, np.dtype[np.float64]]
    capacity: np.ndarray[Any, np.dtype[np.float64]]
    costs: sparse.csr_matrix
    cost_table: pd.DataFrame

    def reference(self) -> Any:
        """A fresh `access.Access` on the same data (it accumulates columns, so one per measure)."""
        return access.Access(
            demand_df=pd.DataFrame({"pop": self.population}, index=ids(len(self.population))),
            demand_index=True,
            demand_value="pop",
            supply_df=pd.DataFrame({"seats": self.capacity}, index=ids(len(self.capacity))),
            supply_index=True,
            supply_value="seats",
            cost_df=self.cost_table,
            cost_origin="origin",
            cost_dest="destination",
            cost_name="cost",
        )


def ids(count: int) -> pd.Index:
    return pd.Index(np.arange(count), name="geoid")


def random_city(seed: int, *, empty_areas: int = 0) -> SharedCity:
    """Areas and venues over 5 km x 5 km; straight-line costs in metres, reach up to 2 km."""
    rng = np.random.default_rng(seed)
    origins = rng.uniform(0, 5000, (N_ORIGINS, 2))
    destinations = rng.uniform(0, 5000, (N_DESTINATIONS, 2))
    destinations[:3] = origins[:3]  # some venues on an area centroid: zero-distance pairs
    population = rng.integers(1, 3000, N_ORIGINS).astype(np.float64)
    population[rng.choice(N_ORIGINS, empty_areas, replace=False)] = 0
    capacity = rng.integers(0, 200, N_DESTINATIONS).astype(np.float64)
    return SharedCity(
        population, capacity, euclidean_costs(origins, destinations, 2000), dense_table(origins, destinations)
    )


def dense_table(origins: np.ndarray[Any, Any], destinations: np.ndarray[Any, Any]) -> pd.DataFrame:
    distances = cdist(origins, destinations)
    return pd.DataFrame(
        {
            "origin": np.repeat(np.arange(len(origins)), len(destinations)),
            "destination": np.tile(np.arange(len(destinations)), len(origins)),
            "cost": distances.ravel(),
        }
    )


@pytest.fixture(scope="module")
def city() -> SharedCity:
    return random_city(seed=20260325)


def assert_agrees(ours: np.ndarray[Any, Any], theirs: pd.Series, *, relative: bool = False) -> None:
    """Equal within 1e-9 (absolute, or relative for large values), with NaN and inf in the same places."""
    expected = theirs.to_numpy(dtype=np.float64)
    assert_array_equal(np.isnan(ours), np.isnan(expected))
    assert_allclose(ours, expected, rtol=TOLERANCE if relative else 0, atol=0 if relative else TOLERANCE)


@pytest.mark.parametrize("max_cost", [300.0, 800.0, 1500.0])
def test_it_agrees_with_access_on_2sfca(city: SharedCity, max_cost: float) -> None:
    theirs = city.reference().two_stage_fca(name="fca", max_cost=max_cost)["fca_seats"]

    pysal = two_step_fca(city.population, city.capacity, city.costs, max_cost, convention="pysal")
    standard = two_step_fca(city.population, city.capacity, city.costs, max_cost)

    assert_agrees(pysal, theirs)
    assert_agrees(standard, theirs.fillna(0.0))


def test_it_leaves_some_areas_unreached_at_300_metres(city: SharedCity) -> None:
    theirs = city.reference().two_stage_fca(name="fca", max_cost=300.0)["fca_seats"]

    assert theirs.isna().sum() > 10  # so that the NaN convention above is really exercised


@pytest.mark.parametrize("max_cost", [300.0, 800.0])
def test_it_agrees_with_access_on_normalized_2sfca(city: SharedCity, max_cost: float) -> None:
    theirs = city.reference().two_stage_fca(name="fca", max_cost=max_cost, normalize=True)["fca_seats"]

    ours = two_step_fca(city.population, city.capacity, city.costs, max_cost, normalize=True, convention="pysal")

    assert_agrees(ours, theirs, relative=True)


def test_it_agrees_with_access_on_e2sfca_in_metres(city: SharedCity) -> None:
    bands = {400.0: 1.0, 800.0: 0.68, 1200.0: 0.22}
    theirs = city.reference().enhanced_two_stage_fca(name="e", max_cost=1200.0, weight_fn=weights.step_fn(bands))

    ours = enhanced_two_step_fca(city.population, city.capacity, city.costs, list(bands.items()), convention="pysal")

    assert_agrees(ours, theirs["e_seats"])


def test_it_agrees_with_access_on_e2sfca_with_its_default_bands_on_whole_minutes() -> None:
    # Whole minutes put many pairs exactly on a band edge (10, 20, 30): both must use cost <= upper.
    rng = np.random.default_rng(11)
    minutes = rng.integers(0, 45, (N_ORIGINS, N_DESTINATIONS))
    table = dense_table(np.zeros((N_ORIGINS, 2)), np.zeros((N_DESTINATIONS, 2))).assign(cost=minutes.ravel())
    base = random_city(seed=11)
    city = SharedCity(
        base.population, base.capacity, costs_from_table(table, range(N_ORIGINS), range(N_DESTINATIONS), 30), table
    )
    theirs = city.reference().enhanced_two_stage_fca(name="e", max_cost=30)["e_seats"]  # default weights

    bands = LUO_QI_2009_BANDS_MINUTES
    pysal = enhanced_two_step_fca(city.population, city.capacity, city.costs, bands, convention="pysal")
    standard = enhanced_two_step_fca(city.population, city.capacity, city.costs, bands)

    assert (minutes == 20).sum() > 100
    assert_agrees(pysal, theirs)
    assert_agrees(standard, theirs.fillna(0.0))


def test_it_agrees_with_access_on_the_gravity_model_with_a_power_decay(city: SharedCity) -> None:
    decay = weights.gravity(scale=100, alpha=-1.5, min_dist=50)
    theirs = city.reference().two_stage_fca(name="g", max_cost=2000.0, weight_fn=decay)["g_seats"]

    ours = gravity(
        city.population, city.capacity, city.costs, PowerDecay(exponent=1.5, min_cost=50, scale=100), max_cost=2000.0
    )

    assert_agrees(ours, theirs, relative=True)


def test_it_agrees_with_access_on_the_gravity_model_with_a_gaussian_decay(city: SharedCity) -> None:
    theirs = city.reference().two_stage_fca(name="g", max_cost=1500.0, weight_fn=weights.gaussian(400))["g_seats"]

    ours = gravity(city.population, city.capacity, city.costs, GaussianDecay(400), max_cost=1500.0, convention="pysal")

    assert_agrees(ours, theirs)


@pytest.mark.parametrize("decay", [None, GaussianDecay(300)])
def test_it_agrees_with_access_weighted_catchment_on_the_hansen_potential(
    city: SharedCity, decay: GaussianDecay | None
) -> None:
    weight_fn = None if decay is None else weights.gaussian(300)
    theirs = city.reference().weighted_catchment(name="w", max_cost=700.0, weight_fn=weight_fn)["w_seats"]

    ours = hansen_potential(city.capacity, city.costs, decay, max_cost=700.0, convention="pysal")

    assert_agrees(ours, theirs, relative=True)


def test_it_reproduces_access_on_empty_areas_and_differs_only_where_it_divides_by_zero() -> None:
    city = random_city(seed=5, empty_areas=120)
    theirs = city.reference().two_stage_fca(name="fca", max_cost=300.0)["fca_seats"]

    pysal = two_step_fca(city.population, city.capacity, city.costs, 300.0, convention="pysal")
    standard = two_step_fca(city.population, city.capacity, city.costs, 300.0)

    assert np.isinf(theirs).any()  # some venue's catchment is only empty areas: access divides by zero
    assert_array_equal(np.isinf(pysal), np.isinf(theirs))
    assert_agrees(pysal, theirs)
    assert np.isfinite(standard).all()
    finite = np.isfinite(theirs.to_numpy())
    assert_allclose(standard[finite], theirs[finite], rtol=0, atol=TOLERANCE)

"""What-if scenarios: add or remove a venue, recompute the measure and the learning-desert population.

A `Scenario` holds the areas, the venues' capacities, their cost matrix and the measure. Adding a
venue computes only its column (the straight line from every area, or a column of travel costs the
caller routed); removing one drops its column. The measure is then recomputed on the edited matrix:
for a city of Paris's size (965 areas, a few thousand venues) that takes milliseconds.

>>> from functools import partial
>>> from analytics.access.measures import two_step_fca
>>> city = Scenario.from_points(
...     origins_xy=[[0.0, 0.0], [5000.0, 0.0]], venues_xy=[[100.0, 0.0]], demand=[1000, 500], supply=[50],
...     max_cost=800, measure=partial(two_step_fca, max_cost=800),
...     population_by_band=pd.DataFrame({"all": [1000.0, 500.0]}), threshold=0.01,
... )
>>> city.scores.tolist()
[0.05, 0.0]
>>> better = city.with_venue((5000.0, 300.0), capacity=10)
>>> better.scores.tolist()
[0.05, 0.02]
>>> desert_change(city, better)["change"].tolist()
[-500.0, -500.0]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import sparse

from analytics.access._checks import FloatArray, as_cost_limit, as_costs, as_points, as_quantities
from analytics.access.costs import append_destination, costs_to_destination, drop_destinations, euclidean_costs
from analytics.access.deserts import desert_population

Measure = Callable[[FloatArray, FloatArray, sparse.csr_matrix], FloatArray]


@dataclass(frozen=True, eq=False)
class Scenario:
    """One state of the city: residents, venues, their costs and a measure; `with_venue`/`without_venue` derive others.

    `measure(demand, supply, costs)` gives one score per area, e.g. `partial(two_step_fca, max_cost=800)`;
    areas scoring below `threshold` are learning deserts. `origins_xy` and `max_cost` are needed only
    to place a venue by coordinates.
    """

    demand: FloatArray
    supply: FloatArray
    costs: sparse.csr_matrix
    measure: Measure
    population_by_band: pd.DataFrame
    threshold: float
    origins_xy: FloatArray | None = None
    max_cost: float | None = None

    def __post_init__(self) -> None:
        costs = as_costs(self.costs)
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "demand", as_quantities(self.demand, "demand", costs.shape[0]))
        object.__setattr__(self, "supply", as_quantities(self.supply, "supply", costs.shape[1]))
        if len(self.population_by_band) != costs.shape[0]:
            raise ValueError(f"population_by_band has {len(self.population_by_band)} rows for {costs.shape[0]} areas")
        if self.origins_xy is not None:
            origins = as_points(self.origins_xy, "origins_xy")
            if len(origins) != costs.shape[0]:
                raise ValueError(f"origins_xy has {len(origins)} points for {costs.shape[0]} areas")
            object.__setattr__(self, "origins_xy", origins)

    @classmethod
    def from_points(
        cls,
        *,
        origins_xy: ArrayLike,
        venues_xy: ArrayLike,
        demand: ArrayLike,
        supply: ArrayLike,
        max_cost: float,
        measure: Measure,
        population_by_band: pd.DataFrame,
        threshold: float,
    ) -> Scenario:
        """A scenario on straight-line distances (metres) between area centroids and venues, within `max_cost`."""
        origins = as_points(origins_xy, "origins_xy")
        costs = euclidean_costs(origins, venues_xy, max_cost)
        return cls(
            demand=np.asarray(demand, dtype=np.float64),
            supply=np.asarray(supply, dtype=np.float64),
            costs=costs,
            measure=measure,
            population_by_band=population_by_band,
            threshold=threshold,
            origins_xy=origins,
            max_cost=as_cost_limit(max_cost),
        )

    @cached_property
    def scores(self) -> FloatArray:
        """The measure's score per area."""
        return self.measure(self.demand, self.supply, self.costs)

    @cached_property
    def deserts(self) -> pd.DataFrame:
        """Residents per age band in areas scoring below the threshold (see `desert_population`)."""
        return desert_population(self.scores, self.population_by_band, self.threshold)

    def with_venue(self, xy: tuple[float, float], capacity: float) -> Scenario:
        """This scenario plus a venue at `xy` (metres, the areas' projection) holding `capacity`, as the last column."""
        if self.origins_xy is None or self.max_cost is None:
            raise ValueError("placing a venue by coordinates needs origins_xy and max_cost (see Scenario.from_points)")
        return self.with_venue_costs(costs_to_destination(self.origins_xy, xy, self.max_cost), capacity)

    def with_venue_costs(self, column: ArrayLike, capacity: float) -> Scenario:
        """This scenario plus a venue whose cost from each area is `column` (inf: out of reach), e.g. routed on foot."""
        added = as_quantities([capacity], "capacity")
        return dataclasses.replace(
            self, costs=append_destination(self.costs, column), supply=np.concatenate([self.supply, added])
        )

    def without_venue(self, index: int) -> Scenario:
        """This scenario without the venue in column `index` (later venues shift down by one)."""
        costs = drop_destinations(self.costs, [index])
        return dataclasses.replace(self, costs=costs, supply=np.delete(self.supply, index))


def desert_change(before: Scenario, after: Scenario) -> pd.DataFrame:
    """Desert population per age band before and after, and the change (negative: fewer residents in deserts)."""
    table = pd.DataFrame(
        {
            "before": before.deserts["population_in_deserts"],
            "after": after.deserts["population_in_deserts"],
        }
    )
    table["change"] = table["after"] - table["before"]
    table["share_before"] = before.deserts["share"]
    table["share_after"] = after.deserts["share"]
    return table

"""Spatial accessibility of small areas to learning opportunities ("learning deserts"). Method: docs/access.md.

- `costs`: sparse origin-destination cost matrices (straight lines, travel-time tables, edits);
- `decay`: distance-decay weights (bands, power, Gaussian, exponential);
- `measures`: 2SFCA, E2SFCA, gravity, Hansen potential, nearest venue;
- `deserts`: residents by age band in deserts, and within a walk of a venue;
- `scenario`: add or remove a venue and see the change.
"""

from analytics.access.costs import (
    append_destination,
    costs_from_dense,
    costs_from_table,
    costs_to_destination,
    drop_destinations,
    euclidean_costs,
    project_lonlat,
    within_cost,
)
from analytics.access.decay import (
    LUO_QI_2009_BANDS_MINUTES,
    Decay,
    ExponentialDecay,
    GaussianDecay,
    PowerDecay,
    StepDecay,
)
from analytics.access.deserts import ALL_AGES, desert_population, share_within
from analytics.access.measures import (
    Convention,
    enhanced_two_step_fca,
    gravity,
    hansen_potential,
    nearest_cost,
    reached_destinations,
    two_step_fca,
)
from analytics.access.scenario import Measure, Scenario, desert_change

__all__ = [
    "ALL_AGES",
    "LUO_QI_2009_BANDS_MINUTES",
    "Convention",
    "Decay",
    "ExponentialDecay",
    "GaussianDecay",
    "Measure",
    "PowerDecay",
    "Scenario",
    "StepDecay",
    "append_destination",
    "costs_from_dense",
    "costs_from_table",
    "costs_to_destination",
    "desert_change",
    "desert_population",
    "drop_destinations",
    "enhanced_two_step_fca",
    "euclidean_costs",
    "gravity",
    "hansen_potential",
    "nearest_cost",
    "project_lonlat",
    "reached_destinations",
    "share_within",
    "two_step_fca",
    "within_cost",
]

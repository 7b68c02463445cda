"""Which measure, what counts as a desert: shared by the web pages and `learningcity access` (no Django here)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from analytics import access as measures

Measure = Literal["2sfca", "e2sfca", "gravity", "nearest"]
WALK_METRES = 800.0  # ten minutes at 4.8 km/h, the distance learning cities report on
RELATIVE_THRESHOLD = 0.25  # a ratio-measure desert scores below a quarter of the city's average


def score(
    measure: Measure,
    max_cost: float,
    demand: npt.NDArray[np.float64],
    supply: npt.NDArray[np.float64],
    costs: sparse.csr_matrix,
    nearest: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """The chosen measure per area; ratio measures in places (or hours) per 1,000 inhabitants."""
    if measure == "nearest":
        return nearest
    if measure == "2sfca":
        values = measures.two_step_fca(demand, supply, costs, max_cost)
    elif measure == "e2sfca":
        bands = [(max_cost / 3, 1.0), (2 * max_cost / 3, 0.68), (max_cost, 0.22)]  # Luo & Qi 2009's weights
        values = measures.enhanced_two_step_fca(demand, supply, costs, bands)
    else:
        values = measures.gravity(demand, supply, costs, measures.GaussianDecay(sigma=max_cost / 2), max_cost=max_cost)
    return np.asarray(values, dtype=float) * 1000


def default_threshold(
    measure: Measure, max_cost: float, scores: npt.NDArray[np.float64], demand: npt.NDArray[np.float64]
) -> float:
    """Nearest: the catchment itself; ratio measures: a quarter of the population-weighted mean score."""
    if measure == "nearest":
        return max_cost
    finite = np.isfinite(scores)
    total = float(demand[finite].sum())
    mean = float((scores[finite] * demand[finite]).sum() / total) if total else 0.0
    return RELATIVE_THRESHOLD * mean


def desert_mask(measure: Measure, scores: npt.NDArray[np.float64], threshold: float) -> npt.NDArray[np.bool_]:
    """Areas beyond reach (nearest) or scoring below the threshold (ratio measures)."""
    if measure == "nearest":
        return np.asarray(~np.isfinite(scores) | (scores > threshold))
    return np.asarray(~np.isfinite(scores) | (scores < threshold))

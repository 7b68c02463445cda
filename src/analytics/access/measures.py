"""Accessibility measures on a sparse cost matrix: 2SFCA, E2SFCA, gravity, Hansen potential, nearest venue.

Every measure takes `demand` (residents per origin), `supply` (capacity or opening hours per
destination) and a cost matrix from `analytics.access.costs`, and returns one float per origin.
The floating catchment family shares one computation with a weight w_ij per pair within reach:

    R_j = S_j / sum_i P_i w_ij        (supply per resident who can reach venue j)
    A_i = sum_j R_j w_ij              (what area i can reach, shared with everyone else reaching it)

2SFCA weighs every pair within `max_cost` 1, E2SFCA by cost band, gravity by a decay function.

`convention="standard"` (default) gives R_j = 0 when nobody lives within reach of venue j and
A_i = 0 for an area reaching no venue. `convention="pysal"` reproduces PySAL `access` 1.1.10 to the
last digit: NaN for an area reaching no venue, and S/0 (infinity or NaN) for a venue whose catchment
has no residents (see docs/access.md). `normalize=True` divides by the population-weighted mean, as
`access` does.

>>> from analytics.access.costs import costs_from_dense
>>> costs = costs_from_dense([[100.0, np.inf], [300.0, np.inf], [np.inf, np.inf]])
>>> two_step_fca([100, 300, 50], [40, 10], costs, max_cost=500).tolist()
[0.1, 0.1, 0.0]
>>> two_step_fca([100, 300, 50], [40, 10], costs, max_cost=500, convention="pysal").tolist()
[0.1, 0.1, nan]
>>> nearest_cost(costs).tolist()
[100.0, 300.0, inf]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from analytics.access._checks import FloatArray, as_costs, as_quantities
from analytics.access.costs import within_cost
from analytics.access.decay import Decay, StepDecay

Convention = Literal["standard", "pysal"]


def two_step_fca(
    demand: ArrayLike,
    supply: ArrayLike,
    costs: sparse.csr_matrix,
    max_cost: float,
    *,
    normalize: bool = False,
    convention: Convention = "standard",
) -> FloatArray:
    """Two-step floating catchment area (Luo & Wang 2003): supply per resident over the venues within `max_cost`."""
    return _floating_catchment(demand, supply, costs, max_cost, None, normalize, convention)


def enhanced_two_step_fca(
    demand: ArrayLike,
    supply: ArrayLike,
    costs: sparse.csr_matrix,
    bands: Sequence[tuple[float, float]],
    *,
    normalize: bool = False,
    convention: Convention = "standard",
) -> FloatArray:
    """E2SFCA (Luo & Qi 2009): 2SFCA weighted by bands [(upper cost, weight), ...] in both steps, up to the last."""
    decay = StepDecay(tuple(bands))
    return _floating_catchment(demand, supply, costs, decay.reach, decay, normalize, convention)


def gravity(
    demand: ArrayLike,
    supply: ArrayLike,
    costs: sparse.csr_matrix,
    decay: Decay,
    *,
    max_cost: float | None = None,
    normalize: bool = False,
    convention: Convention = "standard",
) -> FloatArray:
    """Demand-adjusted gravity model (Joseph & Bantock 1982): 2SFCA weighted by `decay(cost)`, up to `max_cost`."""
    return _floating_catchment(demand, supply, costs, max_cost, decay, normalize, convention)


def hansen_potential(
    supply: ArrayLike,
    costs: sparse.csr_matrix,
    decay: Decay | None = None,
    *,
    max_cost: float | None = None,
    convention: Convention = "standard",
) -> FloatArray:
    """Hansen (1959) potential: sum of supply weighted by `decay(cost)` (a count when None), without competition."""
    weights = _weights(costs, max_cost, decay)
    capacity = as_quantities(supply, "supply", weights.shape[1])
    scores: FloatArray = weights @ capacity
    if convention == "pysal":
        scores[np.diff(weights.indptr) == 0] = np.nan
    return scores


def nearest_cost(costs: sparse.csr_matrix, mask: ArrayLike | None = None) -> FloatArray:
    """Per origin, the cost to the nearest destination (among `mask`, one boolean per destination); inf if none."""
    matrix = as_costs(costs)
    if mask is not None:
        keep = np.asarray(mask, dtype=bool)
        if keep.shape != (matrix.shape[1],):
            raise ValueError(f"mask must hold one boolean per destination ({matrix.shape[1]}), got shape {keep.shape}")
        kept_before = np.concatenate([[0], np.cumsum(keep[matrix.indices])])
        data, indptr = matrix.data[keep[matrix.indices]], kept_before[matrix.indptr]
    else:
        data, indptr = matrix.data, matrix.indptr
    nearest = np.full(matrix.shape[0], np.inf)
    starts = indptr[:-1]
    reached = indptr[1:] > starts
    if reached.any():  # reduceat over the non-empty rows only: each segment then ends where its row ends
        nearest[reached] = np.minimum.reduceat(data, starts[reached])
    return nearest


def reached_destinations(costs: sparse.csr_matrix, max_cost: float | None = None) -> NDArray[np.int64]:
    """How many destinations each origin reaches within `max_cost` (all stored pairs when None)."""
    return np.diff(within_cost(costs, max_cost).indptr).astype(np.int64)


def _floating_catchment(
    demand: ArrayLike,
    supply: ArrayLike,
    costs: sparse.csr_matrix,
    max_cost: float | None,
    decay: Decay | None,
    normalize: bool,
    convention: Convention,
) -> FloatArray:
    weights = _weights(costs, max_cost, decay)
    residents = as_quantities(demand, "demand", weights.shape[0])
    capacity = as_quantities(supply, "supply", weights.shape[1])
    catchment: FloatArray = weights.T @ residents
    if convention == "pysal":
        scores = _pysal_second_step(weights, capacity, catchment)
    elif convention == "standard":
        ratio = np.divide(capacity, catchment, out=np.zeros_like(capacity), where=catchment > 0)
        scores = weights @ ratio
    else:
        raise ValueError(f"convention must be 'standard' or 'pysal', got {convention!r}")
    return _normalized(scores, residents, convention) if normalize else scores


def _weights(costs: sparse.csr_matrix, max_cost: float | None, decay: Decay | None) -> sparse.csr_matrix:
    """The pairs within reach with their weights (1, or decay(cost)), in the cost matrix's structure."""
    reach = within_cost(costs, max_cost)
    values = np.ones(reach.nnz) if decay is None else np.asarray(decay(reach.data), dtype=np.float64)
    if values.shape != reach.data.shape:
        raise ValueError(f"decay must return one weight per cost, got shape {values.shape} for {reach.data.shape}")
    if values.size and not (np.isfinite(values).all() and values.min() >= 0):
        raise ValueError("decay must return finite, non-negative weights")
    return sparse.csr_matrix((values, reach.indices, reach.indptr), shape=reach.shape)


def _pysal_second_step(weights: sparse.csr_matrix, capacity: FloatArray, catchment: FloatArray) -> FloatArray:
    """PySAL access's arithmetic: S/0 stays inf or NaN, NaN terms are skipped in sums, unreached areas are NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = capacity / catchment
        terms = weights.data * ratio[weights.indices]
    terms[np.isnan(terms)] = 0.0  # pandas' groupby sum skips NaN
    summed = sparse.csr_matrix((terms, weights.indices, weights.indptr), shape=weights.shape)
    scores = np.asarray(summed @ np.ones(weights.shape[1]), dtype=np.float64)
    scores[np.diff(weights.indptr) == 0] = np.nan
    return scores


def _normalized(scores: FloatArray, residents: FloatArray, convention: Convention) -> FloatArray:
    """Scores divided by their population-weighted mean (1 = the average resident's access)."""
    total = residents.sum()
    if convention == "pysal":
        with np.errstate(divide="ignore", invalid="ignore"):
            normalized: FloatArray = scores / (np.nansum(scores * residents) / total)
        return normalized
    mean = float(scores @ residents) / total if total > 0 else 0.0
    return scores / mean if mean > 0 else np.zeros_like(scores)

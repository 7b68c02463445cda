"""Accessibility measures on a sparse cost matrix: 2SFCA, E2SFCA, gravity, Hansen potential, nearest venue.

Every measure takes `demand` (residents per origin), `supply` (capacity or opening hours per
destination) and a cost matrix from `analytics.access.costs`, and returns one float per origin.
The floating catchment family shares one computation with a weight w_ij per pair within reach:

    R_j = S_j / sum_i P_i w_ij        (supply per resident who can reach venue j)
    A_i = sum_j R_j w_ij              (what area i can reach, shared with everyone else reaching it)

2SFCA gives every pair within `max_cost` the weight 1, E2SFCA a weight per cost band, gravity a decay function.

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

import itertools
from collections.abc import Iterator, Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from analytics.access._checks import FloatArray, as_cost_limit, as_costs, as_quantities
from analytics.access.costs import within_cost
from analytics.access.decay import Decay, StepDecay

Convention = Literal["standard", "pysal"]
BLOCK_PAIRS = 4_000_000  # pairs weighted at a time: about 100 MB of temporary arrays, whatever the city


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
    """Hansen (1959) potential: supply within reach weighted by `decay(cost)` (unweighted if None), no competition."""
    matrix = as_costs(costs)
    capacity = as_quantities(supply, "supply", matrix.shape[1])
    _check(convention)
    scores = np.empty(matrix.shape[0])
    for rows, weights in _weight_blocks(matrix, max_cost, decay):
        block = weights @ capacity
        if convention == "pysal":
            block[np.diff(weights.indptr) == 0] = np.nan
        scores[rows] = block
    return scores


def nearest_cost(costs: sparse.csr_matrix, mask: ArrayLike | None = None) -> FloatArray:
    """Per origin, the cost to the nearest destination (among `mask`, one boolean per destination); inf if none."""
    matrix = as_costs(costs)
    if mask is not None:
        keep = np.asarray(mask, dtype=bool)
        if keep.shape != (matrix.shape[1],):
            raise ValueError(f"mask must hold one boolean per destination ({matrix.shape[1]}), got shape {keep.shape}")
        kept = keep[matrix.indices]
        data, indptr = matrix.data[kept], np.concatenate([[0], np.cumsum(kept)])[matrix.indptr]
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
    matrix = as_costs(costs)
    residents = as_quantities(demand, "demand", matrix.shape[0])
    capacity = as_quantities(supply, "supply", matrix.shape[1])
    _check(convention)
    catchment = np.zeros(matrix.shape[1])
    for rows, weights in _weight_blocks(matrix, max_cost, decay):
        catchment += weights.T @ residents[rows]
    if convention == "pysal":
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = capacity / catchment  # pandas' arithmetic: S/0 is inf (or NaN for 0/0)
    else:
        ratio = np.divide(capacity, catchment, out=np.zeros_like(capacity), where=catchment > 0)
    scores = np.empty(matrix.shape[0])
    for rows, weights in _weight_blocks(matrix, max_cost, decay):
        scores[rows] = _pysal_row_sums(weights, ratio) if convention == "pysal" else weights @ ratio
    return _normalized(scores, residents, convention) if normalize else scores


def _check(convention: Convention) -> None:
    if convention not in ("standard", "pysal"):
        raise ValueError(f"convention must be 'standard' or 'pysal', got {convention!r}")


def _weight_blocks(
    costs: sparse.csr_matrix, max_cost: float | None, decay: Decay | None
) -> Iterator[tuple[slice, sparse.csr_matrix]]:
    """The weights of the pairs within reach, a block of rows at a time, so memory holds only one block of them."""
    limit = np.inf if max_cost is None else as_cost_limit(max_cost)
    for start, stop in itertools.pairwise(_block_bounds(costs.indptr, BLOCK_PAIRS)):
        first, last = costs.indptr[start], costs.indptr[stop]
        data, indices = costs.data[first:last], costs.indices[first:last]
        indptr = costs.indptr[start : stop + 1] - first
        if data.size and data.max() > limit:
            keep = data <= limit
            data, indices = data[keep], indices[keep]
            indptr = np.concatenate([[0], np.cumsum(keep)])[indptr]
        shape = (stop - start, costs.shape[1])
        yield slice(start, stop), sparse.csr_matrix((_weigh(data, decay), indices, indptr), shape=shape)


def _block_bounds(indptr: NDArray[np.integer], block_pairs: int) -> NDArray[np.int64]:
    """Row numbers cutting the matrix into blocks of about `block_pairs` stored pairs (0 and the row count included)."""
    rows = len(indptr) - 1
    cuts = np.searchsorted(indptr, np.arange(block_pairs, indptr[-1], block_pairs))
    return np.unique(np.concatenate([[0], cuts, [rows]])).astype(np.int64)


def _weigh(costs: FloatArray, decay: Decay | None) -> FloatArray:
    """The weight of each cost within reach: 1, or decay(cost), checked."""
    if decay is None:
        return np.ones(costs.size)
    weights = np.asarray(decay(costs), dtype=np.float64)
    if weights.shape != costs.shape:
        raise ValueError(f"decay must return one weight per cost, got shape {weights.shape} for {costs.shape}")
    if weights.size and not (np.isfinite(weights).all() and weights.min() >= 0):
        raise ValueError("decay must return finite, non-negative weights")
    return weights


def _pysal_row_sums(weights: sparse.csr_matrix, ratio: FloatArray) -> FloatArray:
    """PySAL access's second step: NaN terms skipped (pandas' groupby sum), NaN for areas reaching nothing."""
    with np.errstate(invalid="ignore"):
        terms = weights.data * ratio[weights.indices]
    terms[np.isnan(terms)] = 0.0
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

"""Input checks shared by the access modules: a clear error before any arithmetic."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

FloatArray = NDArray[np.float64]


def as_quantities(values: ArrayLike, name: str, size: int | None = None) -> FloatArray:
    """A 1-D float array of finite, non-negative quantities (residents, seats), or a ValueError naming it."""
    array = _as_float(values, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if size is not None and array.size != size:
        raise ValueError(f"{name} has {array.size} values but the cost matrix expects {size}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    if (array < 0).any():
        raise ValueError(f"{name} must not be negative")
    return array


def as_points(values: ArrayLike, name: str) -> FloatArray:
    """An (n, 2) float array of finite x/y coordinates in metres."""
    array = _as_float(values, name)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2) (x, y in metres), got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


def as_cost_limit(value: float, name: str = "max_cost") -> float:
    """A non-negative cost threshold (metres or minutes); infinity means no limit."""
    limit = float(value)
    if not limit >= 0:  # also catches NaN
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return limit


def as_costs(costs: Any) -> sparse.csr_matrix:
    """The cost matrix, checked: CSR, float64, finite non-negative stored costs, one entry per pair."""
    if not (isinstance(costs, sparse.csr_matrix | sparse.csr_array) and costs.ndim == 2):
        raise TypeError(f"costs must be a 2-D scipy.sparse CSR matrix (see analytics.access.costs), got {type(costs)}")
    data = np.asarray(costs.data, dtype=np.float64)
    if data.size and not (np.isfinite(data).all() and data.min() >= 0):
        raise ValueError("costs must be finite and non-negative; leave unreachable pairs out of the matrix")
    if not costs.has_canonical_format:
        raise ValueError("costs must have sorted indices and at most one entry per pair (see costs.sort_indices())")
    if data is costs.data and isinstance(costs, sparse.csr_matrix):
        return costs
    return sparse.csr_matrix((data, costs.indices, costs.indptr), shape=costs.shape)


def _as_float(values: ArrayLike, name: str) -> FloatArray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from error

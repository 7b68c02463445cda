"""Sparse origin-destination cost matrices: straight lines, imported travel-time tables, edits.

A cost matrix is a `scipy.sparse.csr_matrix` with one row per origin (small area) and one column per
destination (venue). **A pair is within reach exactly when it is stored.** A stored `0.0` is a real
zero-distance pair (a venue at the area's centroid), kept as an explicit entry; a pair that is not
stored is out of reach. Never build a cost matrix with `csr_matrix(dense_array)` or call
`eliminate_zeros()` on one: both drop the zero-distance pairs. Use the builders here instead; the
measures read `.data`, `.indices` and `.indptr` directly and never drop stored entries.

>>> costs = euclidean_costs([[0.0, 0.0], [1000.0, 0.0]], [[0.0, 0.0], [600.0, 0.0]], max_cost=800)
>>> costs.nnz, costs.data.tolist()
(3, [0.0, 600.0, 400.0])
>>> costs.toarray().tolist()  # careful: the dense view shows the zero-distance pair like a missing one
[[0.0, 600.0], [0.0, 400.0]]
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from analytics.access._checks import FloatArray, as_cost_limit, as_costs, as_points

WGS84_SEMI_MAJOR_AXIS = 6_378_137.0
WGS84_FLATTENING = 1 / 298.257223563
WGS84_ECCENTRICITY_SQUARED = WGS84_FLATTENING * (2 - WGS84_FLATTENING)
CHUNK_PAIRS = 2_000_000  # pairs per k-d tree query: about 160 MB of temporary arrays, whatever the city
TABLE_COLUMNS = ("origin", "destination", "cost")
Ids = Sequence[Hashable] | pd.Index | pd.Series | NDArray[Any]  # area or venue identifiers, in matrix order


def project_lonlat(lon: ArrayLike, lat: ArrayLike, origin: tuple[float, float] | None = None) -> FloatArray:
    """WGS84 longitude/latitude in degrees to local x (east) / y (north) metres, shape (n, 2), centred on `origin`.

    A local azimuthal equidistant projection: points go to Earth-centred coordinates on the WGS84
    ellipsoid, then to the east/north plane tangent at `origin`, and their distance from the origin is
    stretched back from chord to arc. Distances between points within 50 km of the origin are within
    0.01 % of the geodesic (tests/analytics/test_access_costs.py checks this against pyproj). The
    default origin is the centre of the points' bounding box; give one for a city across the antimeridian.

    >>> xy = project_lonlat([2.35, 2.36], [48.85, 48.85], origin=(2.35, 48.85))
    >>> [round(float(v), 1) for v in xy[1]]
    [733.9, 0.0]
    """
    longitudes = np.asarray(lon, dtype=np.float64).ravel()
    latitudes = np.asarray(lat, dtype=np.float64).ravel()
    if longitudes.shape != latitudes.shape:
        raise ValueError(f"lon and lat must have the same length, got {longitudes.size} and {latitudes.size}")
    if not (np.isfinite(longitudes).all() and np.isfinite(latitudes).all()):
        raise ValueError("lon and lat must be finite")
    if (np.abs(latitudes) > 90).any():
        raise ValueError("latitudes must lie between -90 and 90 degrees")
    if origin is None:
        if longitudes.size == 0:
            return np.empty((0, 2))
        origin = (float(longitudes.min() + longitudes.max()) / 2, float(latitudes.min() + latitudes.max()) / 2)
    lambda0, phi0 = np.radians(origin[0]), np.radians(origin[1])
    origin_xyz = _earth_centred(lambda0, phi0)[:, np.newaxis]
    offset = _earth_centred(np.radians(longitudes), np.radians(latitudes)) - origin_xyz
    east = -np.sin(lambda0) * offset[0] + np.cos(lambda0) * offset[1]
    north = -np.sin(phi0) * (np.cos(lambda0) * offset[0] + np.sin(lambda0) * offset[1]) + np.cos(phi0) * offset[2]
    return np.column_stack([east, north]) * _chord_to_arc(np.hypot(east, north), phi0)[:, np.newaxis]


def euclidean_costs(
    origins_xy: ArrayLike, destinations_xy: ArrayLike, max_cost: float, *, chunk_pairs: int = CHUNK_PAIRS
) -> sparse.csr_matrix:
    """Straight-line distances (metres) of every origin-destination pair at most `max_cost` apart, zeros kept.

    The pairs are counted first (a parallel k-d tree query), so that the result is allocated once;
    then origins are matched against the destinations' tree in chunks of about `chunk_pairs` pairs.
    Peak memory is the result (12 bytes per pair) plus one chunk (about 80 bytes per pair).
    """
    origins, destinations = as_points(origins_xy, "origins_xy"), as_points(destinations_xy, "destinations_xy")
    limit = as_cost_limit(max_cost)
    if chunk_pairs < 1:
        raise ValueError("chunk_pairs must be at least 1")
    shape = (len(origins), len(destinations))
    if 0 in shape:
        return _empty(shape)
    tree = cKDTree(destinations)
    pairs_so_far = np.cumsum(tree.query_ball_point(origins, limit, return_length=True, workers=-1))
    cuts = np.searchsorted(pairs_so_far, np.arange(chunk_pairs, pairs_so_far[-1], chunk_pairs)) + 1
    bounds = np.unique(np.concatenate([[0], np.minimum(cuts, len(origins)), [len(origins)]]))
    blocks = (_pairs_within(origins[start:stop], tree, limit) for start, stop in itertools.pairwise(bounds))
    return _stack_rows(blocks, shape, int(pairs_so_far[-1]))


def _pairs_within(origins: FloatArray, tree: cKDTree, limit: float) -> sparse.csr_matrix:
    """The rows of the cost matrix for a chunk of origins."""
    pairs = cKDTree(origins).sparse_distance_matrix(tree, limit, output_type="ndarray")
    within = pairs["v"] <= limit  # the tree keeps d <= limit already; stated here as the contract
    if not within.all():
        pairs = pairs[within]
    return csr_from_pairs(pairs["i"], pairs["j"], pairs["v"], (len(origins), tree.n))


def costs_from_dense(matrix: ArrayLike, max_cost: float = np.inf) -> sparse.csr_matrix:
    """A cost matrix from a dense (origins x destinations) array; `inf` or costs above `max_cost` are out of reach.

    >>> costs_from_dense([[0.0, 500.0], [900.0, np.inf]], max_cost=800).data.tolist()
    [0.0, 500.0]
    """
    dense = np.asarray(matrix, dtype=np.float64)
    limit = as_cost_limit(max_cost)
    if dense.ndim != 2:
        raise ValueError(f"matrix must be two-dimensional, got shape {dense.shape}")
    if np.isnan(dense).any() or (dense < 0).any():
        raise ValueError("matrix must not contain NaN or negative costs (use inf for unreachable pairs)")
    rows, columns = np.nonzero(np.isfinite(dense) & (dense <= limit))
    return csr_from_pairs(rows, columns, dense[rows, columns], dense.shape)


def costs_from_table(frame: pd.DataFrame, origin_ids: Ids, destination_ids: Ids, max_cost: float) -> sparse.csr_matrix:
    """A cost matrix from an imported travel-time table with columns origin, destination, cost (minutes).

    Rows follow `origin_ids`, columns `destination_ids`. Pairs costing more than `max_cost` or
    `inf` are out of reach, as are pairs missing from the table. Raises ValueError for a missing
    column, an unknown or repeated id, a missing, non-numeric or negative cost, or a pair listed twice.
    """
    missing = [column for column in TABLE_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"the travel-time table lacks the column(s) {missing}; it needs {list(TABLE_COLUMNS)}")
    limit = as_cost_limit(max_cost)
    rows = _positions(frame["origin"], origin_ids, "origin")
    columns = _positions(frame["destination"], destination_ids, "destination")
    minutes = _table_costs(frame["cost"])
    _refuse_duplicate_pairs(frame)
    within = np.isfinite(minutes) & (minutes <= limit)
    shape = (len(pd.Index(origin_ids)), len(pd.Index(destination_ids)))
    return csr_from_pairs(rows[within], columns[within], minutes[within], shape)


def costs_to_destination(origins_xy: ArrayLike, destination_xy: ArrayLike, max_cost: float) -> FloatArray:
    """Straight-line distance from every origin to one new destination; `inf` beyond `max_cost` (a new column)."""
    origins = as_points(origins_xy, "origins_xy")
    point = as_points(np.reshape(np.asarray(destination_xy, dtype=np.float64), (1, 2)), "destination_xy")[0]
    limit = as_cost_limit(max_cost)
    offsets = origins - point
    distances: FloatArray = np.sqrt(offsets[:, 0] * offsets[:, 0] + offsets[:, 1] * offsets[:, 1])
    distances[distances > limit] = np.inf
    return distances


def append_destination(costs: sparse.csr_matrix, column: ArrayLike) -> sparse.csr_matrix:
    """The cost matrix plus a last column of costs per origin (`inf`: out of reach) for a new destination."""
    matrix = as_costs(costs)
    new = np.asarray(column, dtype=np.float64)
    if new.shape != (matrix.shape[0],):
        raise ValueError(f"column must hold one cost per origin ({matrix.shape[0]}), got shape {new.shape}")
    if np.isnan(new).any() or (new < 0).any():
        raise ValueError("column must not contain NaN or negative costs (use inf for out of reach)")
    present = np.isfinite(new)
    indptr = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.diff(matrix.indptr) + present, out=indptr[1:])
    added_before = indptr[:-1] - matrix.indptr[:-1]  # new entries in the rows above each row
    old_rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    old_positions = np.arange(matrix.nnz) + added_before[old_rows]
    new_positions = indptr[1:][present] - 1  # the new column is last, so it ends its row
    data = np.empty(int(indptr[-1]))
    indices = np.empty(int(indptr[-1]), dtype=np.int64)
    data[old_positions], indices[old_positions] = matrix.data, matrix.indices
    data[new_positions], indices[new_positions] = new[present], matrix.shape[1]
    return _csr(data, indices, indptr, (matrix.shape[0], matrix.shape[1] + 1))


def drop_destinations(costs: sparse.csr_matrix, columns: Sequence[int] | NDArray[np.integer]) -> sparse.csr_matrix:
    """The cost matrix without the given destination columns (later columns shift left)."""
    matrix = as_costs(costs)
    dropped = np.unique(np.asarray(columns, dtype=np.int64))
    if dropped.size and (dropped[0] < 0 or dropped[-1] >= matrix.shape[1]):
        raise ValueError(f"destination columns must lie in 0..{matrix.shape[1] - 1}, got {dropped.tolist()}")
    keep = ~np.isin(matrix.indices, dropped)
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    indices = matrix.indices[keep] - np.searchsorted(dropped, matrix.indices[keep])
    return _csr(
        matrix.data[keep], indices, kept_before[matrix.indptr], (matrix.shape[0], matrix.shape[1] - dropped.size)
    )


def within_cost(costs: sparse.csr_matrix, max_cost: float | None) -> sparse.csr_matrix:
    """The pairs costing at most `max_cost` (zeros kept); the matrix itself when all of them do."""
    matrix = as_costs(costs)
    if max_cost is None or matrix.nnz == 0:
        return matrix
    limit = as_cost_limit(max_cost)
    if matrix.data.max() <= limit:
        return matrix
    keep = matrix.data <= limit
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    return _csr(matrix.data[keep], matrix.indices[keep], kept_before[matrix.indptr], matrix.shape)


def csr_from_pairs(
    rows: NDArray[np.integer], columns: NDArray[np.integer], values: FloatArray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """A canonical CSR matrix from distinct (row, column, value) pairs, zero values kept as stored entries."""
    order = np.argsort(rows.astype(np.int64) * shape[1] + columns)  # keys are distinct: any sort will do
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return _csr(np.asarray(values, dtype=np.float64)[order], columns[order], indptr, shape)


def _csr(
    data: FloatArray, indices: NDArray[np.integer], indptr: NDArray[np.integer], shape: tuple[int, int]
) -> sparse.csr_matrix:
    index_dtype = _index_dtype(max(data.size, *shape))
    return sparse.csr_matrix(
        (data, indices.astype(index_dtype, copy=False), indptr.astype(index_dtype, copy=False)), shape=shape
    )


def _stack_rows(blocks: Iterable[sparse.csr_matrix], shape: tuple[int, int], expected: int) -> sparse.csr_matrix:
    """Copy row blocks, made one at a time, into arrays allocated once for the `expected` number of pairs."""
    index_dtype = _index_dtype(max(expected, *shape))
    data, indices = np.empty(expected), np.empty(expected, dtype=index_dtype)
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    row = position = 0
    for block in blocks:
        end = position + block.nnz
        if end > data.size:  # the count and the chunks disagreed on a pair at max_cost; grow once
            data, indices = np.resize(data, 2 * end), np.resize(indices, 2 * end)
        data[position:end], indices[position:end] = block.data, block.indices
        indptr[row + 1 : row + 1 + block.shape[0]] = block.indptr[1:] + position
        row, position = row + block.shape[0], end
    if row != shape[0]:
        raise ValueError(f"row blocks cover {row} rows, expected {shape[0]}")
    return _csr(data[:position], indices[:position], indptr, shape)


def _index_dtype(largest: int) -> type[np.int32] | type[np.int64]:
    return np.int32 if largest < np.iinfo(np.int32).max else np.int64


def _empty(shape: tuple[int, int]) -> sparse.csr_matrix:
    return _csr(np.empty(0), np.empty(0, dtype=np.int32), np.zeros(shape[0] + 1, dtype=np.int32), shape)


def _earth_centred(lam: FloatArray | float, phi: FloatArray | float) -> FloatArray:
    """Earth-centred, Earth-fixed x, y, z (metres, shape (3, ...)) of points on the WGS84 ellipsoid."""
    prime_vertical = WGS84_SEMI_MAJOR_AXIS / np.sqrt(1 - WGS84_ECCENTRICITY_SQUARED * np.sin(phi) ** 2)
    return np.array(
        [
            prime_vertical * np.cos(phi) * np.cos(lam),
            prime_vertical * np.cos(phi) * np.sin(lam),
            prime_vertical * (1 - WGS84_ECCENTRICITY_SQUARED) * np.sin(phi),
        ]
    )


def _chord_to_arc(distance: FloatArray, phi0: float) -> FloatArray:
    """Factor turning a tangent-plane distance from the origin into the arc length it projects (1 at the origin)."""
    sine = 1 - WGS84_ECCENTRICITY_SQUARED * np.sin(phi0) ** 2
    gaussian_radius = WGS84_SEMI_MAJOR_AXIS * np.sqrt(1 - WGS84_ECCENTRICITY_SQUARED) / sine  # sqrt(M N)
    ratio = np.minimum(distance / gaussian_radius, 1.0)
    factor: FloatArray = np.ones_like(ratio)
    far = ratio > 0
    factor[far] = np.arcsin(ratio[far]) / ratio[far]
    return factor


def _positions(ids: pd.Series, known_ids: Ids, role: str) -> NDArray[np.int64]:
    index = pd.Index(known_ids)
    if not index.is_unique:
        repeated = index[index.duplicated()].unique().tolist()[:5]
        raise ValueError(f"{role}_ids must be unique; repeated: {repeated}")
    positions = index.get_indexer(pd.Index(ids))
    if (positions < 0).any():
        unknown = pd.unique(ids[positions < 0])[:5].tolist()
        raise ValueError(
            f"the travel-time table names {role} ids that are not in {role}_ids, e.g. {unknown} "
            f"(ids are compared with their type: '75101' is not 75101)"
        )
    return positions.astype(np.int64)


def _table_costs(costs: pd.Series) -> FloatArray:
    if costs.isna().any():
        rows = costs.index[costs.isna()][:5].tolist()
        raise ValueError(f"the travel-time table has missing costs, e.g. in rows {rows}")
    numeric = pd.to_numeric(costs, errors="coerce")
    if numeric.isna().any():
        examples = costs[numeric.isna()][:5].tolist()
        raise ValueError(f"the travel-time table has non-numeric costs, e.g. {examples}")
    values = numeric.to_numpy(dtype=np.float64)
    if (values < 0).any():
        examples = costs[values < 0][:5].tolist()
        raise ValueError(f"the travel-time table has negative costs, e.g. {examples}")
    return values


def _refuse_duplicate_pairs(frame: pd.DataFrame) -> None:
    repeated = frame.duplicated(subset=["origin", "destination"], keep="first")
    if repeated.any():
        pairs = list(frame.loc[repeated, ["origin", "destination"]].itertuples(index=False, name=None))[:5]
        raise ValueError(f"the travel-time table lists some pairs more than once, e.g. {pairs}")

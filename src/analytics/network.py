"""Walking distances along a street network, as sparse origin-destination cost matrices.

Origins and destinations are snapped to their nearest network node; a pair's cost is the straight
line to the origin's node, the shortest walk between the two nodes, and the straight line from the
destination's node, in metres. Pairs costing more than `max_cost_metres`, or whose nodes are not
connected, are left out of the matrix (the representation used by `analytics.access`).

>>> nodes = pd.DataFrame({"id": [1, 2, 3], "lon": [24.94, 24.941, 24.942], "lat": [60.17, 60.17, 60.17]})
>>> edges = pd.DataFrame({"u": [1, 2], "v": [2, 3], "length": [60.0, 60.0]})
>>> network = WalkingNetwork.from_frames(nodes, edges)
>>> here, there = [24.94, 60.17], [[24.94, 60.17], [24.941, 60.17], [24.942, 60.17]]
>>> costs = network_costs(network, np.array([here]), np.array(there), max_cost_metres=100)
>>> costs.shape, costs.indices.tolist(), costs.data.round(1).tolist()  # the third place is 120 m away
((1, 3), [0, 1], [0.0, 60.0])
>>> round(walking_minutes(800.0), 1)
10.0

The reader functions at the end are the only ones touching files; they need pyrosm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from analytics.access.costs import csr_from_pairs, project_lonlat

WALKING_SPEED_KMH = 4.8
LEARNING_AMENITIES = ("library", "school", "college", "university", "kindergarten", "community_centre")
# Dijkstra returns a dense (sources x nodes) array; about 64 MB of float64 per chunk keeps a metropolitan
# network (a million nodes) from needing gigabytes when thousands of origins are routed at once.
CHUNK_ELEMENTS = 8_000_000


@dataclass(frozen=True, eq=False)
class WalkingNetwork:
    """A walkable street graph: nodes with WGS84 and projected coordinates, symmetric edge lengths in metres."""

    node_ids: NDArray[np.int64]
    lonlat: NDArray[np.float64]
    xy: NDArray[np.float64]
    centre: tuple[float, float]
    lengths: csr_matrix
    snappable: NDArray[np.bool_]

    @classmethod
    def from_frames(
        cls, nodes: pd.DataFrame, edges: pd.DataFrame, *, largest_component_only: bool = True
    ) -> WalkingNetwork:
        """Build from nodes (`id`, `lon`, `lat`) and undirected edges (`u`, `v`, `length` in metres).

        Self-loops and edges to unknown nodes are dropped; of parallel edges the shortest is kept; a
        missing length is the straight line between the end nodes. With `largest_component_only`,
        fragments cut off from the main network (clipped footpaths at the edge of an extract, indoor
        corridors) are dropped so that nobody is snapped onto a dead end. An optional boolean edge
        column `underground` marks tunnels: they are walked through, but a point is never snapped to
        a node reached only by tunnels (in Helsinki a city-centre cell would otherwise land in the
        delivery tunnel four levels down, 1.2 km from the street above).
        """
        if nodes.empty:
            raise ValueError("a walking network needs at least one node")
        node_ids = nodes["id"].to_numpy(dtype=np.int64)
        lonlat = nodes[["lon", "lat"]].to_numpy(dtype=np.float64)
        low, high = lonlat.min(axis=0), lonlat.max(axis=0)
        centre = (float(low[0] + high[0]) / 2, float(low[1] + high[1]) / 2)
        xy = project_lonlat(lonlat[:, 0], lonlat[:, 1], origin=centre)
        first, second, length, underground = _usable_edges(edges, node_ids)
        straight = np.hypot(*(xy[first] - xy[second]).T)
        lengths = _symmetric_lengths(first, second, np.where(np.isnan(length), straight, length), len(node_ids))
        snappable = np.zeros(len(node_ids), dtype=bool)
        snappable[first[~underground]] = snappable[second[~underground]] = True
        if largest_component_only:
            _, labels = connected_components(lengths, directed=False)
            main = np.flatnonzero(labels == np.bincount(labels).argmax())
            lengths, node_ids, lonlat, xy = lengths[main][:, main], node_ids[main], lonlat[main], xy[main]
            snappable = snappable[main]
        if not snappable.any():
            snappable[:] = True
        return cls(node_ids, lonlat, xy, centre, csr_matrix(lengths), snappable)

    @property
    def node_count(self) -> int:
        """How many nodes the network has."""
        return len(self.node_ids)

    @property
    def edge_count(self) -> int:
        """How many undirected edges the network has."""
        return int(self.lengths.nnz // 2)

    def project(self, lonlat: NDArray[np.float64]) -> NDArray[np.float64]:
        """Points (n, 2) in lon/lat as metres east and north of the network's centre (`project_lonlat`)."""
        points = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        return project_lonlat(points[:, 0], points[:, 1], origin=self.centre)

    @cached_property
    def _snappable_nodes(self) -> tuple[NDArray[np.intp], cKDTree]:
        nodes = np.flatnonzero(self.snappable)
        return nodes, cKDTree(self.xy[nodes])

    def snap(self, lonlat: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """The nearest snappable node of each point (n, 2 lon/lat) and the straight-line distance to it in metres."""
        points = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        nodes, tree = self._snappable_nodes
        distances, nearest = tree.query(self.project(points))
        return nodes[np.asarray(nearest, dtype=np.intp)], np.asarray(distances, dtype=np.float64)


def _usable_edges(
    edges: pd.DataFrame, node_ids: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64], NDArray[np.bool_]]:
    """Edge ends as node positions, lengths (NaN when unknown) and underground flags, without self-loops or strays."""
    position = pd.Series(np.arange(len(node_ids)), index=node_ids)
    u = edges["u"].map(position).to_numpy(dtype=np.float64)
    v = edges["v"].map(position).to_numpy(dtype=np.float64)
    keep = ~np.isnan(u) & ~np.isnan(v) & (u != v)
    length = edges["length"].to_numpy(dtype=np.float64) if "length" in edges else np.full(len(edges), np.nan)
    underground = edges["underground"].to_numpy(dtype=bool) if "underground" in edges else np.zeros(len(edges), bool)
    return u[keep].astype(np.intp), v[keep].astype(np.intp), length[keep], underground[keep]


def _symmetric_lengths(
    first: NDArray[np.intp], second: NDArray[np.intp], length: NDArray[np.float64], size: int
) -> csr_matrix:
    """A symmetric adjacency matrix keeping the shortest of parallel edges (COO would add them up)."""
    edges = pd.DataFrame({"a": np.minimum(first, second), "b": np.maximum(first, second), "length": length})
    shortest = edges.groupby(["a", "b"], sort=False)["length"].min().reset_index()
    a, b = shortest["a"].to_numpy(), shortest["b"].to_numpy()
    data = shortest["length"].to_numpy(dtype=np.float64)
    # Explicit zeros stay: csgraph reads an explicit zero in a sparse matrix as an edge of length 0.
    matrix = coo_matrix((np.concatenate([data, data]), (np.concatenate([a, b]), np.concatenate([b, a]))), (size, size))
    return csr_matrix(matrix)


def network_costs(
    network: WalkingNetwork,
    origins_lonlat: NDArray[np.float64],
    destinations_lonlat: NDArray[np.float64],
    max_cost_metres: float,
    *,
    chunk_size: int | None = None,
) -> csr_matrix:
    """Walking metres from each origin to each destination (n_origins x n_destinations), pairs within the limit only.

    Origins sharing a nearest node are routed once; sources are routed `chunk_size` at a time (by
    default as many as fit in `CHUNK_ELEMENTS` distances) so memory stays bounded on a large city.
    """
    if not max_cost_metres >= 0:  # also refuses NaN
        raise ValueError(f"max_cost_metres must be a non-negative number of metres, got {max_cost_metres!r}")
    origin_nodes, origin_offsets = network.snap(origins_lonlat)
    destination_nodes, destination_offsets = network.snap(destinations_lonlat)
    sources, source_of_origin = np.unique(origin_nodes, return_inverse=True)
    by_source = np.argsort(source_of_origin, kind="stable")
    step = chunk_size or max(1, CHUNK_ELEMENTS // max(network.node_count, len(destination_nodes), 1))
    rows, columns, values = [], [], []
    for start in range(0, len(sources), step):
        chunk = sources[start : start + step]
        walked = dijkstra(network.lengths, directed=False, indices=chunk, limit=max_cost_metres)
        to_destinations = walked[:, destination_nodes] + destination_offsets
        lo, hi = np.searchsorted(source_of_origin[by_source], [start, start + len(chunk)])
        origins = by_source[lo:hi]
        totals = to_destinations[source_of_origin[origins] - start] + origin_offsets[origins, None]
        within_row, within_column = np.nonzero(totals <= max_cost_metres)
        rows.append(origins[within_row])
        columns.append(within_column)
        values.append(totals[within_row, within_column])
    shape = (len(origin_nodes), len(destination_nodes))
    return _sparse(rows, columns, values, shape)


def _sparse(
    rows: list[NDArray[Any]], columns: list[NDArray[Any]], values: list[NDArray[Any]], shape: tuple[int, int]
) -> csr_matrix:
    """A canonical CSR cost matrix from chunks of distinct pairs, zero costs kept as stored entries."""
    if not values:
        rows, columns, values = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0)]
    return csr_from_pairs(np.concatenate(rows), np.concatenate(columns), np.concatenate(values), shape)


@overload
def walking_minutes(metres: float, speed_kmh: float = WALKING_SPEED_KMH) -> float: ...
@overload
def walking_minutes(metres: NDArray[np.float64], speed_kmh: float = WALKING_SPEED_KMH) -> NDArray[np.float64]: ...
def walking_minutes(
    metres: float | NDArray[np.float64], speed_kmh: float = WALKING_SPEED_KMH
) -> float | NDArray[np.float64]:
    """Minutes needed to walk `metres` at `speed_kmh` (4.8 km/h: 800 m is ten minutes)."""
    return metres / (speed_kmh * 1000 / 60)


def walking_metres(minutes: float, speed_kmh: float = WALKING_SPEED_KMH) -> float:
    """Metres walked in `minutes` at `speed_kmh` (ten minutes: 800 m)."""
    return minutes * speed_kmh * 1000 / 60


def _open_osm(pbf_path: str | Path) -> Any:
    """pyrosm's reader for an OpenStreetMap PBF extract (pyrosm and geopandas ship no type information)."""
    from pyrosm import OSM  # type: ignore[import-untyped]

    return OSM(str(pbf_path))


def read_walking_network(pbf_path: str | Path, *, largest_component_only: bool = True) -> WalkingNetwork:
    """The walking network of an OpenStreetMap extract (pyrosm's `walking` filter)."""
    nodes, edges = _open_osm(pbf_path).get_network(network_type="walking", nodes=True)
    # `edges.length` would be geopandas' planar length in degrees: the metres are in the "length" column.
    frame = pd.DataFrame(edges[["u", "v", "length"]])
    tunnel = edges["tunnel"] if "tunnel" in edges else pd.Series(None, index=edges.index)
    frame["underground"] = tunnel.notna().to_numpy() & ~tunnel.isin(["no", "building_passage"]).to_numpy()
    nodes = pd.DataFrame(nodes[["id", "lon", "lat"]])
    return WalkingNetwork.from_frames(nodes, frame, largest_component_only=largest_component_only)


def read_learning_venues(pbf_path: str | Path, amenities: tuple[str, ...] = LEARNING_AMENITIES) -> pd.DataFrame:
    """Places of learning in an extract: `osm_type`, `osm_id`, `amenity`, `name` (or None), `lon`, `lat`.

    Buildings and grounds mapped as polygons are placed at their centroid. The same named place
    mapped twice (a point and a building of the same amenity within 250 m) is kept once.
    """
    found = _open_osm(pbf_path).get_pois(custom_filter={"amenity": list(amenities)})
    if found is None or len(found) == 0:
        return pd.DataFrame(columns=["osm_type", "osm_id", "amenity", "name", "lon", "lat"])
    # Centroids in metres (the local UTM zone), not degrees, then back to lon/lat.
    centroids = found.geometry.to_crs(found.geometry.estimate_utm_crs()).centroid.to_crs(4326)
    names = found["name"] if "name" in found else pd.Series(None, index=found.index)
    venues = pd.DataFrame({
        "osm_type": found["osm_type"].to_numpy(),
        "osm_id": found["id"].to_numpy(dtype=np.int64),
        "amenity": found["amenity"].to_numpy(),
        "name": names.astype(object).where(names.notna(), None).to_numpy(),
        "lon": centroids.x.to_numpy(dtype=np.float64),
        "lat": centroids.y.to_numpy(dtype=np.float64),
    })  # fmt: skip
    return drop_duplicate_venues(venues)


def drop_duplicate_venues(venues: pd.DataFrame, within_metres: float = 250) -> pd.DataFrame:
    """Venues without the repeats of a named one: same name and amenity, closer than `within_metres`."""
    venues = venues.reset_index(drop=True)
    if venues.empty:
        return venues
    xy = project_lonlat(venues["lon"].to_numpy(dtype=np.float64), venues["lat"].to_numpy(dtype=np.float64))
    repeat = np.zeros(len(venues), dtype=bool)
    for _, group in venues[venues["name"].notna()].groupby(["name", "amenity"]).groups.items():
        positions = venues.index.get_indexer(group)
        for later, position in enumerate(positions[1:], start=1):
            earlier = positions[:later][~repeat[positions[:later]]]
            if (np.hypot(*(xy[earlier] - xy[position]).T) < within_metres).any():
                repeat[position] = True
    return venues[~repeat].reset_index(drop=True)

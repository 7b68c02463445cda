"""Coordinators analyse their own areas (here Paris's 965 census areas) by upload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import ROLES
from tests.factories import World

URL = "/en/coordinate/access/areas/"
PARIS = Path(__file__).resolve().parents[3] / "shared" / "data" / "paris" / "iris_population.geojson"
SQUARE = (
    b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon", '
    b'"coordinates": [[[2.3, 48.85], [2.304, 48.85], [2.304, 48.853], [2.3, 48.853], [2.3, 48.85]]]}, '
    b'"properties": {"population": 900}}]}'
)


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_offers_the_upload_only_to_coordinators(
    world: World, client_for: Callable[[str], Client], role_index: int
) -> None:
    assert client_for(ROLES[role_index]).get(URL).status_code == [302, 403, 403, 403, 403, 200][role_index]


@pytest.mark.slow
def test_it_maps_the_learning_deserts_of_paris(world: World, client_for: Callable[[str], Client]) -> None:
    upload = SimpleUploadedFile("iris.geojson", PARIS.read_bytes(), content_type="application/geo+json")
    response = client_for("coordinator").post(URL, {
        "areas": upload, "population_property": "nb_pop", "supply_property": "school_capacity",
        "measure": "2sfca", "max_cost": "1000",
    })  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "965 areas, 2,203,632 inhabitants" in page
    assert page.count("<path ") >= 965
    assert "424 areas give no supply value" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"areas": b"{broken", "supply_property": "x"}, "is not UTF-8 JSON"),
        ({"areas": SQUARE, "supply_property": ""}, "Give either a venues file or a supply property"),
        ({"areas": SQUARE, "population_property": "people", "supply_property": "x"}, "&#x27;people&#x27; is missing"),
        ({"areas": SQUARE, "venues": b"longitude,latitude\n2.3,48.85\n"}, "missing column(s) supply"),
    ],
)
def test_it_explains_bad_uploads(
    world: World, client_for: Callable[[str], Client], fields: dict[str, object], message: str
) -> None:
    data: dict[str, object] = {"population_property": "population", "measure": "nearest", "max_cost": "800"}
    data.update(fields)
    for name in ("areas", "venues"):
        if isinstance(data.get(name), bytes):
            data[name] = SimpleUploadedFile(f"{name}.data", data[name])  # type: ignore[arg-type]
    response = client_for("coordinator").post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "<svg" not in response.content.decode()


def test_it_refuses_files_over_the_size_limit(world: World, client_for: Callable[[str], Client], settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client_for("coordinator").post(URL, {
        "areas": SimpleUploadedFile("big.geojson", SQUARE), "population_property": "population",
        "supply_property": "x",
    })  # fmt: skip
    assert "larger than the limit" in response.content.decode()

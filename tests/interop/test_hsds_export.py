"""The HSDS tabular data package: valid rows in every table, a faithful descriptor, a folder or a zip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.utils import translation

from learningcity.catalogue.models import Opportunity
from learningcity.cli import main
from learningcity.interop import hsds
from learningcity.interop.exports.hsds import ENUMS, TABLES, write_hsds
from tests.factories import World
from tests.interop.test_hsds_api import Catalogue, make_catalogue
from tests.interop.test_hsds_schemas import columns, schema, validate, validate_row


@pytest.fixture
def catalogue(world: World) -> Catalogue:
    return make_catalogue(world)


def read_tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    """Every CSV of the package by table name, after checking its header."""
    tables: dict[str, list[dict[str, str]]] = {}
    for name, (filename, table_columns) in TABLES.items():
        with (folder / filename).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == [column.name for column in table_columns], filename
            tables[name] = list(reader)
    return tables


def test_the_table_layout_is_the_official_one() -> None:
    assert len(TABLES) == 21
    for name, (filename, table_columns) in TABLES.items():
        official = schema(name)
        assert filename == official["path"]
        assert [column.name for column in table_columns] == columns(name)
        required = set(official.get("required", [])) | set(official.get("tabular_required", []))
        for column in table_columns:
            spec = official["properties"][column.name]
            assert column.type == spec.get("datapackage_type", spec["type"]), (name, column.name)
            assert column.format == ("" if spec.get("format") == "date-time" else spec.get("format", "")), column
            assert column.required == (column.name in required), (name, column.name)
            assert column.unique == spec["constraints"]["unique"], (name, column.name)
            assert ENUMS.get((name, column.name)) == spec.get("enum"), (name, column.name)


def test_every_row_of_the_package_is_valid_hsds(catalogue: Catalogue, tmp_path: Path) -> None:
    with translation.override("fr"):  # the command's language: the site's default
        count = write_hsds(catalogue.world.city, tmp_path / "hsds")
    assert count == 2
    tables = read_tables(tmp_path / "hsds")
    for name, rows in tables.items():
        for row in rows:
            validate_row(name, row)
    services = json.loads((tmp_path / "hsds" / "services.json").read_text(encoding="utf-8"))
    for service in services:
        validate("service", service)
    assert [len(tables[name]) for name in ("service", "organization", "service_at_location", "location")] == [
        2,
        2,
        3,
        3,
    ]
    assert len(tables["schedule"]) == 2, "the weekly series is one rule, the single session one schedule"
    assert [row["number"] for row in tables["phone"]] == ["01 23 45 67 89"]
    assert [row["identifier"] for row in tables["organization_identifier"]] == ["73282932000074"]
    assert [row["description"] for row in tables["accessibility"]] == ["accès de plain-pied"] * 2
    assert {row["name"] for row in tables["service"]} == {"Atelier d'aquarelle", "Tableur pour débutants"}


def test_its_keys_hold_as_the_descriptor_says(catalogue: Catalogue, tmp_path: Path) -> None:
    write_hsds(catalogue.world.city, tmp_path)
    tables = read_tables(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    ids = {name: [row["id"] for row in rows] for name, rows in tables.items()}
    for resource in descriptor["resources"]:
        name = resource["name"]
        assert resource["profile"] == "tabular-data-resource"
        assert [field["name"] for field in resource["schema"]["fields"]] == columns(name)
        assert len(set(ids[name])) == len(ids[name]), f"{name}: the primary key is unique"
        for key in resource["schema"].get("foreignKeys", []):
            target = key["reference"]["resource"] or name
            dangling = {row[key["fields"]] for row in tables[name]} - {""} - set(ids[target])
            assert not dangling, f"{name}.{key['fields']} points to missing {target} rows"


def test_it_writes_only_the_citys_published_listings(catalogue: Catalogue, tmp_path: Path) -> None:
    write_hsds(catalogue.world.city, tmp_path)
    text = "".join(path.read_text(encoding="utf-8") for path in tmp_path.iterdir())
    for hidden in ["Brouillon", "En attente", "Ailleurs"]:
        assert hidden not in text


def test_it_writes_the_same_package_to_a_zip_and_every_time(catalogue: Catalogue, tmp_path: Path) -> None:
    write_hsds(catalogue.world.city, tmp_path / "folder")
    write_hsds(catalogue.world.city, tmp_path / "hsds.zip")
    first = (tmp_path / "hsds.zip").read_bytes()
    write_hsds(catalogue.world.city, tmp_path / "hsds.zip")
    assert (tmp_path / "hsds.zip").read_bytes() == first, "same data, same bytes: ids are stable"
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(path.name for path in (tmp_path / "folder").iterdir())
        for name in names:
            assert archive.read(name) == (tmp_path / "folder" / name).read_bytes()
    assert {"datapackage.json", "services.json", "services.csv"} <= set(names)
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == [], "no temporary left"


def test_a_listing_keeps_its_ids_when_the_catalogue_changes(catalogue: Catalogue, tmp_path: Path) -> None:
    write_hsds(catalogue.world.city, tmp_path / "before")
    Opportunity.objects.filter(pk=catalogue.world.published.pk).update(status="archived")
    write_hsds(catalogue.world.city, tmp_path / "after")
    before, after = (read_tables(tmp_path / name)["service"] for name in ("before", "after"))
    assert [row["id"] for row in after] == [hsds.hsds_id("opportunity", catalogue.paid.pk)]
    assert after[0] == next(row for row in before if row["id"] == after[0]["id"])


def test_an_empty_catalogue_is_a_valid_empty_package(world: World, tmp_path: Path) -> None:
    Opportunity.objects.all().delete()
    assert write_hsds(world.city, tmp_path) == 0
    assert json.loads((tmp_path / "services.json").read_text()) == []
    assert all(rows == [] for name, rows in read_tables(tmp_path).items() if not name.startswith("taxonom"))


def test_the_export_command_writes_the_package(catalogue: Catalogue, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "hsds", "--output", str(tmp_path / "hsds.zip")])
    assert result.exit_code == 0, result.output
    assert "Exported 2 items of Testville as hsds." in result.output
    with zipfile.ZipFile(tmp_path / "hsds.zip") as archive:
        services = json.loads(archive.read("services.json"))
    assert {service["name"] for service in services} == {"Atelier d'aquarelle", "Tableur pour débutants"}

"""Validation against the official HSDS 3.0 JSON Schemas (read from ../shared, `$ref`s resolved locally).

Other HSDS tests import `validate` and `validate_row` from here; the tests below show the validator
itself accepts the official examples and refuses what HSDS refuses.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HSDS = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "hsds-3.0"
SCHEMAS = HSDS / "schema"
EXAMPLES = HSDS / "examples"
TABLES = [
    path.stem for path in sorted(SCHEMAS.glob("*.json")) if path.stem not in {"openapi", "service_with_definitions"}
]

FORMATS = FormatChecker()


def is_uri(value: object) -> bool:
    """An absolute URI (jsonschema checks this only with an optional package, so here by hand)."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.scheme in {"mailto", "urn", "tel"}))


def is_date_time(value: object) -> bool:
    """An RFC 3339 moment with its offset."""
    if not isinstance(value, str):
        return True
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value and moment.tzinfo is not None


FORMATS.checks("uri", raises=ValueError)(is_uri)
FORMATS.checks("date-time", raises=ValueError)(is_date_time)


@cache
def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.json").read_text())
    return loaded


@cache
def registry() -> Registry[Any]:
    resources = [(f"{name}.json", Resource.from_contents(schema(name), DRAFT202012)) for name in TABLES]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=registry(), format_checker=FORMATS)


def validate(name: str, instance: Any) -> None:
    """Fail with every error found when `instance` is not a valid HSDS `name` object."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{name} {list(e.absolute_path)}: {e.message}" for e in errors[:10])


def columns(name: str) -> list[str]:
    """The table's columns: its properties that are neither lists nor nested objects, in schema order."""
    return [
        key for key, spec in schema(name)["properties"].items() if "$ref" not in spec and spec.get("type") != "array"
    ]


def validate_row(name: str, row: dict[str, str]) -> None:
    """Fail when a CSV row (all text) is not a valid row of the HSDS table `name`.

    An empty cell is an absent value, except in a required text column, where it is the empty text
    (CSV cannot tell them apart; JSON Schema accepts "" where it requires a string).
    """
    instance: dict[str, Any] = {}
    properties = schema(name)["properties"]
    required = set(schema(name).get("required", []))
    for key, text in row.items():
        if text == "" and not (
            key in required and properties[key]["type"] == "string" and "format" not in properties[key]
        ):
            continue
        if properties[key]["type"] == "number":
            number = float(text)
            instance[key] = int(number) if number.is_integer() else number
        else:
            instance[key] = text
    missing = [key for key in schema(name).get("tabular_required", []) if key not in instance]
    assert not missing, f"{name} row {row.get('id')} lacks {missing}"
    validate(name, instance)


# The validator itself ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("example", "name"),
    [
        ("service_full.json", "service"),
        ("organization_full.json", "organization"),
        ("service_at_location_full.json", "service_at_location"),
        ("location.json", "location"),
        ("taxonomy.json", "taxonomy"),
        ("taxonomy_term.json", "taxonomy_term"),
    ],
)
def test_it_accepts_the_official_examples(example: str, name: str) -> None:
    validate(name, json.loads((EXAMPLES / example).read_text()))


def test_it_accepts_the_rows_of_the_official_tabular_example() -> None:
    for table in TABLES:
        path = EXAMPLES / "csv" / schema(table)["path"]
        if path.exists():
            import csv

            with path.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    validate_row(table, row)


@pytest.mark.parametrize(
    ("name", "instance", "complaint"),
    [
        ("service", {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "A"}, "'status' is a required property"),
        ("service", {"id": "not-a-uuid", "name": "A", "status": "active"}, "is not a 'uuid'"),
        ("service", {"id": "ac148810-d857-441c-9679-408f346de14b", "name": None, "status": "active"}, "not of type"),
        (
            "organization",
            {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "A", "description": "", "website": "example.com"},
            "is not a 'uri'",
        ),
        (
            "service",
            {
                "id": "ac148810-d857-441c-9679-408f346de14b",
                "name": "A",
                "status": "active",
                "last_modified": "2023-03-15 10:30",
            },
            "is not a 'date-time'",
        ),
        (
            "service",
            {
                "id": "ac148810-d857-441c-9679-408f346de14b",
                "name": "A",
                "status": "active",
                "phones": [{"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e"}],
            },
            "'number' is a required",
        ),
    ],
)
def test_it_refuses_what_hsds_refuses(name: str, instance: dict[str, Any], complaint: str) -> None:
    with pytest.raises(AssertionError, match=complaint):
        validate(name, instance)
    assert isinstance(next(validator(name).iter_errors(instance)), ValidationError)

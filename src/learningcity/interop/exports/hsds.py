"""The HSDS 3.0 tabular data package of a city's published catalogue (`learningcity export --format hsds`).

One CSV per HSDS table (all 21, empty ones with their header), a `datapackage.json` descriptor in the
layout of the official package (Frictionless `tabular-data-package`: each resource with its fields,
types, formats, constraints, primary and foreign keys), and `services.json`: every service fully
nested, as the API's `/services/{id}` gives it. Written to a folder, or to a .zip when the path ends
in .zip. Listings are read `CHUNK_SIZE` at a time and rows are streamed to the files, so memory stays
flat; the files are assembled in a temporary folder and moved into place only when complete.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from learningcity.catalogue.models import City
from learningcity.interop import hsds
from learningcity.interop.formats.hsds import HSDS_VERSION
from learningcity.spreadsheets import safe_cell

CHUNK_SIZE = 500

# The HSDS 3.0 tables in the official order, with their columns: `name[:type][/format][!][+]`, where the
# type is a Frictionless type other than string, `!` means required and `+` unique besides the id.
# tests/interop/test_hsds_export.py checks this against the official JSON Schemas.
TABLE_SPECS = [
    ("organization", "organizations.csv", "id/uuid! name! alternate_name description! email/email website/uri "
     "tax_status tax_id year_incorporated:number legal_status logo uri/uri parent_organization_id/uuid"),
    ("program", "programs.csv", "id/uuid! organization_id/uuid!+ name! alternate_name description!"),
    ("service", "services.csv", "id/uuid! organization_id/uuid! program_id/uuid name! alternate_name description "
     "url/uri email/email status! interpretation_services application_process fees_description wait_time fees "
     "accreditations eligibility_description minimum_age:number maximum_age:number assured_date:date "
     "assurer_email/email licenses alert last_modified:datetime"),
    ("attribute", "attributes.csv", "id/uuid! link_id/uuid! taxonomy_term_id/uuid! link_type link_entity! value"),
    ("service_at_location", "service_at_location.csv", "id/uuid! service_id/uuid! location_id/uuid! description"),
    ("location", "locations.csv", "id/uuid! location_type! url/uri organization_id/uuid name alternate_name "
     "description transportation latitude:number longitude:number external_identifier external_identifier_type"),
    ("phone", "phones.csv", "id/uuid! location_id/uuid service_id/uuid organization_id/uuid contact_id/uuid "
     "service_at_location_id/uuid number! extension:number type description"),
    ("contact", "contacts.csv", "id/uuid! organization_id/uuid service_id/uuid service_at_location_id/uuid "
     "location_id/uuid name title department email/email"),
    ("address", "addresses.csv", "id/uuid! location_id/uuid attention address_1! address_2 city! region "
     "state_province! postal_code! country! address_type!"),
    ("schedule", "schedules.csv", "id/uuid! service_id/uuid location_id/uuid service_at_location_id/uuid "
     "valid_from:date valid_to:date dtstart:date timezone:number until:date count:number wkst freq "
     "interval:number byday byweekno bymonthday byyearday description opens_at:time closes_at:time "
     "schedule_link/uri attending_type notes"),
    ("funding", "funding.csv", "id/uuid! organization_id/uuid service_id/uuid source"),
    ("service_area", "service_areas.csv", "id/uuid! service_id/uuid name description extent extent_type uri"),
    ("required_document", "required_documents.csv", "id/uuid! service_id/uuid document uri/uri"),
    ("language", "languages.csv", "id/uuid! service_id/uuid location_id/uuid phone_id/uuid name code note"),
    ("accessibility", "accessibility.csv", "id/uuid! location_id/uuid description details url/uri"),
    ("taxonomy_term", "taxonomy_terms.csv", "id/uuid! code+ name! description! parent_id/uuid taxonomy language "
     "taxonomy_id/uuid term_uri/uri"),
    ("metadata", "metadata.csv", "id/uuid! resource_id/uuid! resource_type! last_action_date:date! "
     "last_action_type! field_name! previous_value! replacement_value! updated_by!"),
    ("meta_table_description", "meta_table_descriptions.csv", "id/uuid! name language character_set"),
    ("cost_option", "cost_options.csv", "id/uuid! service_id/uuid! valid_from:date valid_to:date option currency "
     "amount:number amount_description"),
    ("organization_identifier", "organization_identifiers.csv", "id/uuid! organization_id/uuid! identifier_scheme "
     "identifier_type! identifier!"),
    ("taxonomy", "taxonomies.csv", "id/uuid! name! description! uri/uri version"),
]  # fmt: skip
ENUMS = {
    ("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
    ("location", "location_type"): ["physical", "postal", "virtual"],
    ("address", "address_type"): ["physical", "postal", "virtual"],
    ("schedule", "wkst"): ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
    ("schedule", "freq"): ["WEEKLY", "MONTHLY"],
}
FOREIGN_KEYS = {
    "organization_id": "organization", "parent_organization_id": "organization", "program_id": "program",
    "service_id": "service", "location_id": "location", "service_at_location_id": "service_at_location",
    "contact_id": "contact", "phone_id": "phone", "taxonomy_term_id": "taxonomy_term", "taxonomy_id": "taxonomy",
}  # fmt: skip
# Nested lists and objects of each table, and the table their items are rows of.
CHILDREN = {
    "service": {"organization": "organization", "service_at_locations": "service_at_location",
                "schedules": "schedule", "languages": "language", "cost_options": "cost_option",
                "attributes": "attribute", "phones": "phone"},
    "service_at_location": {"location": "location"},
    "location": {"addresses": "address", "accessibility": "accessibility"},
    "organization": {"phones": "phone", "organization_identifiers": "organization_identifier", "locations": "location"},
    "attribute": {"taxonomy_term": "taxonomy_term"},
    "taxonomy_term": {"taxonomy_detail": "taxonomy"},
}  # fmt: skip
# Rows of these tables belong to one service and are met once; others (a venue, a provider) may recur.
OWNED_BY_ONE_SERVICE = {"service", "service_at_location", "schedule", "language", "cost_option", "attribute"}


@dataclass(frozen=True)
class Column:
    """A column of an HSDS table and its Frictionless field descriptor."""

    name: str
    type: str = "string"
    format: str = ""
    required: bool = False
    unique: bool = False

    @classmethod
    def read(cls, token: str) -> Column:
        required, unique = token.endswith("!") or "!+" in token, token.endswith("+")
        token = token.rstrip("!+")
        token, _slash, form = token.partition("/")
        name, _colon, kind = token.partition(":")
        return cls(name, kind or "string", form, required, unique or name == "id")


TABLES: dict[str, tuple[str, list[Column]]] = {
    name: (path, [Column.read(token) for token in spec.split()]) for name, path, spec in TABLE_SPECS
}


def write_hsds(city: City, path: Path) -> int:
    """Write the city's HSDS data package at `path` (a folder, or a .zip); the number of services written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as work:
        folder = Path(work)
        count = _write_files(city, folder)
        if path.suffix.lower() == ".zip":
            _zip(folder, path)
        else:
            _move_into(folder, path)
    return count


def _write_files(city: City, folder: Path) -> int:
    with ExitStack() as stack:
        tables = Tables(folder, stack)
        for organisation in hsds.hsds_organisations(city):  # first, fully: services name them again, briefly
            tables.add("organization", hsds.organization_object(organisation, full=True))
        services = stack.enter_context((folder / "services.json").open("w", encoding="utf-8"))
        count = _write_services(city, tables, services)
        for taxonomy in hsds.taxonomy_objects():
            tables.add("taxonomy", taxonomy)
        for term in hsds.taxonomy_terms():
            tables.add("taxonomy_term", term)
    descriptor = datapackage(city)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return count


def _write_services(city: City, tables: Tables, stream: IO[str]) -> int:
    """Every published service into its tables and, fully nested, into services.json; how many."""
    count = 0
    stream.write("[")
    for chunk in hsds.iter_chunks(hsds.published_services(city), CHUNK_SIZE):
        for opportunity in chunk:
            service = hsds.service_object(opportunity, full=True)
            stream.write(",\n" if count else "\n")
            stream.write(json.dumps(service, ensure_ascii=False))
            tables.add("service", service)
            count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


class Tables:
    """One CSV writer per HSDS table; nested objects become rows of their own tables, each once."""

    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.writers: dict[str, Any] = {}
        self.seen: dict[str, set[str]] = {name: set() for name in TABLES}
        for name, (filename, columns) in TABLES.items():
            stream = stack.enter_context((folder / filename).open("w", encoding="utf-8", newline=""))
            writer = csv.writer(stream)
            writer.writerow([column.name for column in columns])
            self.writers[name] = writer

    def add(self, table: str, item: dict[str, Any]) -> None:
        """Write `item` as a row of `table` (unless already written), then its nested items."""
        if table not in OWNED_BY_ONE_SERVICE:
            if item["id"] in self.seen[table]:
                return
            self.seen[table].add(item["id"])
        self.writers[table].writerow([_cell(item.get(column.name)) for column in TABLES[table][1]])
        for key, child_table in CHILDREN.get(table, {}).items():
            value = item.get(key)
            for child in value if isinstance(value, list) else [value] if value else []:
                self.add(child_table, child)


def _cell(value: Any) -> Any:
    """A CSV cell: absent is empty, whole numbers without ".0", text safe from spreadsheet formulas."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return safe_cell(value)


def datapackage(city: City) -> dict[str, Any]:
    """The Frictionless descriptor of the package, in the layout of the official HSDS one."""
    return {
        "name": f"{city.slug}-hsds",
        "title": _("%(city)s: learning opportunities (Open Referral HSDS %(version)s)")
        % {"city": city.name, "version": HSDS_VERSION},
        "description": _(
            "The published learning opportunities of %(city)s as Open Referral Human Services Data "
            "Specification tables. services.json holds the same services fully nested."
        )
        % {"city": city.name},
        "version": HSDS_VERSION,
        "homepage": settings.SITE_URL,
        "profile": "tabular-data-package",
        "resources": [_resource(name) for name in TABLES],
    }


def _resource(name: str) -> dict[str, Any]:
    filename, columns = TABLES[name]
    foreign_keys = [
        {"fields": column.name, "reference": {"resource": FOREIGN_KEYS[column.name], "fields": "id"}}
        for column in columns
        if column.name in FOREIGN_KEYS
    ]
    if any(column.name == "parent_id" for column in columns):
        foreign_keys.append({"fields": "parent_id", "reference": {"resource": "", "fields": "id"}})
    schema: dict[str, Any] = {"fields": [_field(name, column) for column in columns], "primaryKey": "id"}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {
        "name": name,
        "path": filename,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "schema": schema,
    }


def _field(table: str, column: Column) -> dict[str, Any]:
    constraints: dict[str, Any] = {"required": column.required}
    if column.unique:
        constraints["unique"] = True
    if (table, column.name) in ENUMS:
        constraints["enum"] = ENUMS[(table, column.name)]
    field: dict[str, Any] = {"name": column.name, "type": column.type}
    if column.format:
        field["format"] = column.format
    return field | {"constraints": constraints}


# Files -----------------------------------------------------------------------------------------------


def _zip(folder: Path, path: Path) -> None:
    """Zip the folder's files into `path`, replacing it only once complete (fixed dates: same data, same bytes)."""
    temporary = folder / f".{path.name}"
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in _package_files(folder):
            info = zipfile.ZipInfo(file.name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with file.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target)
    os.replace(temporary, path)


def _move_into(folder: Path, path: Path) -> None:
    """Move each file into the target folder (made if missing); other files there are left alone."""
    path.mkdir(parents=True, exist_ok=True)
    for file in _package_files(folder):
        os.replace(file, path / file.name)


def _package_files(folder: Path) -> list[Path]:
    return sorted(file for file in folder.iterdir() if not file.name.startswith("."))

"""One module per file format; each exposes `parse(data, options) -> Iterator[Parsed]`."""

from __future__ import annotations

from importlib import import_module

from learningcity.interop.records import Parser

MODULES = {
    "csv": "learningcity.interop.formats.tabular",
    "xlsx": "learningcity.interop.formats.tabular",
    "ics": "learningcity.interop.formats.icalendar",
    "openagenda": "learningcity.interop.formats.openagenda",
    "lheo": "learningcity.interop.formats.lheo",
    "hsds": "learningcity.interop.formats.hsds",
}


def parser_for(format_name: str) -> Parser:
    """The parse function of a format (`csv` and `xlsx` share the tabular module)."""
    module = import_module(MODULES[format_name])
    parse: Parser = getattr(module, f"parse_{format_name}", None) or module.parse
    return parse

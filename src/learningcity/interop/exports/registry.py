"""Every export format and the function that writes it; `export` runs one (the `learningcity export` command).

Writers are named, not imported, so that this module loads without Django and a format whose module
is missing fails only when it is asked for. Each writer is `write_x(city, path: Path) -> int`: it
writes the city's public catalogue at `path` (a file, or a folder where the format needs several
files) and returns how many items (listings, services, events) it wrote.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from learningcity.catalogue.models import City

EXPORTERS: dict[str, str] = {
    "hsds": "learningcity.interop.exports.hsds:write_hsds",
    "lheo": "learningcity.interop.exports.lheo:write_lheo",
    "csv": "learningcity.interop.exports.catalogue:write_csv",
    "parquet": "learningcity.interop.exports.catalogue:write_parquet",
    "ics": "learningcity.interop.exports.catalogue:write_ics",
}


class Writer(Protocol):
    """The signature of every export function."""

    def __call__(self, city: City, path: Path) -> int: ...


class ExportUnavailableError(Exception):
    """The format is unknown, or its writer is not part of this installation."""


def writer_for(format_name: str) -> Writer:
    """The function writing `format_name`, imported on first use."""
    if format_name not in EXPORTERS:
        choices = ", ".join(sorted(EXPORTERS))
        raise ExportUnavailableError(f"Unknown export format {format_name!r}: choose one of {choices}.")
    module_name, _, function_name = EXPORTERS[format_name].partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # a dependency of the writer is missing: that is a bug to see, not a format to hide
        raise ExportUnavailableError(f"The {format_name} export is not available in this installation.") from error
    writer: Writer = getattr(module, function_name)
    return writer


def export(format_name: str, city: City, path: Path) -> int:
    """Write the city's public catalogue in `format_name` at `path`; the number of items written."""
    return writer_for(format_name)(city, Path(path))

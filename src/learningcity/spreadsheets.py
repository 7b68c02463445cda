"""CSV cells that a spreadsheet shows and never runs (OWASP "CSV injection"), for every download."""

from __future__ import annotations

# A cell starting with one of these may be read as a formula (or a DDE call) by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: object) -> object:
    """Text that starts like a formula gets a leading quote; numbers, dates and `None` pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

"""Whatever a spreadsheet holds, the tabular parsers give records or row errors, or refuse the file: never a crash."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learningcity.interop.formats import tabular
from learningcity.interop.records import FileRejected, OpportunityRecord, ParseOptions, RowError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_WORKBOOKS = settings(FUZZ, max_examples=80)  # each example writes a workbook: fewer keep CI fast
TARGETS = [target for target in tabular.TARGETS if target]
HEADINGS = ["Titre", "Intitulé", "Title", "Date", "Début", "Fin", "Heure", "Lieu", "CP", "Tarif", "Gratuit",
            "Âge min", "Lat", "Lon", "ID", "Formacode", "Langues", "Public", "Type", "Mode", "Places"]  # fmt: skip

# Text that looks like what spreadsheets hold, and what breaks CSV: separators, quotes, line ends.
cell_text = st.one_of(
    st.text(alphabet=st.sampled_from(list(',;\t"\r\n ')) | st.characters(), max_size=30),
    st.sampled_from(["", "oui", "non", "x", "12,50 €", "25/12/2026", "25/12/2026 14h30", "2026-12-25T14:30:00+01:00",
                     "14h30", "46381", "8-12 ans", "-3", "1e400", "nan", "inf", "99999999999999999999", "31/02/2026",
                     "9999-12-31T23:59:59", "0001-01-01", "15234", "M1607", "<p>hi</p>", "\x00", "é" * 3]),
)  # fmt: skip
excel_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    # Spreadsheets hold no control characters; a leading "=" would be a formula.
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=20).filter(lambda text: not text.startswith("=")),
)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def check(data: bytes, format_name: str, options: ParseOptions | None = None) -> list[Any]:
    """Parse, accepting only FileRejected; every item must be a sound record or a row error."""
    options = options or ParseOptions(max_field_chars=500)
    parser = tabular.parse_xlsx if format_name == "xlsx" else tabular.parse_csv
    try:
        items = list(parser(data, options))
    except FileRejected as rejection:
        reason = rejection.reason
        items = []
    else:
        reason = "read"
    assert reason.strip(), "a refusal always says why"
    for item in items:
        assert item.line >= 2
        if isinstance(item, RowError):
            assert item.reason
            assert item.field in tabular.TARGETS
            continue
        assert isinstance(item, OpportunityRecord)
        assert item.external_id
        assert item.title_fr or item.title_en
        for session in item.sessions:
            assert session.start.tzinfo is not None
            assert session.end > session.start
        assert item.fingerprint()
    return items


def workbook_bytes(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(data=st.binary(max_size=2000), format_name=st.sampled_from(["csv", "xlsx"]))
def test_arbitrary_bytes_are_read_or_refused(data: bytes, format_name: str) -> None:
    check(data, format_name)
    for probe in (tabular.headings, tabular.sample_rows):
        with contextlib.suppress(FileRejected):
            probe(data, format_name)


@FUZZ
@given(
    rows=st.lists(st.lists(cell_text, min_size=1, max_size=8), min_size=1, max_size=8),
    names=st.lists(st.sampled_from(HEADINGS), min_size=1, max_size=8),
    separator=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
    quote=st.booleans(),
)
def test_broken_csv_in_any_encoding_is_read_or_refused(
    rows: list[list[str]], names: list[str], separator: str, encoding: str, quote: bool
) -> None:
    def line(cells: list[str]) -> str:
        return separator.join(f'"{cell}"' if quote else cell for cell in cells)

    text = "\r\n".join([line(names), *(line(cells) for cells in rows)])
    check(text.encode(encoding, errors="replace"), "csv")


@FUZZ
@given(
    mapping=st.lists(st.sampled_from(TARGETS), min_size=1, max_size=10),
    rows=st.lists(st.lists(cell_text, max_size=10), max_size=6),
)
def test_any_mapping_over_any_cells_gives_records_or_row_errors(mapping: list[str], rows: list[list[str]]) -> None:
    mapping = ["title_fr", *mapping]  # a title column, so that rows get read rather than the file refused
    names = [f"C{index}" for index in range(len(mapping))]
    text = "\n".join(",".join(f'"{cell.replace(chr(34), chr(34) * 2)}"' for cell in row) for row in [names, *rows])
    options = ParseOptions(mapping=dict(zip(names, mapping, strict=True)), max_field_chars=500)
    check(text.encode("utf-8", "surrogatepass"), "csv", options)


@FUZZ
@given(size=st.integers(min_value=0, max_value=3000), target=st.sampled_from(TARGETS))
def test_gigantic_fields_are_row_errors_naming_the_field(size: int, target: str) -> None:
    content = f'Titre,Big\nA,"{"9" * size}"\n'.encode()
    options = ParseOptions(
        mapping={"Titre": "title_fr", "Big": target} if target != "title_fr" else {}, max_field_chars=1000
    )
    items = check(content, "csv", options)
    if size > 1000 and target not in {"title_fr"}:
        assert [(item.line, item.field) for item in items] == [(2, target)]


@FUZZ_WORKBOOKS
@given(rows=st.lists(st.lists(excel_value, max_size=len(HEADINGS)), max_size=6))
def test_wrong_types_in_a_workbook_give_records_or_row_errors(rows: list[list[Any]]) -> None:
    check(workbook_bytes([HEADINGS, *rows]), "xlsx")


@FUZZ_WORKBOOKS
@given(cut=st.integers(min_value=0, max_value=4000), flips=st.lists(st.integers(min_value=0), max_size=5))
def test_damaged_workbooks_are_read_or_refused(cut: int, flips: list[int]) -> None:
    data = bytearray(workbook_bytes([["Titre", "Date"], ["Atelier", datetime(2026, 12, 25, 14, 30)]]))
    for position in flips:
        data[position % len(data)] ^= 0xFF
    check(bytes(data[: len(data) - cut]), "xlsx")


def test_excel_serials_and_times_at_the_edges_never_crash() -> None:
    rows: list[list[Any]] = [["Titre", "Date", "Heure", "Heure de fin"]]
    rows += [
        ["A", serial, fraction, fraction]
        for serial in (0, 1, 60, 2_958_465, 2_958_466, -1)
        for fraction in (0.0, 0.999999)
    ]
    rows += [["B", datetime(2200, 12, 31, 23, 59), time(23, 59), timedelta(hours=30)]]
    check(workbook_bytes(rows), "xlsx")


@FUZZ_WORKBOOKS
@given(numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False) | st.integers(), min_size=1, max_size=20))
def test_any_number_in_date_and_time_columns_is_a_date_a_time_or_a_row_error(numbers: list[float]) -> None:
    rows: list[list[Any]] = [["Titre", "Date", "Début", "Heure de fin"]]
    rows += [["A", number, number, number] for number in numbers]
    check(workbook_bytes(rows), "xlsx")
    text = "Titre,Date,Début,Heure de fin\n" + "".join(f"A,{number},{number},{number}\n" for number in numbers)
    check(text.encode(), "csv")

"""CSV and XLSX imports: encodings, separators, Excel dates, grouping, guesses, and the column-mapping page."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.catalogue.models import Opportunity, Session, Venue
from learningcity.interop import services
from learningcity.interop.formats import tabular
from learningcity.interop.models import ColumnMapping, ImportJob, JobStatus, SourceRecord
from learningcity.interop.pipeline import run_import
from learningcity.interop.records import FileRejected, OpportunityRecord, ParseOptions, RowError
from tests.conftest import ROLES
from tests.factories import World
from tests.interop.conftest import run_worker

FIXTURES = Path(__file__).parent / "fixtures"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are asserted in English (the source language), whatever LANGUAGE_CODE says."""
    with translation.override("en"):
        yield


def parse(data: bytes, format_name: str = "csv", **options: Any) -> list[OpportunityRecord | RowError]:
    parser = tabular.parse_xlsx if format_name == "xlsx" else tabular.parse_csv
    return list(parser(data, ParseOptions(**options)))


def records(items: list[OpportunityRecord | RowError]) -> list[OpportunityRecord]:
    assert not [item for item in items if isinstance(item, RowError)], items
    return [item for item in items if isinstance(item, OpportunityRecord)]


def errors(items: list[OpportunityRecord | RowError]) -> list[RowError]:
    return [item for item in items if isinstance(item, RowError)]


def one(data: str, **options: Any) -> OpportunityRecord:
    """The single record of a small UTF-8 CSV."""
    (record,) = records(parse(data.encode(), **options))
    return record


def workbook(*sheets: tuple[str, list[list[Any]]], number_formats: dict[str, str] | None = None) -> bytes:
    """An XLSX file with the given sheets; `number_formats` maps a cell ("C2") of the first sheet to a format."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    for cell, number_format in (number_formats or {}).items():
        book.worksheets[0][cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Encodings and separators -------------------------------------------------------------------------


def test_it_reads_a_french_agenda_in_windows_1252_with_semicolons() -> None:
    items = records(parse((FIXTURES / "tabular_agenda_fr.csv").read_bytes()))
    aquarelle, conference = items
    assert aquarelle.external_id == "AQ-1"
    assert aquarelle.title_fr == "Atelier d'aquarelle"
    assert aquarelle.description_fr == "Découvrir l'aquarelle;\npinceaux fournis."
    assert aquarelle.line == 2
    assert (aquarelle.kind, aquarelle.price, aquarelle.is_free) == ("workshop", Decimal("12.50"), False)
    assert (aquarelle.age_min, aquarelle.age_max, aquarelle.capacity) == (8, None, 12)
    assert aquarelle.registration_required is True
    assert aquarelle.audiences == ["families", "children"]
    assert aquarelle.topics == ["arts-plastiques"]
    assert aquarelle.venue is not None
    assert (aquarelle.venue.name, aquarelle.venue.postcode, aquarelle.venue.city_name) == (
        "Médiathèque des Rives", "37100", "Tours",
    )  # fmt: skip
    assert (aquarelle.venue.latitude, aquarelle.venue.longitude) == (47.401, 0.689)
    assert aquarelle.organisation is not None
    assert aquarelle.organisation.name == "Médiathèque A"
    assert [(s.start, s.end) for s in aquarelle.sessions] == [
        (datetime(2027, 1, day, 14, 30, tzinfo=PARIS), datetime(2027, 1, day, 16, 30, tzinfo=PARIS))
        for day in (12, 19, 26)
    ]
    assert conference.line == 5  # the quoted newline in line 2's description is one spreadsheet row
    assert (conference.kind, conference.price, conference.is_free) == ("talk", Decimal(0), True)
    assert (conference.age_min, conference.age_max) == (12, 99)
    assert [(s.start, s.end) for s in conference.sessions] == [
        (datetime(2027, 7, 15, 20, 30, tzinfo=PARIS), datetime(2027, 7, 15, 22, 0, tzinfo=PARIS))
    ]


def test_it_reads_utf8_with_a_bom_commas_quoted_newlines_and_offsets() -> None:
    spanish, club = records(parse((FIXTURES / "tabular_courses_en.csv").read_bytes()))
    assert (spanish.title_en, spanish.title_fr) == ("Spanish for beginners", "Espagnol pour débutants")
    assert "notebook" in spanish.description_fr
    assert "<" not in spanish.description_fr
    assert spanish.price == Decimal("1234.50")
    assert spanish.languages == ["es", "fr"]
    assert spanish.keywords == ["languages", "evening"]
    assert spanish.venue is not None
    assert spanish.venue.address == "12, rue Nationale"
    assert spanish.organisation is not None
    assert spanish.organisation.siret == "73282932000074"
    assert spanish.sessions[0].start == datetime(2027, 2, 1, 17, 0, tzinfo=ZoneInfo("UTC"))
    assert (club.title_fr, club.title_en, club.kind, club.age_min) == ("", "Coding club", "club", 10)
    assert club.keywords == ["code", "robots"]
    assert club.sessions[0].start == datetime(2027, 2, 3, 17, 0, tzinfo=PARIS)


ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_it_finds_the_encoding_and_the_separator(encoding: str, separator: str) -> None:
    text = separator.join(["Intitulé", "Âge min", "Lieu"]) + "\n"
    text += separator.join(["Café-théâtre «été»", "7", "Salle Molière"]) + "\n"
    (record,) = records(parse(text.encode(encoding)))
    assert (record.title_fr, record.age_min) == ("Café-théâtre «été»", 7)
    assert record.venue is not None
    assert record.venue.name == "Salle Molière"


def test_it_reads_commas_inside_quotes_when_the_separator_is_a_semicolon() -> None:
    record = one('Titre;Tarif;Mots clés\n"Atelier, niveau 1";"3,50";"a, b"\n')
    assert (record.title_fr, record.price, record.keywords) == ("Atelier, niveau 1", Decimal("3.50"), ["a", "b"])


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (b'Titre,Lieu\nA,B\n"C,D\nE,F\n', 3, "never closed"),
        (b'Titre,Lieu\nA,B\nC,"D"x\n', 3, "closing quote"),
    ],
)
def test_malformed_csv_is_rejected_with_its_line(content: bytes, line: int, words: str) -> None:
    with pytest.raises(FileRejected) as rejection:
        parse(content)
    assert rejection.value.line == line
    assert words in rejection.value.reason


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "no column headings"),
        (b"\n\n,,\n", "no column headings"),
        (b"PK\x03\x04rest of a zip", "choose the XLSX format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel file"),
        (b"Titre\x00,Lieu\nA,B", "not a text file"),
        (b"\xef\xbb\xbfTitre\n\xff\xfe", "encoding"),
    ],
)
def test_files_that_are_not_csv_are_rejected_with_a_reason(content: bytes, words: str) -> None:
    with pytest.raises(FileRejected, match=words):
        parse(content)


def test_too_many_rows_reject_the_file_saying_the_limit() -> None:
    content = ("Titre\n" + "".join(f"Atelier {n}\n" for n in range(6))).encode()
    assert len(records(parse(content, max_rows=6))) == 6
    with pytest.raises(FileRejected, match="more than 5 rows"):
        parse(content, max_rows=5)


def test_a_gigantic_cell_is_a_row_error_naming_its_field() -> None:
    content = f"Titre,Description\nA,{'x' * 150}\nB,court\n".encode()
    items = parse(content, max_field_chars=100)
    (error,) = errors(items)
    assert (error.line, error.field) == (2, "description_fr")
    assert "150 characters" in error.reason
    assert "100" in error.reason
    assert [item.title_fr for item in items if isinstance(item, OpportunityRecord)] == ["B"]


# Values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-12-25T14:30", datetime(2026, 12, 25, 14, 30, tzinfo=PARIS)),
        ("2026-12-25T14:30:00+00:00", datetime(2026, 12, 25, 15, 30, tzinfo=PARIS)),
        ("2026-12-25T13:30:00Z", datetime(2026, 12, 25, 14, 30, tzinfo=PARIS)),
        ("25/12/2026 14:30", datetime(2026, 12, 25, 14, 30, tzinfo=PARIS)),
        ("25/12/2026 14h30", datetime(2026, 12, 25, 14, 30, tzinfo=PARIS)),
        ("25.12.2026 à 14h30", datetime(2026, 12, 25, 14, 30, tzinfo=PARIS)),
        ("2026-12-25 14h30", datetime(2026, 12, 25, 14, 30, tzinfo=PARIS)),
        ("2026-07-14 14h30", datetime(2026, 7, 14, 12, 30, tzinfo=ZoneInfo("UTC"))),  # summer time: +02:00
        ("46381.6041666667", datetime(2026, 12, 25, 14, 30, tzinfo=PARIS)),  # an Excel serial in a CSV
    ],
)
def test_it_reads_dates_in_text_as_local_times(start: str, expected: datetime) -> None:
    record = one(f"Titre,Début,Heure de fin\nAtelier,{start},23:00\n")
    assert record.sessions[0].start == expected


def test_a_day_without_times_lasts_the_day_and_a_date_range_the_days() -> None:
    content = "Titre,Date de début,Date de fin\nStage,25/12/2026,27/12/2026\nFête,28/12/2026,\n"
    stage, party = records(parse(content.encode()))
    assert (stage.sessions[0].start, stage.sessions[0].end) == (
        datetime(2026, 12, 25, tzinfo=PARIS), datetime(2026, 12, 28, tzinfo=PARIS),
    )  # fmt: skip
    assert (party.sessions[0].start, party.sessions[0].end) == (
        datetime(2026, 12, 28, tzinfo=PARIS), datetime(2026, 12, 29, tzinfo=PARIS),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("Atelier,32/13/2026,,", "start", "is not a date"),
        ("Atelier,25/12/1066 10:00,11:00,", "start", "between 1900 and 2200"),
        ("Atelier,25/12/2026 14:00,,", "end", "no end"),
        ("Atelier,25/12/2026 14:00,13:00,", "end", "not after the start"),
        ("Atelier,,15:00,", "start", "no start date"),
        ("Atelier,25/12/2026 14:00,15:00,abc", "age_min", "not a whole number"),
        ("Atelier,25/12/2026 14:00,15:00,-3", "age_min", "not a whole number"),
    ],
)
def test_values_that_cannot_be_read_are_row_errors_with_line_and_field(row: str, field: str, words: str) -> None:
    items = parse(f"Titre,Début,Fin,Âge min\nBon,25/12/2026 10:00,11:00,8\n{row}\n".encode())
    (error,) = errors(items)
    assert (error.line, error.field) == (3, field)
    assert words in error.reason


def test_a_row_with_several_problems_names_them_all() -> None:
    (error,) = errors(parse("Titre,Âge min,Tarif,Lat\nA,abc,cher,200\n".encode()))
    assert error.field == "age_min"
    assert "“cher” is not an amount" in error.reason
    assert "between -90 and 90" in error.reason


@pytest.mark.parametrize(
    ("cell", "amount"),
    [("12,50 €", "12.50"), ("12.5", "12.5"), ("€ 7", "7"), ("1 234,56 EUR", "1234.56"), ("1.234,56", "1234.56"),
     ("3,50 € TTC", "3.50"), ("Gratuit", "0"), ("Entrée libre", "0"), ("0", "0")],
)  # fmt: skip
def test_it_reads_amounts_written_the_french_or_english_way(cell: str, amount: str) -> None:
    assert one(f'Titre;Prix\nA;"{cell}"\n').price == Decimal(amount)


@pytest.mark.parametrize(
    ("cell", "value"),
    [("oui", True), ("Non", False), ("yes", True), ("no", False), ("TRUE", True), ("false", False), ("1", True),
     ("0", False), ("x", True), ("X", True), ("Vrai", True), ("Payant", False)],
)  # fmt: skip
def test_it_reads_yes_and_no_in_both_languages(cell: str, value: bool) -> None:
    assert one(f"Titre,Gratuit,Sur inscription\nA,{cell},{cell}\n").is_free is value
    assert one(f"Titre,Gratuit,Sur inscription\nA,{cell},{cell}\n").registration_required is value


def test_it_reads_codes_and_vocabulary() -> None:
    record = one(
        "Titre,Formacode,ROME,Langues,Public,Building blocks,Mode,Type\n"
        'A,"15234 Anglais; 15235","M1607, K2111",anglais|LSF,"Seniors; job seekers",2,en ligne,Visite guidée\n'
    )
    assert record.formacodes == ["15234", "15235"]
    assert record.rome_codes == ["M1607", "K2111"]
    assert record.languages == ["en", "fsl"]
    assert record.audiences == ["seniors", "job-seekers"]
    assert record.building_blocks == ["families-communities"]
    assert (record.mode, record.kind) == ("online", "guided_visit")


@pytest.mark.parametrize(
    ("heading", "cell", "field"),
    [("Formacode", "anglais", "formacodes"), ("ROME", "123", "rome_codes"), ("Mode", "sur la lune", "mode"),
     ("Type", "banquet", "kind"), ("Lat", "nord", "latitude"), ("Places", "beaucoup", "capacity")],
)  # fmt: skip
def test_unknown_codes_and_words_are_row_errors(heading: str, cell: str, field: str) -> None:
    (error,) = errors(parse(f"Titre,{heading}\nA,{cell}\n".encode()))
    assert (error.line, error.field) == (2, field)


def test_html_in_descriptions_is_sanitised_and_plain_text_is_kept() -> None:
    html = one('Titre,Description\nA,"<p>Hello <script>alert(1)</script><b>you</b></p>"\n')
    assert html.description_fr == "Hello you"
    plain = one('Titre,Description\nA,"Prix < 5 € & plus"\n')
    assert plain.description_fr == "Prix < 5 € & plus"


# Excel --------------------------------------------------------------------------------------------


def test_it_reads_excel_dates_times_numbers_and_booleans() -> None:
    data = workbook(
        ("Agenda", [
            ["ID", "Titre", "Date", "Heure", "Heure de fin", "CP", "Gratuit", "Tarif", "Places", "Fin"],
            [101, "Atelier", datetime(2026, 12, 25), time(14, 30), time(16, 0), 37000, False, 12.5, 20.0, None],
            [101, None, 46382, 0.6041666667, 0.6666666667, None, None, None, None, None],
            [102, "Stage", datetime(2026, 12, 28, 9, 0), None, None, 37000, True, None, None,
             datetime(2026, 12, 28, 17, 0)],
        ]),
        number_formats={"C2": "dd/mm/yyyy"},
    )  # fmt: skip
    atelier, stage = records(parse(data, "xlsx"))
    assert (atelier.external_id, atelier.line, atelier.capacity) == ("101", 2, 20)
    assert atelier.venue is not None
    assert atelier.venue.postcode == "37000"
    assert (atelier.is_free, atelier.price) == (False, Decimal("12.5"))
    assert [(s.start, s.end) for s in atelier.sessions] == [
        (datetime(2026, 12, 25, 14, 30, tzinfo=PARIS), datetime(2026, 12, 25, 16, 0, tzinfo=PARIS)),
        (datetime(2026, 12, 26, 14, 30, tzinfo=PARIS), datetime(2026, 12, 26, 16, 0, tzinfo=PARIS)),
    ]
    assert (stage.sessions[0].start, stage.sessions[0].end) == (
        datetime(2026, 12, 28, 9, 0, tzinfo=PARIS), datetime(2026, 12, 28, 17, 0, tzinfo=PARIS),
    )  # fmt: skip


def test_it_reads_the_chosen_sheet_and_counts_lines_as_excel_does() -> None:
    data = workbook(
        ("Notes", [["rien à voir"]]),
        ("Ateliers", [[], ["Titre", "Âge min"], [], ["Atelier", 9], ["Atelier 2", "abc"]]),
    )
    assert tabular.sheet_names(data) == ["Notes", "Ateliers"]
    assert tabular.headings(data, "xlsx", sheet="Ateliers") == ["Titre", "Âge min"]
    items = parse(data, "xlsx", sheet="Ateliers")
    assert [(item.line, type(item).__name__) for item in items] == [(4, "OpportunityRecord"), (5, "RowError")]
    with pytest.raises(FileRejected, match="no sheet named"):
        parse(data, "xlsx", sheet="Absent")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"Titre,Lieu\nA,B\n", "not an Excel workbook"),
        (b"PK\x03\x04broken", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel file"),
    ],
)
def test_files_that_are_not_workbooks_are_rejected(content: bytes, words: str) -> None:
    with pytest.raises(FileRejected, match=words):
        parse(content, "xlsx")


# Grouping and identifiers -------------------------------------------------------------------------


def test_rows_sharing_an_identifier_are_one_listing_whose_line_is_the_first_row() -> None:
    content = (
        "ID,Titre,Date,Heure,Heure de fin\n"
        "B,Yoga,03/02/2027,10:00,11:00\n"
        "A,Chorale,01/02/2027,18:00,20:00\n"
        "B,,01/02/2027,10:00,11:00\n"
        "B,,03/02/2027,10:00,11:00\n"
    )
    yoga, chorale = records(parse(content.encode()))
    assert (yoga.external_id, yoga.line, chorale.line) == ("B", 2, 3)
    assert [s.start.day for s in yoga.sessions] == [1, 3]  # sorted, the repeated session once


def test_without_identifiers_the_same_title_provider_and_place_are_one_stable_listing() -> None:
    content = (
        "Titre,Organisme,Lieu,Date,Heure,Heure de fin\n"
        "Yoga,Asso,Salle A,01/02/2027,10:00,11:00\n"
        "Yoga,Asso,Salle B,01/02/2027,10:00,11:00\n"
        "yoga ,ASSO,salle a,08/02/2027,10:00,11:00\n"
    )
    first = records(parse(content.encode()))
    assert [len(record.sessions) for record in first] == [2, 1]
    assert first[0].external_id != first[1].external_id
    again = records(parse(content.encode("cp1252")))
    assert [record.fingerprint() for record in again] == [record.fingerprint() for record in first]


def test_a_listing_is_handed_over_once_its_last_row_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    make_record = tabular._record

    def recording(rows: Any, external_id: str) -> OpportunityRecord:
        built.append(external_id)
        return make_record(rows, external_id)

    monkeypatch.setattr(tabular, "_record", recording)
    content = "ID,Titre,Date\nA,Yoga,01/02/2027\nB,Chorale,01/02/2027\nA,,08/02/2027\nC,Conte,01/02/2027\n"

    items = tabular.parse_csv(content.encode(), ParseOptions())
    first = next(items)

    assert (first.external_id, built) == ("A", ["A"])  # B waited for A's last row; C is not read yet
    assert [item.external_id for item in items] == ["B", "C"]


def test_rows_without_a_title_are_rejected_on_title_fr() -> None:
    content = "ID,Titre,Lieu\nA,,Salle\n,,Salle\nB,Bon,Salle\n"
    items = parse(content.encode())
    assert [(error.line, error.field, error.external_id) for error in errors(items)] == [
        (2, "title_fr", "A"), (3, "title_fr", ""),
    ]  # fmt: skip
    assert "no title" in errors(items)[0].reason


def test_an_error_in_one_session_row_rejects_that_listing_only() -> None:
    content = "ID,Titre,Début,Fin\nA,Yoga,01/02/2027 10:00,11:00\nA,,01/02/2027 10:00,09:00\nB,Chorale,,\n"
    items = parse(content.encode())
    assert [(type(item).__name__, item.line) for item in items] == [("RowError", 3), ("OpportunityRecord", 4)]


# The mapping --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "target"),
    [("Titre", "title_fr"), ("Intitulé", "title_fr"), ("Title", "title_fr"), ("TITRE (EN)", "title_en"),
     ("Titre anglais", "title_en"), ("Description en anglais", "description_en"), ("Date de début", "start"),
     ("Début", "start"), ("Heure", "start_time"), ("Lieu", "venue_name"), ("Adresse", "venue_address"),
     ("Code postal", "venue_postcode"), ("CP", "venue_postcode"), ("Âge min", "age_min"), ("  âge   MIN ", "age_min"),
     ("Tarif", "price"), ("Gratuit", "is_free"), ("Prix", "price"), ("Lat", "latitude"), ("Latitude", "latitude"),
     ("Lon", "longitude"), ("lng", "longitude"), ("Identifiant", "external_id"), ("ID", "external_id"),
     ("Référence", "external_id"), ("Start date", "start"), ("End time", "end_time"), ("Venue", "venue_name"),
     ("Postcode", "venue_postcode"), ("Provider", "organisation_name"), ("N° SIRET", "organisation_siret"),
     ("venue_city", "venue_city"), ("Colonne inconnue", "")],
)  # fmt: skip
def test_it_guesses_common_french_and_english_headings(heading: str, target: str) -> None:
    assert tabular.guess_mapping([heading]) == {heading: target}


def test_a_guess_never_proposes_a_field_twice_and_explicit_languages_win() -> None:
    assert tabular.guess_mapping(["Title", "Title (French)", "Titre", "Prix", "Tarif"]) == {
        "Title": "title_en", "Title (French)": "title_fr", "Titre": "", "Prix": "price", "Tarif": "",
    }  # fmt: skip


def test_headings_are_made_unique_and_empty_ones_named_after_their_column() -> None:
    names = tabular.headings(b"Date,,Date,Titre,,\n1,2,3,4,5\n", "csv")
    assert names == ["Date", "(B)", "Date (2)", "Titre"]


def test_the_headings_key_ignores_case_accents_and_spaces() -> None:
    assert tabular.headings_key(["Intitulé", "Âge  min"]) == tabular.headings_key(["INTITULE", "age min"])
    assert tabular.headings_key(["Intitulé", "Âge min"]) != tabular.headings_key(["Âge min", "Intitulé"])


def test_a_given_mapping_is_followed_and_unmapped_columns_ignored() -> None:
    mapping = {"Nom": "venue_name", "Activité": "title_en", "Date": ""}
    record = one("Nom,Activité,Date\nSalle A,Yoga,pas une date\n", mapping=mapping)
    assert (record.title_en, record.title_fr, record.sessions) == ("Yoga", "", [])
    assert record.venue is not None
    assert record.venue.name == "Salle A"


@pytest.mark.parametrize(
    ("mapping", "words"),
    [({"Nom": "venue_name"}, "No column gives the listings' titles"), ({"Nom": "hat_size"}, "unknown field")],
)
def test_a_mapping_without_a_title_or_with_unknown_fields_rejects_the_file(mapping: dict[str, str], words: str) -> None:
    with pytest.raises(FileRejected, match=words):
        parse(b"Nom,Date\nA,B\n", mapping=mapping)


def test_sample_rows_show_the_first_values_as_text() -> None:
    data = workbook(("Feuille", [["Titre", "Date", "Prix"], ["A", datetime(2026, 12, 25, 14, 30), 12.0], ["B"]]))
    assert tabular.sample_rows(data, "xlsx", n=5) == [["A", "2026-12-25 14:30", "12"], ["B", "", ""]]


# The mapping page ---------------------------------------------------------------------------------

AGENDA = (
    "Référence;Intitulé;Date;Heure;Heure de fin;Lieu;Lat;Lon;Remarque\n"
    "Y1;Yoga du matin;01/02/2027;10:00;11:00;Salle des fêtes;47.40;0.70;à l'étage\n"
    "Y1;;08/02/2027;10:00;11:00;;;;\n"
    "C2;Chorale;02/02/2027;18:00;20:00;Salle des fêtes;47.40;0.70;\n"
).encode("cp1252")


def make_job(world: World, content: bytes = AGENDA, format_name: str = "csv", **fields: Any) -> ImportJob:
    values: dict[str, Any] = {
        "city": world.city, "organisation": world.org_a, "created_by": world.users["provider_staff"],
        "format": format_name, "source": f"{format_name}:{world.org_a.pk}", "filename": f"agenda.{format_name}",
        "content": content, "size": len(content),
    }  # fmt: skip
    values.update(fields)
    return ImportJob.objects.create(**values)


def mapping_url(job: ImportJob, language: str = "en") -> str:
    with translation.override(language):
        return reverse("interop:mapping", args=[job.pk])


def post_data(job: ImportJob, **chosen: str) -> dict[str, str]:
    """The form as the page proposes it, with some columns changed."""
    names = tabular.headings(bytes(job.content), job.format)
    guessed = tabular.guess_mapping(names)
    return {f"column_{index}": chosen.get(name, guessed[name]) for index, name in enumerate(names)}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [302, 403, 403, 200, 403, 200], strict=True)))
def test_who_may_see_the_mapping_page(
    world: World, client_for: Callable[[str], Client], role: str, expected: int
) -> None:
    response = client_for(role).get(mapping_url(make_job(world)))
    assert response.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, [302, 403, 403, 302, 403, 302], strict=True)))
def test_who_may_save_a_mapping(world: World, client_for: Callable[[str], Client], role: str, expected: int) -> None:
    job = make_job(world)
    response = client_for(role).post(mapping_url(job), post_data(job))
    assert response.status_code == expected
    job.refresh_from_db()
    assert ("mapping" in job.options) is (expected == 302 and role != "anonymous")


@pytest.mark.django_db
def test_a_missing_job_is_not_found_and_a_checked_one_goes_to_its_page(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("provider_staff")
    assert client.get(reverse("interop:mapping", args=[987654])).status_code == 404
    job = make_job(world, status=JobStatus.CHECKED)
    response = client.get(mapping_url(job))
    assert response.status_code == 302
    assert response["Location"] == reverse("interop:job", args=[job.pk])


@pytest.mark.django_db
def test_the_page_shows_each_column_with_samples_and_a_labelled_preselected_choice(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("provider_staff").get(mapping_url(make_job(world)))
    page = response.content.decode()
    assert "<caption>" in page
    assert '<th scope="row"><label for="id_column_1">Intitulé</label></th>' in page
    assert "Yoga du matin" in page
    assert "Chorale" in page
    assert "à l&#x27;étage" in page
    assert '<option value="title_fr" selected>Title (French)</option>' in page
    assert '<option value="" selected>Ignore this column</option>' in page  # "Remarque": no guess
    assert client_for("provider_staff").get(mapping_url(make_job(world), "fr")).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_saving_remembers_the_mapping_and_starts_the_check(world: World, client_for: Callable[[str], Client]) -> None:
    job = make_job(world)
    response = client_for("provider_staff").post(mapping_url(job), post_data(job, Remarque="keywords"))
    assert response.status_code == 302
    assert response["Location"] == reverse("interop:job", args=[job.pk])
    saved = ColumnMapping.objects.get(city=world.city, organisation=world.org_a)
    assert saved.mapping["Remarque"] == "keywords"
    assert saved.mapping["Intitulé"] == "title_fr"
    assert saved.headings_key == tabular.headings_key(saved.headings)
    job.refresh_from_db()
    assert job.options["mapping"] == saved.mapping
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED, job.error
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}


@pytest.mark.django_db
def test_the_next_file_with_the_same_headings_reuses_the_saved_mapping(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("provider_staff")
    first = make_job(world)
    client.post(mapping_url(first), post_data(first, Lieu="", Remarque="keywords"))
    shouted = AGENDA.decode("cp1252").replace("Intitulé", "INTITULE").replace("Lieu", "lieu").encode()
    page = client.get(mapping_url(make_job(world, shouted))).content.decode()
    assert '<select name="column_5" id="id_column_5">' in page  # "lieu", saved as ignored
    assert page.count('<option value="" selected>') == 1
    assert '<option value="keywords" selected>' in page
    other = client_for("other_provider_staff").get(mapping_url(make_job(world, organisation=world.org_b)))
    assert '<option value="keywords" selected>' not in other.content.decode()  # mappings are per provider


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("chosen", "words"),
    [
        ({"Intitulé": ""}, "Choose the column that holds the title"),
        ({"Lieu": "title_fr"}, "Column “Lieu”: “Title (French)” is already chosen for the column “Intitulé”"),
        ({"Lieu": "shoe_size"}, "Column “Lieu”: Select a valid choice"),
    ],
)
def test_a_wrong_mapping_is_explained_per_column_and_nothing_starts(
    world: World, client_for: Callable[[str], Client], chosen: dict[str, str], words: str
) -> None:
    job = make_job(world)
    response = client_for("provider_staff").post(mapping_url(job), post_data(job, **chosen))
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert 'class="errorlist-summary" role="alert"' in page
    assert words in page
    job.refresh_from_db()
    assert "mapping" not in job.options
    assert job.status == JobStatus.QUEUED
    assert not ColumnMapping.objects.exists()


@pytest.mark.django_db
def test_a_workbook_with_several_sheets_lets_the_provider_choose_one(
    world: World, client_for: Callable[[str], Client]
) -> None:
    data = workbook(("Notes", [["Auteur"], ["Moi"]]), ("Ateliers", [["Titre", "Lieu"], ["Yoga", "Salle A"]]))
    job = make_job(world, data, "xlsx")
    client = client_for("provider_staff")
    assert "Auteur" in client.get(mapping_url(job)).content.decode()
    page = client.get(mapping_url(job) + "?sheet=Ateliers").content.decode()
    assert "Auteur" not in page
    assert '<option value="Ateliers" selected>' in page
    response = client.post(mapping_url(job), {"sheet": "Ateliers", "column_0": "title_fr", "column_1": "venue_name"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.options["sheet"] == "Ateliers"


@pytest.mark.django_db
def test_an_unreadable_file_says_why_instead_of_a_form(world: World, client_for: Callable[[str], Client]) -> None:
    job = make_job(world, b"PK\x03\x04 not really", "xlsx")
    response = client_for("provider_staff").get(mapping_url(job))
    assert response.status_code == 400
    assert "cannot be read" in response.content.decode()
    assert "<select" not in response.content.decode()


# Through the pipeline -----------------------------------------------------------------------------


def database_state() -> tuple[int, ...]:
    return (Opportunity.objects.count(), Session.objects.count(), Venue.objects.count(), SourceRecord.objects.count())


def import_csv(world: World, content: bytes, *, dry_run: bool = False) -> Any:
    return run_import(
        city=world.city, format="csv", content=content, organisation=world.org_a,
        by=world.users["provider_staff"], dry_run=dry_run,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_csv_imports_then_a_second_run_changes_nothing_and_a_newer_file_updates(world: World) -> None:
    before = database_state()
    first = import_csv(world, AGENDA)
    assert first.file_error is None, first.file_error
    assert first.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}, first.rows
    yoga = Opportunity.objects.get(pk=first.rows[0]["opportunity_id"])
    assert (yoga.title_fr, yoga.sessions.count(), yoga.venue.name) == ("Yoga du matin", 2, "Salle des fêtes")  # type: ignore[union-attr]
    assert database_state() == (before[0] + 2, before[1] + 3, before[2] + 1, before[3] + 2)
    again = import_csv(world, AGENDA)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    newer = import_csv(world, AGENDA.replace(b"Yoga du matin", b"Yoga du soir"))
    assert newer.counts == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    yoga.refresh_from_db()
    assert yoga.title_fr == "Yoga du soir"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [AGENDA.replace(b"01/02/2027", b"31/02/2027"), AGENDA + b'Z9;"Yoga;01/02/2027;10:00\n', b"\x00\x01\x02"],
    ids=["a bad row", "malformed CSV", "not CSV"],
)
def test_a_rejected_file_leaves_the_database_unchanged(world: World, content: bytes) -> None:
    before = database_state()
    result = import_csv(world, content)
    assert not result.committed
    assert result.file_error or result.counts["rejected"]
    assert database_state() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_whole_journey_from_mapping_to_listings(world: World, client_for: Callable[[str], Client]) -> None:
    job = make_job(world)
    client_for("provider_staff").post(mapping_url(job), post_data(job))
    run_worker()
    job.refresh_from_db()
    services.job_commit(job, by=world.users["provider_staff"])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    titles = set(Opportunity.objects.filter(source_records__job=job).values_list("title_fr", flat=True))
    assert titles == {"Yoga du matin", "Chorale"}
    assert Session.objects.get(opportunity__title_fr="Chorale").start == datetime(2027, 2, 2, 18, 0, tzinfo=PARIS)
    assert date(2027, 2, 8) in {
        s.start.astimezone(PARIS).date() for s in Session.objects.filter(opportunity__title_fr="Yoga du matin")
    }

"""CSV and XLSX files: one row per listing or per session, read through a column mapping.

A provider's spreadsheet has its own headings ("Intitulé", "Date de début", "CP"...). The mapping
step (`interop/mapping_views.py`) says which listing field each column fills; `guess_mapping`
proposes one from common French and English headings, and the parsers use that guess when no
mapping is given (the command line). Rows sharing an identifier are one listing with several
sessions; without an identifier column, the identifier is a digest of the title, the provider and
the place, so re-importing the same file changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learningcity.catalogue.reference import AUDIENCE_LABELS, BUILDING_BLOCKS, LANGUAGES
from learningcity.interop.records import (
    FileRejected,
    OpportunityRecord,
    OrganisationRecord,
    Parsed,
    ParseOptions,
    RowError,
    SessionRecord,
    VenueRecord,
    html_to_text,
)

Cell = str | int | float | bool | datetime | date | time | Decimal | None

MAX_COLUMNS = 500
MAX_ID_CHARS = 255  # SourceRecord.external_id
SNIFF_CHARS = 16_384
# Dates a listing could mean; anything else in a date column is a typing slip.
FIRST_YEAR, LAST_YEAR = 1900, 2200
EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 is 1900-01-01 (with Lotus's phantom 29 February)

TARGETS: dict[str, Promise] = {
    "": gettext_lazy("Ignore this column"),
    "external_id": gettext_lazy("Identifier (the same from one file to the next)"),
    "title_fr": gettext_lazy("Title (French)"),
    "title_en": gettext_lazy("Title (English)"),
    "description_fr": gettext_lazy("Description (French)"),
    "description_en": gettext_lazy("Description (English)"),
    "kind": gettext_lazy("Kind (workshop, course, talk…)"),
    "mode": gettext_lazy("Mode (on site, online, blended)"),
    "online_url": gettext_lazy("Online link"),
    "age_min": gettext_lazy("Minimum age"),
    "age_max": gettext_lazy("Maximum age"),
    "is_free": gettext_lazy("Free of charge (yes or no)"),
    "price": gettext_lazy("Price (EUR)"),
    "reduced_price": gettext_lazy("Reduced price (EUR)"),
    "capacity": gettext_lazy("Places"),
    "registration_required": gettext_lazy("Registration required (yes or no)"),
    "topics": gettext_lazy("Topics"),
    "formacodes": gettext_lazy("Formacode codes"),
    "rome_codes": gettext_lazy("ROME codes"),
    "keywords": gettext_lazy("Keywords"),
    "languages": gettext_lazy("Languages"),
    "audiences": gettext_lazy("Audiences"),
    "building_blocks": gettext_lazy("Building blocks"),
    "venue_name": gettext_lazy("Place: name"),
    "venue_address": gettext_lazy("Place: address"),
    "venue_postcode": gettext_lazy("Place: postcode"),
    "venue_city": gettext_lazy("Place: town"),
    "latitude": gettext_lazy("Place: latitude"),
    "longitude": gettext_lazy("Place: longitude"),
    "district": gettext_lazy("Place: district"),
    "organisation_name": gettext_lazy("Provider: name"),
    "organisation_siret": gettext_lazy("Provider: SIRET"),
    "start": gettext_lazy("Start (date and time)"),
    "end": gettext_lazy("End (date and time, or time)"),
    "date": gettext_lazy("Date of the session"),
    "start_time": gettext_lazy("Start time"),
    "end_time": gettext_lazy("End time"),
    "url": gettext_lazy("Page at the source (link)"),
    "registration_url": gettext_lazy("Registration link"),
    "credential_fr": gettext_lazy("Credential it leads to (French)"),
}
TITLE_TARGETS = ("title_fr", "title_en")

# Headings people write, normalised (lower case, no accents, single spaces), for each target.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "identifiant", "identifier", "reference", "ref", "uid", "numero", "n", "no",
                    "id externe", "identifiant externe", "external id", "reference interne"),
    "title_fr": ("titre", "intitule", "title", "nom de l activite", "nom de l evenement", "activite", "evenement",
                 "event", "event name", "activity", "name", "nom", "libelle", "intitule de la formation"),
    "title_en": ("english title", "titre anglais"),
    "description_fr": ("description", "descriptif", "resume", "presentation", "details", "texte", "contenu",
                       "summary", "objectifs"),
    "description_en": ("english description",),
    "kind": ("type", "type d activite", "type d evenement", "kind", "nature", "format", "genre"),
    "mode": ("mode", "modalite", "modalites", "delivery", "delivery mode", "presentiel distanciel"),
    "online_url": ("lien en ligne", "lien visio", "online link", "online url", "lien de connexion", "visio",
                   "url en ligne", "lien de la visio"),
    "age_min": ("age min", "age minimum", "age mini", "ages min", "a partir de", "min age", "minimum age", "age",
                "age from", "des"),
    "age_max": ("age max", "age maximum", "age maxi", "ages max", "jusqu a", "max age", "maximum age", "age to"),
    "is_free": ("gratuit", "gratuite", "free", "is free", "gratuit o n", "entree libre"),
    "price": ("tarif", "prix", "price", "cout", "cost", "montant", "tarif plein", "plein tarif", "fee", "tarifs"),
    "reduced_price": ("tarif reduit", "prix reduit", "reduced price", "concession", "reduced fee"),
    "capacity": ("places", "capacite", "nombre de places", "nb places", "nb de places", "jauge", "capacity",
                 "seats", "effectif", "places disponibles"),
    "registration_required": ("inscription", "inscription obligatoire", "sur inscription", "reservation",
                              "reservation obligatoire", "registration", "registration required",
                              "booking required"),
    "topics": ("theme", "themes", "thematique", "thematiques", "topic", "topics", "sujet", "domaine",
               "categorie", "categories", "category"),
    "formacodes": ("formacode", "formacodes", "code formacode", "codes formacode"),
    "rome_codes": ("rome", "code rome", "codes rome", "rome code", "rome codes", "metiers rome"),
    "keywords": ("mots cles", "mot cle", "mots clefs", "keywords", "keyword", "tags", "etiquettes"),
    "languages": ("langue", "langues", "language", "languages", "langue d enseignement"),
    "audiences": ("public", "publics", "public cible", "audience", "audiences", "target audience", "pour qui"),
    "building_blocks": ("building block", "building blocks", "pilier", "piliers", "bloc", "blocs"),
    "venue_name": ("lieu", "nom du lieu", "salle", "venue", "venue name", "location", "place", "etablissement",
                   "lieu de formation"),
    "venue_address": ("adresse", "address", "rue", "adresse postale", "street", "street address",
                      "adresse du lieu"),
    "venue_postcode": ("code postal", "cp", "postcode", "postal code", "zip", "zip code", "code postal du lieu"),
    "venue_city": ("ville", "commune", "city", "town", "localite"),
    "latitude": ("lat", "latitude"),
    "longitude": ("lon", "lng", "long", "longitude"),
    "district": ("quartier", "arrondissement", "district", "secteur", "neighbourhood", "neighborhood"),
    "organisation_name": ("organisme", "organisateur", "structure", "organisation", "organization", "organiser",
                          "organizer", "provider", "operateur", "porteur", "nom de l organisme", "association",
                          "organisme de formation", "partenaire"),
    "organisation_siret": ("siret", "n siret", "numero siret", "no siret", "siret de l organisme"),
    "start": ("date de debut", "debut", "start", "start date", "starts", "begins", "date debut",
              "date et heure de debut", "du", "start datetime", "date heure debut"),
    "end": ("date de fin", "fin", "end", "end date", "ends", "date fin", "date et heure de fin", "au",
            "end datetime", "date heure fin"),
    "date": ("date", "jour", "day", "date de la seance", "session date", "date de seance"),
    "start_time": ("heure", "heure de debut", "heure debut", "start time", "time", "horaire", "horaires",
                   "horaire de debut"),
    "end_time": ("heure de fin", "heure fin", "end time", "horaire de fin"),
    "url": ("url", "lien", "site", "site web", "page", "link", "website", "web", "plus d infos",
            "en savoir plus", "lien vers la page"),
    "registration_url": ("lien d inscription", "url d inscription", "inscription en ligne", "registration link",
                         "registration url", "booking link", "billetterie", "lien de reservation"),
    "credential_fr": ("certification", "diplome", "credential", "qualification", "titre vise",
                      "certification visee", "diplome prepare"),
}  # fmt: skip
_LANGUAGE_WORDS = {"fr": "fr", "francais": "fr", "french": "fr", "en": "en", "anglais": "en", "english": "en"}

TRUE_WORDS = {"oui", "o", "yes", "y", "true", "vrai", "1", "x", "✓", "✔", "gratuit", "gratuite", "free",
              "obligatoire", "required", "sur inscription", "entree libre"}  # fmt: skip
FALSE_WORDS = {"non", "n", "no", "false", "faux", "0", "payant", "paid", "sans inscription",
               "facultative", "optional", "not required"}  # fmt: skip
KINDS = {
    "course": ("cours", "course", "formation", "training", "stage"),
    "workshop": ("atelier", "workshop", "ateliers"),
    "talk": ("conference", "talk", "rencontre", "debat", "causerie", "lecture"),
    "club": ("club",),
    "guided_visit": ("visite", "visite guidee", "guided visit", "visit", "guided tour"),
    "festival_event": ("evenement", "festival", "festival event", "event", "evenement du festival"),
    "self_paced": ("autoformation", "self paced", "self paced resource", "ressource en autonomie"),
    "online_course": ("cours en ligne", "formation en ligne", "mooc", "online course"),
    "apprenticeship": ("apprentissage", "alternance", "apprenticeship"),
    "volunteering": ("benevolat", "volontariat", "volunteering"),
    "mentoring": ("mentorat", "tutorat", "mentoring", "parrainage"),
}
MODES = {
    "on_site": ("on site", "sur place", "presentiel", "en presentiel", "in person", "onsite"),
    "online": ("online", "en ligne", "distanciel", "a distance", "remote", "visio", "distance"),
    "blended": ("blended", "hybride", "mixte", "hybrid"),
}

TEXT = {"external_id", "title_fr", "title_en", "online_url", "url", "registration_url", "credential_fr",
        "venue_name", "venue_address", "venue_postcode", "venue_city", "district", "organisation_name",
        "organisation_siret", "kind", "mode", "description_fr", "description_en"}  # fmt: skip
LISTS = {"topics", "formacodes", "rome_codes", "keywords", "languages", "audiences", "building_blocks"}
WHOLE = {"age_min", "age_max", "capacity"}
MONEY = {"price", "reduced_price"}
YES_NO = {"is_free", "registration_required"}
DATES = {"start", "end", "date"}
TIMES = {"start_time", "end_time"}

_LIST_SEPARATORS = re.compile(r"[,;|\n]+")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]")
_WHOLE_NUMBER = re.compile(r"^(\d{1,7})(?:[.,]0+)?\s*(?:\+|ans?|years?|yrs?|places?)?$", re.IGNORECASE)
_AMOUNT = re.compile(r"^\d{1,12}(?:\.\d{1,4})?$")
_CURRENCY = re.compile(r"€|eur(?:os?)?\b|ttc\b", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2})\s*(?:[h:.]\s*(\d{2})?(?::(\d{2}))?)?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](.+))?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:\s+(?:à\s+|a\s+)?(.+))?$", re.IGNORECASE)
_AGE_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|–|à|a|to)\s*(\d{1,3})\s*(?:ans?|years?)?$", re.IGNORECASE)
_FORMACODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_ROME = re.compile(r"(?<![A-Za-z0-9])[A-Na-n]\d{4}(?!\d)")


# Reading the file ---------------------------------------------------------------------------------


@dataclass
class Table:
    """A spreadsheet's headings (unique) and its non-empty rows with their row numbers."""

    headings: list[str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)


def headings(data: bytes, format_name: str, sheet: str = "") -> list[str]:
    """The column headings of a file (made unique; empty ones named after their column)."""
    return _read(data, format_name, sheet=sheet, stop_after=0).headings


def sample_rows(data: bytes, format_name: str, n: int = 5, sheet: str = "") -> list[list[str]]:
    """The first `n` non-empty rows as displayable text, one value per heading."""
    table = _read(data, format_name, sheet=sheet, stop_after=n)
    width = len(table.headings)
    return [[_display(cell) for cell in _padded(cells, width)] for _line, cells in table.rows]


def sheet_names(data: bytes) -> list[str]:
    """The sheets of an XLSX workbook that hold cells (not charts), in order."""
    workbook = _open_workbook(data)
    try:
        return [worksheet.title for worksheet in workbook.worksheets]
    finally:
        workbook.close()


def _read(data: bytes, format_name: str, *, sheet: str = "", max_rows: int = 0, stop_after: int = -1) -> Table:
    """Headings and rows; more than `max_rows` data rows (0: no limit) rejects the file."""
    raw_rows = _xlsx_rows(data, sheet) if format_name == "xlsx" else _csv_rows(data)
    with closing(raw_rows):
        table = _table(raw_rows, max_rows=max_rows, stop_after=stop_after)
    if table is None or not table.headings:
        raise FileRejected(_("The file has no column headings: its first row must name the columns."))
    return table


def _table(raw_rows: Iterator[tuple[int, list[Cell]]], *, max_rows: int, stop_after: int) -> Table | None:
    table: Table | None = None
    for line, cells in raw_rows:
        if not any(_present(cell) for cell in cells):
            continue
        if table is None:
            table = Table(_unique_headings(cells))
            if stop_after == 0:
                break
            continue
        if max_rows and len(table.rows) >= max_rows:
            raise FileRejected(_("The file holds more than %(limit)d rows.") % {"limit": max_rows})
        table.rows.append((line, cells))
        if len(table.rows) == stop_after:
            break
    return table


def _unique_headings(cells: list[Cell]) -> list[str]:
    names = [_text(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise FileRejected(
            _("The file has %(count)d columns; at most %(limit)d can be read.")
            % {"count": len(names), "limit": MAX_COLUMNS}
        )
    unique: list[str] = []
    for index, name in enumerate(names):
        name = " ".join(name.split())[:200] or f"({_column_letter(index)})"
        candidate, suffix = name, 2
        while candidate in unique:
            candidate, suffix = f"{name} ({suffix})", suffix + 1
        unique.append(candidate)
    return unique


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 or Latin-1."""
    if data.startswith(b"PK\x03\x04"):
        raise FileRejected(_("This file is an Excel workbook or another archive, not CSV: choose the XLSX format."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(_("This is an old Excel file (.xls): save it as XLSX or CSV first."))
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = _decode_without_bom(data)
    except UnicodeDecodeError as error:
        raise FileRejected(_("The file announces an encoding it does not follow: save it as CSV UTF-8.")) from error
    if "\x00" in text:
        raise FileRejected(_("This is not a text file: save the spreadsheet as CSV UTF-8."))
    return text


def _decode_without_bom(data: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def _delimiter(text: str) -> str:
    """The separator: `,`, `;` or tab, as csv.Sniffer sees a sample, else the most frequent in the headings."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    first_line = sample.split("\n", 1)[0]
    counts = {candidate: first_line.count(candidate) for candidate in ",;\t"}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except Exception:  # the sniffer is a heuristic: any failure means "count instead"
        sniffed = ""
    if sniffed and counts.get(sniffed):
        return sniffed
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _csv_rows(data: bytes) -> Generator[tuple[int, list[Cell]], None, None]:
    text = _decode(data)
    return _csv_text_rows(text, _delimiter(text))


# A line with its ending (\r\n, \r or \n), as io.StringIO(newline="") cuts them for the csv module.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, without a StringIO copy (4 bytes a character)."""
    return (match.group() for match in _LINE.finditer(text))


def _csv_text_rows(text: str, delimiter: str) -> Generator[tuple[int, list[Cell]], None, None]:
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    line, last_physical_line = 0, 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileRejected(_csv_problem(str(error)), line=last_physical_line + 1) from error
        line += 1
        last_physical_line = reader.line_num
        yield line, [cell.strip() for cell in cells]


def _csv_problem(detail: str) -> str:
    if "end of data" in detail:
        return _('A quoted cell that starts on this line is never closed (a “"” is missing).')
    if "expected after" in detail:
        return _("A closing quote is followed by other characters: quote the whole cell and double the quotes in it.")
    if "field limit" in detail:
        return _("A cell is longer than %(limit)d characters.") % {"limit": csv.field_size_limit()}
    return _("The file is not valid CSV (%(detail)s).") % {"detail": detail}


def _open_workbook(data: bytes) -> Any:
    import openpyxl  # type: ignore[import-untyped]

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(_("This is an old Excel file (.xls): save it as XLSX or CSV first."))
    if not data.startswith(b"PK"):
        raise FileRejected(_("This file is not an Excel workbook (XLSX)."))
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zip, XML and openpyxl errors alike mean "not a workbook we can read"
        raise FileRejected(_("This file is not an Excel workbook (XLSX) that can be read.")) from error


def _xlsx_rows(data: bytes, sheet: str) -> Generator[tuple[int, list[Cell]], None, None]:
    workbook = _open_workbook(data)
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise FileRejected(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
        if not workbook.worksheets:
            raise FileRejected(_("The workbook has no sheet."))
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        if not hasattr(worksheet, "iter_rows"):
            raise FileRejected(_("The sheet “%(sheet)s” is a chart, not a table.") % {"sheet": worksheet.title})
        worksheet.reset_dimensions()  # some writers store wrong dimensions; read what is there
        for cells in worksheet.iter_rows():
            numbered = [cell for cell in cells if getattr(cell, "row", None)]
            if numbered:
                yield int(numbered[0].row), [_xlsx_value(cell) for cell in cells]
    except FileRejected:
        raise
    except Exception as error:  # a damaged sheet can fail anywhere inside openpyxl
        raise FileRejected(_("This workbook is damaged and cannot be read.")) from error
    finally:
        workbook.close()


def _xlsx_value(cell: Any) -> Cell:
    value = getattr(cell, "value", None)
    if isinstance(value, datetime) and value.time() == time(0):
        number_format = str(getattr(cell, "number_format", "") or "").lower()
        if not re.search(r"h|s|am/pm", number_format.replace("general", "")):
            return value.date()  # a date cell: the day, not midnight
    if isinstance(value, timedelta):
        return (datetime.min + value).time() if timedelta(0) <= value < timedelta(days=1) else str(value)
    if isinstance(value, str):
        return value.strip()
    if value is None or isinstance(value, int | float | bool | datetime | date | time | Decimal):
        return value
    return str(value)


# Guessing the mapping -----------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces between letters and digits: how headings are compared.

    >>> normalise("  Âge  MIN. ")
    'age min'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char))
    return " ".join(kept.split())


def headings_key(names: list[str]) -> str:
    """The digest that finds a saved mapping again: sha256 of the normalised headings, one per line."""
    return hashlib.sha256("\n".join(normalise(name) for name in names).encode()).hexdigest()


_BY_SYNONYM: dict[str, str] = {}
for _target, _phrases in SYNONYMS.items():
    for _phrase in (normalise(_target), *_phrases):
        _BY_SYNONYM.setdefault(_phrase, _target)


def _guess_one(heading: str) -> tuple[str, bool]:
    """The target a heading suggests, and whether the heading names its language ("Titre (EN)")."""
    words = normalise(heading)
    if words in _BY_SYNONYM:
        return _BY_SYNONYM[words], False
    tokens = words.split()
    if len(tokens) >= 2 and tokens[-1] in _LANGUAGE_WORDS:
        language = _LANGUAGE_WORDS[tokens[-1]]
        base = tokens[:-1]
        if len(base) >= 2 and base[-1] in {"en", "in"}:
            base = base[:-1]
        target = _BY_SYNONYM.get(" ".join(base), "")
        if target.endswith(("_fr", "_en")):
            bilingual = f"{target[:-3]}_{language}"
            return (bilingual, True) if bilingual in TARGETS else ("", False)
    return "", False


def _other_language(target: str) -> str:
    """title_fr ↔ title_en (when both are targets), else ""."""
    if not target.endswith(("_fr", "_en")):
        return ""
    other = f"{target[:-3]}_{'en' if target.endswith('_fr') else 'fr'}"
    return other if other in TARGETS else ""


def guess_mapping(names: list[str]) -> dict[str, str]:
    """A target for each heading ("" when unsure); no target is proposed twice.

    Headings that name their language choose first, so "Title" beside "Title (French)" is the English title.
    """
    guesses = {name: _guess_one(name) for name in names}
    mapping = dict.fromkeys(names, "")
    used: set[str] = set()
    for explicit_pass in (True, False):
        for name in names:
            target, explicit = guesses[name]
            if explicit != explicit_pass or not target:
                continue
            if target in used and not explicit:
                target = _other_language(target)
            if target and target not in used:
                mapping[name] = target
                used.add(target)
    return mapping


def resolve_mapping(names: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """Column index → target, from a heading → target mapping (exact heading first, then normalised)."""
    if not mapping:
        mapping = guess_mapping(names)
    by_normal = {normalise(heading): target for heading, target in mapping.items()}
    columns: dict[int, str] = {}
    for index, name in enumerate(names):
        target = mapping.get(name, by_normal.get(normalise(name), ""))
        if target not in TARGETS:
            raise FileRejected(_("The column mapping names an unknown field: “%(target)s”.") % {"target": target})
        if target:
            columns[index] = target
    if not set(columns.values()) & set(TITLE_TARGETS):
        raise FileRejected(
            _("No column gives the listings' titles: map one to “%(fr)s” or “%(en)s”.")
            % {"fr": TARGETS["title_fr"], "en": TARGETS["title_en"]}
        )
    return columns


# Reading values -----------------------------------------------------------------------------------


class _CellError(Exception):
    """A cell the parser cannot read as what its column holds."""

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(reason)
        self.target = target
        self.reason = reason


def _present(cell: Cell) -> bool:
    return cell is not None and cell != ""


def _padded(cells: list[Cell], width: int) -> list[Cell]:
    return (cells + [None] * width)[:width]


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return str(cell).strip()


def _display(cell: Cell) -> str:
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    text = " ".join(_text(cell).split())
    return text if len(text) <= 80 else text[:79] + "…"


def _quoted(cell: Cell) -> str:
    text = _text(cell)
    return text if len(text) <= 40 else text[:39] + "…"


def _whole(target: str, cell: Cell) -> int:
    if isinstance(cell, int) and not isinstance(cell, bool) and cell >= 0:
        return cell
    if isinstance(cell, float) and cell.is_integer() and 0 <= cell < 1e7:
        return int(cell)
    match = _WHOLE_NUMBER.match(_text(cell)) if isinstance(cell, str) else None
    if match is None:
        raise _CellError(target, _("“%(value)s” is not a whole number.") % {"value": _quoted(cell)})
    return int(match.group(1))


def _amount(target: str, cell: Cell) -> Decimal:
    if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
        text = str(cell)
    else:
        if normalise(_text(cell)) in {"gratuit", "free", "gratuite", "entree libre", "libre"}:
            return Decimal(0)
        text = "".join(_CURRENCY.sub("", _text(cell)).split())
        if "," in text and "." in text:
            thousands = "." if text.rindex(",") > text.rindex(".") else ","
            text = text.replace(thousands, "")
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or not _AMOUNT.match(f"{amount:f}"):
        raise _CellError(target, _("“%(value)s” is not an amount in euros.") % {"value": _quoted(cell)})
    return amount


def _yes_no(target: str, cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    text = _text(cell)
    words = "x" if text in {"✓", "✔"} else normalise(text)
    if words in TRUE_WORDS:
        return True
    if words == "libre":  # "Inscription : libre" is no registration; "Entrée libre" is free (a TRUE_WORD)
        return target != "registration_required"
    if words in FALSE_WORDS:
        return False
    raise _CellError(target, _("“%(value)s” is neither yes nor no (oui/non).") % {"value": _quoted(cell)})


def _coordinate(target: str, cell: Cell) -> float:
    limit = 90 if target == "latitude" else 180
    try:
        value = float(cell) if isinstance(cell, int | float) else float(_text(cell).replace(",", "."))
    except (TypeError, ValueError, OverflowError):
        value = float("nan")
    if not -limit <= value <= limit:  # also refuses NaN
        raise _CellError(
            target, _("“%(value)s” is not a coordinate between -%(limit)d and %(limit)d.") % {
                "value": _quoted(cell), "limit": limit}
        )  # fmt: skip
    return value


def _choice(target: str, cell: Cell, choices: dict[str, tuple[str, ...]]) -> str:
    words = normalise(_text(cell))
    for code, names in choices.items():
        if words in names or words == normalise(code):
            return code
    if target == "kind":
        reason = _("“%(value)s” is not a kind of listing the site knows (for example: workshop, course, talk).")
    else:
        reason = _("“%(value)s” is not a mode the site knows (on site, online or blended).")
    raise _CellError(target, reason % {"value": _quoted(cell)})


def _names_to_codes(table: list[tuple[str, str, str]]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for code, name_fr, name_en in table:
        for name in (code, name_fr, name_en):
            codes[normalise(name)] = code
    return codes


_LANGUAGE_CODES = _names_to_codes(LANGUAGES) | {"lsf": "fsl", "francaise": "fr", "anglaise": "en"}
_AUDIENCE_CODES = _names_to_codes(AUDIENCE_LABELS) | {"tout public": "", "tous publics": "", "all": ""}
_BLOCK_CODES = _names_to_codes(BUILDING_BLOCKS) | {
    str(position): code for position, (code, _fr, _en) in enumerate(BUILDING_BLOCKS, start=1)
}


def _items(target: str, cell: Cell) -> list[str]:
    text = _text(cell)
    if target == "formacodes":
        return _codes(target, text, _FORMACODE.findall(text), _("No 5-digit Formacode code in “%(value)s”."))
    if target == "rome_codes":
        found = [code.upper() for code in _ROME.findall(text)]
        return _codes(target, text, found, _("No ROME code (a letter and 4 digits) in “%(value)s”."))
    items = [" ".join(item.split()) for item in _LIST_SEPARATORS.split(text)]
    items = [item for item in items if item]
    if target == "languages":
        return [_LANGUAGE_CODES.get(normalise(item), item.lower()) for item in items]
    if target == "audiences":
        codes = [_AUDIENCE_CODES.get(normalise(item), slugify(item)) for item in items]
        return [code for code in codes if code]
    if target == "building_blocks":
        return [_BLOCK_CODES.get(normalise(item), slugify(item)) for item in items]
    if target == "topics":
        return [slugify(item) for item in items if slugify(item)]
    return items


def _codes(target: str, text: str, found: list[str], reason: str) -> list[str]:
    if text and not found:
        raise _CellError(target, reason % {"value": _quoted(text)})
    return list(dict.fromkeys(found))


def _temporal(target: str, cell: Cell) -> date | datetime:
    """A day (`date`) or a moment (`datetime`, naive or aware) from a date cell."""
    if isinstance(cell, datetime | date):
        return _plausible(target, cell, cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _serial(target, cell)
    text = _text(cell)
    if text in _DATES_READ:
        return _DATES_READ[text]
    if re.fullmatch(r"\d{4,7}(?:[.,]\d+)?", text):
        return _serial(target, float(text.replace(",", ".")))
    value = _iso(text) or _day_first(text)
    if value is None:
        raise _CellError(
            target, _("“%(value)s” is not a date (write 25/12/2026, 25/12/2026 14:30 or 2026-12-25T14:30).")
            % {"value": _quoted(cell)}
        )  # fmt: skip
    value = _plausible(target, cell, value)
    if len(_DATES_READ) > 20_000:
        _DATES_READ.clear()
    _DATES_READ[text] = value
    return value


# Dates read from text, which a long file repeats (the same few hundred days and hours); only dates read
# without error are kept, so no message is kept in a language.
_DATES_READ: dict[str, date | datetime] = {}


def _plausible(target: str, cell: Cell, value: date | datetime) -> date | datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _CellError(
            target, _("“%(value)s” is not a date between %(first)d and %(last)d.")
            % {"value": _quoted(cell), "first": FIRST_YEAR, "last": LAST_YEAR}
        )  # fmt: skip
    return value


def _serial(target: str, number: float) -> date | datetime:
    """An Excel day number (days since 1899-12-30, the fraction being the time of day)."""
    if not 1 <= number < 2_958_465:  # up to 9999-12-30, so rounding to the second cannot overflow
        raise _CellError(target, _("“%(value)s” is not a date.") % {"value": _quoted(number)})
    moment = EXCEL_EPOCH + timedelta(days=number)
    moment = moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1_000_000))
    return _plausible(target, number, moment.date() if float(number).is_integer() else moment)


def _iso(text: str) -> date | datetime | None:
    match = _ISO_DATE.match(text)
    if match is None:
        return None
    try:
        if match.group(4) is None:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return datetime.fromisoformat(text)
    except ValueError:
        return _with_time(date(*map(int, match.groups()[:3])), match.group(4)) if _valid_day(match) else None


def _day_first(text: str) -> date | datetime | None:
    match = _DAY_FIRST.match(text)
    if match is None:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    year = year + 2000 if year < 100 else year
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if match.group(4) is None else _with_time(found, match.group(4))


def _valid_day(match: re.Match[str]) -> bool:
    try:
        date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return False
    return True


def _with_time(day: date, text: str) -> datetime | None:
    moment = _clock(text)
    return None if moment is None else datetime.combine(day, moment)


def _clock(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hour, minute, second = (int(part) if part else 0 for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _time_of_day(target: str, cell: Cell) -> time:
    if isinstance(cell, time):
        return cell.replace(tzinfo=None)
    if isinstance(cell, datetime):
        return cell.time()
    if isinstance(cell, float) and 0 <= cell < 1:
        return (datetime.min + timedelta(seconds=round(cell * 86_400) % 86_400)).time()
    moment = _clock(_text(cell))
    if moment is None:
        raise _CellError(target, _("“%(value)s” is not a time (write 14:30 or 14h30).") % {"value": _quoted(cell)})
    return moment


def _read_cell(target: str, cell: Cell) -> Any:
    """One cell as the type its target holds."""
    if target in TEXT:
        text = _text(cell)
        if target.startswith("description") and _LOOKS_LIKE_HTML.search(text):
            return html_to_text(text)
        if target in {"kind", "mode"}:
            return _choice(target, cell, KINDS if target == "kind" else MODES)
        return text
    if target in LISTS:
        return _items(target, cell)
    if target in WHOLE:
        return _whole(target, cell)
    if target in MONEY:
        return _amount(target, cell)
    if target in YES_NO:
        return _yes_no(target, cell)
    if target in {"latitude", "longitude"}:
        return _coordinate(target, cell)
    if target in DATES:
        return _temporal(target, cell)
    return _time_of_day(target, cell)


# From rows to records -----------------------------------------------------------------------------


@dataclass
class _Row:
    """One row's values by target, or the problems that stop it."""

    line: int
    values: dict[str, Any]
    session: tuple[datetime, datetime] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def _row(line: int, cells: list[Cell], columns: dict[int, str], options: ParseOptions, zone: ZoneInfo) -> _Row:
    row = _Row(line, {})
    for index, target in columns.items():
        cell = cells[index] if index < len(cells) else None
        if not _present(cell):
            continue
        if isinstance(cell, str) and len(cell) > options.max_field_chars:
            reason = _("This cell holds %(count)d characters; the limit is %(limit)d.")
            row.problems.append((target, reason % {"count": len(cell), "limit": options.max_field_chars}))
            continue
        try:
            _read_into(row.values, target, cell)
        except _CellError as problem:
            row.problems.append((problem.target, problem.reason))
    if len(str(row.values.get("external_id", ""))) > MAX_ID_CHARS:
        row.problems.append(("external_id", _("The identifier is longer than %(limit)d characters.") % {
            "limit": MAX_ID_CHARS}))  # fmt: skip
    if not row.problems:
        try:
            row.session = _session(row.values, zone)
        except _CellError as problem:
            row.problems.append((problem.target, problem.reason))
    return row


def _read_into(values: dict[str, Any], target: str, cell: Cell) -> None:
    """Store a cell's value under its target (the first non-empty one wins; lists add up)."""
    if target == "age_min" and isinstance(cell, str) and (ages := _AGE_RANGE.match(cell)):
        values.setdefault("age_min", int(ages.group(1)))  # "8-12 ans" in an age column
        values.setdefault("age_max", int(ages.group(2)))
        return
    if target in {"start", "end"} and (moment := _time_only(cell)) is not None:
        target, value = f"{target}_time", moment  # "Début: 14:00" next to a "Date" column
    else:
        value = _read_cell(target, cell)
    if target in LISTS:
        values.setdefault(target, []).extend(value)
    elif target not in values and value not in ("", None):
        values[target] = value


def _time_only(cell: Cell) -> time | None:
    if isinstance(cell, time):
        return cell.replace(tzinfo=None)
    if isinstance(cell, float) and 0 <= cell < 1:
        return _time_of_day("start_time", cell)
    return _clock(cell) if isinstance(cell, str) and len(cell) <= 8 else None


def _session(values: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The row's session from start/end, or date with start and end times; None when it gives no date."""
    first: date | None = values.get("start", values.get("date"))
    if first is None:
        if any(name in values for name in ("end", "start_time", "end_time")):
            raise _CellError("start", _("The row gives an end or a time but no start date."))
        return None
    day = first.date() if isinstance(first, datetime) else first
    start = first if isinstance(first, datetime) else datetime.combine(day, values.get("start_time", time(0)))
    timed = isinstance(first, datetime) or "start_time" in values
    end = _session_end(values.get("end"), values.get("end_time"), day, timed=timed)
    if end is None:
        raise _CellError("end", _("The row gives a start time but no end: map a column to the end or the end time."))
    start, end = _aware(start, zone), _aware(end, zone)
    if end <= start:
        raise _CellError(
            "end", _("The end (%(end)s) is not after the start (%(start)s).")
            % {"end": f"{end:%Y-%m-%d %H:%M}", "start": f"{start:%Y-%m-%d %H:%M}"}
        )  # fmt: skip
    return start, end


def _session_end(end: date | None, end_time: time | None, day: date, *, timed: bool) -> datetime | None:
    """The end: given, or the end time on the start day; a day without times lasts until midnight."""
    if isinstance(end, datetime):
        return end
    if end is not None:
        return datetime.combine(end, end_time) if end_time else datetime.combine(end + timedelta(days=1), time(0))
    if end_time is not None:
        return datetime.combine(day, end_time)
    return None if timed else datetime.combine(day + timedelta(days=1), time(0))


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _fallback_id(values: dict[str, Any]) -> str:
    """A stable identifier from what names the listing: its title, its provider and its place."""
    parts = [
        normalise(str(values.get("title_fr") or values.get("title_en") or "")),
        normalise(str(values.get("organisation_name") or values.get("organisation_siret") or "")),
        normalise(str(values.get("venue_name") or values.get("venue_address") or "")),
    ]
    return "row-" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def _record(rows: list[_Row], external_id: str) -> OpportunityRecord:
    values = rows[0].values
    sessions = sorted({row.session for row in rows if row.session is not None})
    record = OpportunityRecord(
        line=rows[0].line,
        external_id=external_id,
        sessions=[SessionRecord(start=start, end=end) for start, end in sessions],
    )
    for name in ("title_fr", "title_en", "description_fr", "description_en", "kind", "mode", "online_url",
                 "age_min", "age_max", "is_free", "price", "reduced_price", "capacity", "registration_required",
                 "credential_fr", "url", "registration_url", *sorted(LISTS)):  # fmt: skip
        if name in values:
            value = values[name]
            setattr(record, name, list(dict.fromkeys(value)) if name in LISTS else value)
    record.venue = _venue(values)
    if values.get("organisation_name") or values.get("organisation_siret"):
        siret = "".join(str(values.get("organisation_siret", "")).split())
        record.organisation = OrganisationRecord(name=values.get("organisation_name", ""), siret=siret)
    return record


def _venue(values: dict[str, Any]) -> VenueRecord | None:
    names = ("venue_name", "venue_address", "venue_postcode", "venue_city", "latitude", "longitude", "district")
    if not any(name in values for name in names):
        return None
    return VenueRecord(
        name=values.get("venue_name") or values.get("venue_address", ""),
        address=values.get("venue_address", ""),
        postcode=values.get("venue_postcode", ""),
        city_name=values.get("venue_city", ""),
        latitude=values.get("latitude"),
        longitude=values.get("longitude"),
        district=values.get("district", ""),
    )


def _row_error(row: _Row, external_id: str) -> RowError:
    (target, reason), *others = row.problems
    if others:
        also = " ".join(f"{TARGETS.get(name, name)}: {text}" for name, text in others)
        reason = _("%(reason)s Also: %(others)s") % {"reason": reason, "others": also}
    return RowError(line=row.line, reason=reason, field=target, external_id=external_id)


def _parse(data: bytes, format_name: str, options: ParseOptions) -> Iterator[Parsed]:
    """Listings as soon as their last row is read, in the order of their first row.

    A first pass reads only the columns that decide which listing a row belongs to (and counts rows
    against the limit, and meets any unreadable part before a record is given); the second reads every
    cell and hands over each listing when its last row has gone by: at once when a listing's rows are
    together, as they usually are, so memory does not grow with the file.
    """
    headings, rows = _data_rows(data, format_name, options)
    columns = resolve_mapping(headings, options.mapping)
    zone = ZoneInfo(options.time_zone or "Europe/Paris")
    identified = "external_id" in columns.values()
    key_columns = {index: target for index, target in columns.items() if target in _KEY_TARGETS}
    last: dict[str, int] = {}
    for position, (line, cells) in enumerate(rows()):
        if position >= options.max_rows:
            raise FileRejected(_("The file holds more than %(limit)d rows.") % {"limit": options.max_rows})
        row = _row(line, cells, key_columns, options, zone)
        last[_key(line, row.values, *_identity(row.values))] = position
    pending: dict[str, list[_Row]] = {}  # listings not complete yet, in the order of their first row
    seen: set[str] = set()
    for position, (line, cells) in enumerate(rows()):
        row = _row(line, cells, columns, options, zone)
        external_id, titled = _identity(row.values)
        if not titled and not (identified and external_id in seen):
            row.problems.insert(0, ("title_fr", _("The row has no title.")))
        key = _key(line, row.values, external_id, titled)
        seen.add(key)
        pending.setdefault(key, []).append(row)
        while pending and last[first := next(iter(pending))] <= position:
            del last[first]
            yield from _listing(first, pending.pop(first))


# The targets that say which listing a row belongs to: its identifier, else its title, provider and place.
_KEY_TARGETS = frozenset(
    {"external_id", "title_fr", "title_en", "organisation_name", "organisation_siret", "venue_name", "venue_address"}
)


def _identity(values: dict[str, Any]) -> tuple[str, bool]:
    """A row's identifier as given ("" if none) and whether it has a title."""
    return str(values.get("external_id", "")), bool(values.get("title_fr") or values.get("title_en"))


def _key(line: int, values: dict[str, Any], external_id: str, titled: bool) -> str:
    """The listing a row belongs to: its identifier, else a digest of what names it, else the row alone."""
    if not external_id:
        external_id = _fallback_id(values) if titled else ""
    return external_id or f"\x00{line}"


def _listing(key: str, rows: list[_Row]) -> Iterator[Parsed]:
    external_id = "" if key.startswith("\x00") else key
    bad = [row for row in rows if row.problems]
    if bad:
        yield from (_row_error(row, external_id) for row in bad)
    else:
        yield _record(rows, external_id)


def _data_rows(
    data: bytes, format_name: str, options: ParseOptions
) -> tuple[list[str], Callable[[], Iterator[tuple[int, list[Cell]]]]]:
    """The headings, and a way to read the non-empty rows under them (as many times as needed)."""
    if format_name == "xlsx":  # a workbook is read once: its rows are kept
        table = _read(data, format_name, sheet=options.sheet, max_rows=options.max_rows)
        return table.headings, lambda: iter(table.rows)
    text = _decode(data)
    delimiter = _delimiter(text)
    with closing(_csv_text_rows(text, delimiter)) as raw_rows:
        headed = _table(raw_rows, max_rows=0, stop_after=0)
    if headed is None or not headed.headings:
        raise FileRejected(_("The file has no column headings: its first row must name the columns."))

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        with closing(_csv_text_rows(text, delimiter)) as raw_rows:
            filled = ((line, cells) for line, cells in raw_rows if any(_present(cell) for cell in cells))
            next(filled)  # the headings
            yield from filled

    return headed.headings, rows


def parse_csv(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    """Listings from a CSV file (any usual encoding and separator), through `options.mapping`."""
    return _parse(data, "csv", options)


def parse_xlsx(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    """Listings from the first sheet (or `options.sheet`) of an XLSX workbook, through `options.mapping`."""
    return _parse(data, "xlsx", options)

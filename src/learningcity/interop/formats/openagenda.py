"""OpenAgenda events as OpenDataSoft exports them ("evenements-publics-openagenda" and its copies).

These shapes are read: the export's JSON array of flat records, the ODS API's answers
(`{"records": [{"fields": {...}}]}` of API v1, `{"records": [{"record": {"fields": ...}}]}` of v2.0,
`{"results": [...]}` of v2.1), the GeoJSON export (`{"features": [{"properties": {...}}]}`) and
JSON Lines (one record per line). Every field may be missing,
null or of a type nobody expected: a field that cannot be read rejects its event (the first such
field is named), never the file. See docs/interop-events.md for the field-by-field mapping.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from learningcity.catalogue.services import MAX_SESSIONS_PER_SCHEDULE
from learningcity.interop.records import (
    FieldError,
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

MAX_DEPTH = 32  # an event record is three levels deep; anything far deeper is not an export
MIN_YEAR, MAX_YEAR = 1900, 2200  # dates outside are typing errors, and would overflow time-zone arithmetic
MAX_SESSIONS = MAX_SESSIONS_PER_SCHEDULE  # the catalogue's own limit for one listing
MAX_ID_CHARS = 255  # what SourceRecord.external_id and ExternalLink.external_id hold

# Control characters other than tab and newlines cannot be stored by PostgreSQL (NUL) or shown.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_FREE = re.compile(r"\b(gratuit|gratuite|gratuits|gratuites|free|entree libre|acces libre|libre participation)\b")
_PRICE = re.compile(r"(\d{1,6}(?:[.,]\d{1,2})?)\s*(?:€|euros?\b|eur\b)")
_REDUCED = re.compile(r"\b(?:reduit|reduced|concession)\D{0,20}?(\d{1,6}(?:[.,]\d{1,2})?)\s*(?:€|euros?\b|eur\b)")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
# The first pattern found, in this order, gives the kind (titles are read before keywords).
_KINDS = [
    ("workshop", re.compile(r"\b(atelier|ateliers|workshop|workshops)\b")),
    ("talk", re.compile(r"\b(conference|conferences|conference-debat|debat|table ronde|talk|lecture-debat)\b")),
    ("guided_visit", re.compile(r"\b(visite guidee|visites guidees|visite commentee|guided tour|guided visit)\b")),
    ("course", re.compile(r"\b(cours|formation|course)\b")),
    ("club", re.compile(r"\b(club)\b")),
]
# OpenAgenda's event status 6 is "cancelled" (1 scheduled, 2 rescheduled, 3 moved online, 4 postponed, 5 full).
_CANCELLED = {"6", "cancelled", "canceled", "annule"}
# OpenAgenda's attendance modes: 1 on site, 2 online, 3 both.
_ATTENDANCE = {
    "1": "on_site",
    "offline": "on_site",
    "2": "online",
    "online": "online",
    "3": "blended",
    "mixed": "blended",
}


def parse(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    """Events of an OpenAgenda/OpenDataSoft JSON export, JSON Lines file or ODS API answer."""
    if _streamable(data):
        yield from _streamed(data, options)
        return
    items = _load(data, options)
    _check_count(len(items), options)
    for line, item in items:
        yield _event(line, item, options)


def _check_count(count: int, options: ParseOptions) -> None:
    if count > options.max_rows:
        raise FileRejected(_("The file holds more than %(limit)d events.") % {"limit": options.max_rows})


# Reading a large export a piece at a time ----------------------------------------------------------

WINDOW_BYTES = 1 << 20  # text decoded at a time
JSON_SPACE = " \t\n\r"
_BOM = b"\xef\xbb\xbf"
_NOT_SPACE = re.compile(rb"[^ \t\n\r]")


class _Irregular(Exception):  # noqa: N818 (a signal, not an error)
    """The array is not what `json.loads` would accept as a whole: the whole-file reader says why."""


def _streamable(data: bytes) -> bool:
    """Whether the file is one JSON array (the export's usual shape), read an event at a time.

    Anything else (an ODS API answer, GeoJSON, JSON Lines) is small or rare, and read whole. A first
    line that is a whole JSON value followed by more lines is JSON Lines (`[1, 2]` then `{...}`).
    """
    first = _NOT_SPACE.search(data, len(_BOM) if data.startswith(_BOM) else 0)
    if first is None or first.group() != b"[":
        return False
    start = first.start()
    first_end = data.find(b"\n", start)
    if first_end < 0 or not _NOT_SPACE.search(data, first_end):
        return True  # one line: a single document, or a file the whole-file reader refuses
    if first_end - start > WINDOW_BYTES:
        return False
    try:
        line = data[start:first_end].decode("utf-8").strip(JSON_SPACE)
        _value, end = json.JSONDecoder().raw_decode(line)
    except (ValueError, RecursionError):
        return True  # the first line is not a whole value: not JSON Lines
    return end < len(line)  # a whole value with more after it on its line is refused either way


def _streamed(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    """The events of a JSON array, decoded one by one exactly as `json.loads` decodes them.

    Memory holds one window of text and the events not yet handed over, not the whole document. A
    file that is not a valid array (cut short, too deep, not UTF-8...) is refused with the reason the
    whole-file reader gives, events read before it notwithstanding (the pipeline then refuses the file).
    """
    window = _Window(data, len(_BOM) if data.startswith(_BOM) else 0)
    count = 0
    try:
        position = window.after_space(window.after_space(0) + 1)  # past "["
        closed = window.char(position) == "]"
        while not closed:
            start = position
            item, position = window.value(position)
            # A value cannot nest deeper than it has opening brackets (in strings too): count before walking.
            if window.brackets(start, position) > MAX_DEPTH - 1 and _depth_exceeds(item, MAX_DEPTH - 1):
                raise _Irregular  # the array itself is one level
            count += 1
            if count > options.max_rows:
                raise _Irregular  # refused; the whole-file reader says whether for this or a worse reason
            yield _event(count, item, options)
            position = window.after_space(position)
            separator = window.char(position)
            if separator not in {",", "]"}:
                raise _Irregular
            closed = separator == "]"
            position = window.after_space(position + 1) if not closed else position
        if not window.rest_is_space(position + 1):
            raise _Irregular
    except _Irregular:
        items = _load(data, options)  # raises FileRejected with the reason
        _check_count(len(items), options)
        for line, item in items[count:]:  # never reached for an irregular array, kept for safety
            yield _event(line, item, options)


class _Window:
    """A file's text decoded a window at a time; positions count characters from the file's start."""

    def __init__(self, body: bytes, start: int) -> None:
        self.body = body
        self.read = start  # bytes decoded so far
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.base = 0  # the position of text[0]
        self.scanner = json.JSONDecoder()

    def _more(self) -> bool:
        """Decode the next window; False at the end of the file."""
        if self.read >= len(self.body):
            return False
        chunk = self.body[self.read : self.read + WINDOW_BYTES]
        self.read += len(chunk)
        try:
            decoded = self.decoder.decode(chunk, final=self.read >= len(self.body))
        except UnicodeDecodeError:
            raise _Irregular from None
        self.text += decoded
        return True

    def _forget(self, position: int) -> None:
        """Drop the text before `position` once it is most of the window."""
        consumed = position - self.base
        if consumed > WINDOW_BYTES:
            self.text = self.text[consumed:]
            self.base = position

    def char(self, position: int) -> str:
        while position - self.base >= len(self.text):
            if not self._more():
                raise _Irregular
        return self.text[position - self.base]

    def after_space(self, position: int) -> int:
        """The first position from `position` that is not JSON white space."""
        while self.char(position) in JSON_SPACE:
            position += 1
        return position

    def brackets(self, start: int, end: int) -> int:
        """How many "[" and "{" the text between two positions of the current window holds."""
        return self.text.count("[", start - self.base, end - self.base) + self.text.count(
            "{", start - self.base, end - self.base
        )

    def rest_is_space(self, position: int) -> bool:
        while self._more():
            pass
        return not self.text[position - self.base :].strip(JSON_SPACE)

    def value(self, position: int) -> tuple[Any, int]:
        """The JSON value at `position` and the position after it, with more text read while it is cut."""
        self._forget(position)
        while True:
            try:
                value, end = self.scanner.raw_decode(self.text, position - self.base)
            except (ValueError, RecursionError):
                if not self._more():
                    raise _Irregular from None
                continue
            if end < len(self.text) or not self._more():  # a number at the window's edge may go on
                return value, end + self.base


# Reading the file -------------------------------------------------------------------------------


def _load(data: bytes, options: ParseOptions) -> list[tuple[int, Any]]:
    """The file's events with their line: position in the list, or line of a JSON Lines file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRejected(
            _("The file is not UTF-8 text (byte %(position)d); export it again as JSON.") % {"position": error.start}
        ) from error
    if not text.strip():
        raise FileRejected(_("The file is empty."))
    try:
        document = _decode(text)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise _unreadable(error) from error
        return _json_lines(text, options)
    return list(enumerate(_records(document), start=1))


def _decode(text: str) -> Any:
    """One JSON document, refusing what is nested too deeply to be an export."""
    try:
        document = json.loads(text)
    except RecursionError as error:
        raise _too_deep() from error
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # an integer of thousands of digits
        raise FileRejected(_("The file holds a number too long to read.")) from error
    if _depth_exceeds(document, MAX_DEPTH):
        raise _too_deep()
    return document


def _unreadable(error: json.JSONDecodeError) -> FileRejected:
    reason = _("The file is not valid JSON: %(problem)s at line %(line)d, column %(column)d (it may be cut short).")
    return FileRejected(reason % {"problem": error.msg, "line": error.lineno, "column": error.colno})


def _too_deep() -> FileRejected:
    reason = _("The JSON is nested more than %(limit)d levels deep: this is not an events export.")
    return FileRejected(reason % {"limit": MAX_DEPTH})


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit` (walked without recursion)."""
    level = [document] if isinstance(document, dict | list) else []
    depth = 1
    while level:  # one level of nesting at a time
        if depth > limit:
            return True
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        depth += 1
    return False


def _json_lines(text: str, options: ParseOptions) -> list[tuple[int, Any]]:
    """One event per line; a line that is not JSON becomes that event's error."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) > options.max_rows:
        raise FileRejected(_("The file holds more than %(limit)d events.") % {"limit": options.max_rows})
    items: list[tuple[int, Any]] = []
    for number, line in lines:
        try:
            items.append((number, _decode(line)))
        except json.JSONDecodeError as error:
            if not items:  # the first line decides whether this is JSON Lines at all
                raise _unreadable(error) from error
            items.append((number, error))
    return items


def _records(document: Any) -> list[Any]:
    """The list of events inside any of the shapes OpenDataSoft serves."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in ("records", "results", "features"):
            if isinstance(document.get(key), list):
                return [_unwrap(item) for item in document[key]]
        if "uid" in document or "title_fr" in document:
            return [document]
    raise FileRejected(
        _(
            "This JSON is not an OpenAgenda export: expected a list of events, "
            "or an object with “records”, “results” or “features”."
        )
    )


def _unwrap(item: Any) -> Any:
    """A record's fields: in `fields` (API v1), `record.fields` (v2.0), `properties` (GeoJSON), or flat (v2.1)."""
    if isinstance(item, dict):
        if item.get("type") == "Feature" and isinstance(item.get("properties"), dict):
            return item["properties"]
        inner = item.get("record")
        if isinstance(inner, dict) and isinstance(inner.get("fields"), dict):
            return inner["fields"]
        if isinstance(item.get("fields"), dict):
            return item["fields"]
    return item


# One event ----------------------------------------------------------------------------------------


def _event(line: int, item: Any, options: ParseOptions) -> Parsed:
    """The record of one event, or the error of its first unreadable field."""
    if isinstance(item, json.JSONDecodeError):
        reason = _("This line is not valid JSON: %(problem)s at column %(column)d.")
        return RowError(line=line, reason=reason % {"problem": item.msg, "column": item.colno})
    if not isinstance(item, dict):
        return RowError(line=line, reason=_("This item is not an event (a JSON object was expected)."))
    fields = _Fields(item, options)
    external_id = ""
    try:
        external_id = fields.identifier("uid")
        return _record(line, external_id, fields)
    except FieldError as problem:
        return RowError(line=line, reason=problem.reason, field=problem.field, external_id=external_id)


def _record(line: int, external_id: str, fields: _Fields) -> OpportunityRecord:
    title_fr, title_en = fields.text("title_fr"), fields.text("title_en")
    if not title_fr and not title_en:
        raise FieldError("title_fr", _("The event has no title."))
    if fold(str(fields.item.get("status"))) in _CANCELLED:
        raise FieldError("status", _("The event is cancelled at its source, so it is not imported."))
    keywords = fields.words("keywords_fr") or fields.words("keywords_en")
    registration = fields.registration("registration")
    mode = fields.attendance("attendancemode")
    is_free, price, reduced_price = fields.price("conditions_fr")
    return OpportunityRecord(
        line=line,
        external_id=external_id,
        title_fr=title_fr,
        title_en=title_en,
        description_fr=_join(fields.html("description_fr"), fields.html("longdescription_fr")),
        description_en=_join(fields.html("description_en"), fields.html("longdescription_en")),
        kind=guess_kind(title_fr or title_en, keywords),
        mode=mode,
        online_url=fields.text("onlineaccesslink"),
        age_min=fields.integer("age_min"),
        age_max=fields.integer("age_max"),
        is_free=is_free,
        price=price,
        reduced_price=reduced_price,
        registration_required=True if registration["links"] or registration["other"] else None,
        keywords=keywords,
        languages=fields.languages("lang") or fields.languages("languages"),
        venue=_venue(fields),
        organisation=_organisation(fields),
        sessions=_sessions(fields),
        url=fields.text("canonicalurl"),
        registration_url=registration["links"][0] if registration["links"] else "",
        extra=_extra(fields, registration),
    )


def _join(short: str, long: str) -> str:
    """The short description, then the long one (unless it already starts with the short one)."""
    if short and long.startswith(short):
        return long
    return "\n\n".join(part for part in (short, long) if part)


def _venue(fields: _Fields) -> VenueRecord | None:
    name = fields.text("location_name")
    address = fields.text("location_address")
    coordinates = fields.coordinates("location_coordinates")
    if not name and not address and coordinates is None:
        return None
    return VenueRecord(
        name=name or address,
        address=address,
        postcode=fields.text("location_postalcode"),
        city_name=fields.text("location_city"),
        latitude=coordinates[0] if coordinates else None,
        longitude=coordinates[1] if coordinates else None,
        district=fields.text("location_district"),
        external_id=fields.identifier("location_uid", required=False),
        step_free_access=True if "mi" in fields.accessibility("accessibility") else None,
    )


def _organisation(fields: _Fields) -> OrganisationRecord | None:
    name = fields.text("originagenda_title")
    if not name:
        return None
    return OrganisationRecord(name=name, external_id=fields.identifier("originagenda_uid", required=False))


def _sessions(fields: _Fields) -> list[SessionRecord]:
    sessions = fields.timings("timings")
    if sessions is None:
        start = fields.moment("firstdate_begin")
        end = fields.moment("lastdate_end", end=True) or fields.moment("firstdate_end", end=True)
        sessions = [SessionRecord(start=start, end=end)] if start and end else []
    if len(sessions) > MAX_SESSIONS:
        raise FieldError("timings", _("The event has more than %(limit)d dates.") % {"limit": MAX_SESSIONS})
    for session in sessions:
        if session.end <= session.start:
            reason = _("A date ends before it starts (%(start)s).") % {"start": session.start.isoformat()}
            raise FieldError("timings", reason)
    return sessions


def _extra(fields: _Fields, registration: dict[str, list[str]]) -> dict[str, Any]:
    """What is worth keeping but has no place in a listing: conditions, contacts, image, status."""
    extra: dict[str, Any] = {
        "conditions_fr": fields.text("conditions_fr"),
        "registration": registration["other"],
        "accessibility": sorted(fields.accessibility("accessibility")),
        "image": fields.kept("image"),
        "status": fields.kept("status"),
        "location_uid": fields.identifier("location_uid", required=False),
        "originagenda_uid": fields.identifier("originagenda_uid", required=False),
    }
    return {key: value for key, value in extra.items() if value}


def guess_kind(title: str, keywords: list[str]) -> str:
    """The catalogue kind an event's title (then keywords) suggests, or "" to keep the format's usual kind.

    >>> guess_kind("Atelier d'écriture", [])
    'workshop'
    >>> guess_kind("Rencontre", ["conférence"])
    'talk'
    """
    for text in (title, " ".join(keywords)):
        folded = fold(text)
        for kind, pattern in _KINDS:
            if pattern.search(folded):
                return kind
    return ""


def fold(text: str) -> str:
    """Lower case without accents, for matching words in French and English."""
    return text.translate(_FOLDED)


class _FoldTable(dict[int, str]):
    """Each character folded on first sight: case folding and compatibility decomposition work character
    by character, and the combining marks that canonical reordering moves are all dropped, so folding a
    text is folding its characters one by one (a table lookup each)."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code).casefold())
        folded = "".join(char for char in decomposed if not unicodedata.combining(char))
        if len(self) < 20_000:  # the scripts a city's events are written in; not every character there is
            self[code] = folded
        return folded


_FOLDED = _FoldTable()


def clean_text(text: str) -> str:
    """Text that any database can store: no lone surrogates, no control characters but tabs and newlines."""
    if _UNSTORABLE.search(text) is None:
        return text.strip()  # the usual case: nothing to replace or remove
    return _CONTROL.sub("", text.encode("utf-8", "replace").decode("utf-8")).strip()


def local_moment(value: datetime | date, zone: ZoneInfo, *, end: bool = False) -> datetime:
    """An aware moment: a naive time is local to `zone`; a date is the start of that day (of the next, for an end)."""
    if not isinstance(value, datetime):
        day = value + timedelta(days=1) if end else value
        return datetime(day.year, day.month, day.day, tzinfo=zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def plausible(moment: datetime) -> bool:
    """Whether a moment is within the years a listing can be in."""
    return MIN_YEAR <= moment.year <= MAX_YEAR


# Reading fields -----------------------------------------------------------------------------------

# Moments read without error, by text, end or start, and zone (errors are not kept: they are in a language).
_MOMENTS_READ: dict[tuple[str, bool, ZoneInfo], datetime] = {}


class _Fields:
    """One event's fields, each read with its own rules; a field that cannot be read raises FieldError."""

    def __init__(self, item: dict[str, Any], options: ParseOptions) -> None:
        self.item = item
        self.options = options
        self.zone = ZoneInfo(options.time_zone)

    def _string(self, name: str, value: Any) -> str:
        if len(value) > self.options.max_field_chars:
            reason = _("This field is longer than %(limit)d characters.") % {"limit": self.options.max_field_chars}
            raise FieldError(name, reason)
        return clean_text(value)

    def text(self, name: str) -> str:
        """Plain text; numbers are taken as their digits, null and absent as empty."""
        value = self.item.get(name)
        if value is None:
            return ""
        if type(value) is str:  # the usual case, first
            return self._string(name, value)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FieldError(name, _("This field should be text."))
        return self._string(name, value if isinstance(value, str) else str(value))

    def kept(self, name: str) -> str:
        """A text only kept for reference: if it cannot be read, it is left out rather than refused."""
        try:
            return self.text(name)
        except FieldError:
            return ""

    def html(self, name: str) -> str:
        """Text from HTML, sanitised."""
        return html_to_text(self.text(name))

    def identifier(self, name: str, *, required: bool = True) -> str:
        """An id at the source: text or a whole number."""
        value = self.item.get(name)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            text = str(int(value))
        else:
            text = self.text(name)
        if required and not text:
            raise FieldError(name, _("The event has no identifier (uid)."))
        if len(text) > MAX_ID_CHARS:
            raise FieldError(name, _("An identifier may have at most %(limit)d characters.") % {"limit": MAX_ID_CHARS})
        return text

    def integer(self, name: str) -> int | None:
        """A whole number, given as a number or as digits."""
        value = self.item.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 10**6:
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**6:
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
            return int(value)
        raise FieldError(name, _("This field should be a whole number."))

    def words(self, name: str) -> list[str]:
        """Keywords: a list of texts, or one text separated by semicolons."""
        value = self.item.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            parts: list[Any] = value.split(";")
        elif isinstance(value, list):
            parts = value
        else:
            raise FieldError(name, _("This field should be a list of words."))
        words: list[str] = []
        for part in parts:
            if isinstance(part, bool) or not isinstance(part, str | int | float):
                raise FieldError(name, _("This field should be a list of words."))
            word = self._string(name, str(part))
            if word and word not in words:
                words.append(word)
        return words

    def languages(self, name: str) -> list[str]:
        """ISO 639 codes: a list, or one text separated by commas or semicolons ("fr-FR" counts as "fr")."""
        value = self.item.get(name)
        words = re.split(r"[,;\s]+", self.text(name)) if isinstance(value, str) else self.words(name)
        codes: list[str] = []
        for word in filter(None, words):
            code = word.casefold().replace("_", "-").split("-")[0]
            if not _LANGUAGE.match(code):
                raise FieldError(name, _("“%(code)s” is not a language code such as fr or en.") % {"code": word})
            if code not in codes:
                codes.append(code)
        return codes

    def coordinates(self, name: str) -> tuple[float, float] | None:
        """Latitude and longitude from {lat, lon}, [lat, lon] or "lat, lon"."""
        value = self.item.get(name)
        if value is None or value == "":
            return None
        pair: Any = value
        if isinstance(value, dict):
            pair = [value.get("lat"), value.get("lon", value.get("lng"))]
        elif isinstance(value, str):
            pair = value.split(",")
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise FieldError(name, _("The coordinates should be a latitude and a longitude."))
        try:
            latitude, longitude = (_number(part) for part in pair)
        except ValueError:
            raise FieldError(name, _("The coordinates should be a latitude and a longitude.")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise FieldError(name, _("These coordinates are not on Earth: %(lat)s, %(lon)s.") % {
                "lat": latitude, "lon": longitude
            })  # fmt: skip
        return latitude, longitude

    def moment(self, name: str, *, end: bool = False) -> datetime | None:
        """An ISO 8601 date or time; without an offset it is local to the city."""
        text = self.text(name)
        if not text:
            return None
        return self._moment(name, text, end=end)

    def _moment(self, name: str, text: str, *, end: bool = False) -> datetime:
        key = (text, end, self.zone)
        if key in _MOMENTS_READ:  # an agenda's events share their dates and hours
            return _MOMENTS_READ[key]
        try:
            value: datetime | date = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
            moment = local_moment(value, self.zone, end=end)
        except (ValueError, OverflowError):
            raise FieldError(name, _("“%(value)s” is not a date and time.") % {"value": text[:40]}) from None
        if not plausible(moment):
            raise FieldError(name, _("The year of “%(value)s” is not plausible.") % {"value": text[:40]})
        if len(_MOMENTS_READ) > 20_000:
            _MOMENTS_READ.clear()
        _MOMENTS_READ[key] = moment
        return moment

    def timings(self, name: str) -> list[SessionRecord] | None:
        """Dates from `timings`: a list of {begin, end}, or a JSON text holding one; None if absent."""
        value = self.item.get(name)
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str):
            try:
                value = _decode(self._string(name, value))
            except (ValueError, FileRejected):
                raise FieldError(name, _("The dates are not a readable list of begin and end times.")) from None
        if not isinstance(value, list):
            raise FieldError(name, _("The dates are not a readable list of begin and end times."))
        sessions = []
        for timing in value[: MAX_SESSIONS + 1]:
            if not isinstance(timing, dict):
                raise FieldError(name, _("The dates are not a readable list of begin and end times."))
            begin, finish = timing.get("begin", timing.get("start")), timing.get("end")
            if not isinstance(begin, str) or not isinstance(finish, str):
                raise FieldError(name, _("Each date needs a begin and an end time."))
            sessions.append(
                SessionRecord(start=self._moment(name, begin.strip()), end=self._moment(name, finish.strip(), end=True))
            )
        return sessions

    def registration(self, name: str) -> dict[str, list[str]]:
        """Ways to register: web links apart from e-mail addresses and phone numbers."""
        value = self.item.get(name)
        found: dict[str, list[str]] = {"links": [], "other": []}
        if value is None or value == "":
            return found
        if isinstance(value, str) and value.lstrip().startswith("["):
            try:
                value = _decode(self._string(name, value))
            except (ValueError, FileRejected):
                raise FieldError(name, _("The registration should be a list of links, e-mails or phones.")) from None
        for entry in value if isinstance(value, list) else [value]:
            kind, text = "", entry
            if isinstance(entry, dict):
                kind, text = str(entry.get("type") or ""), entry.get("value")
            if not isinstance(text, str):
                raise FieldError(name, _("The registration should be a list of links, e-mails or phones."))
            text = self._string(name, text)
            is_link = kind == "link" or text.startswith(("http://", "https://"))
            if text:
                found["links" if is_link else "other"].append(text)
        return found

    def attendance(self, name: str) -> str:
        """On site, online or both, from OpenAgenda's attendance mode."""
        value = self.item.get(name)
        if value is None or value == "":
            return ""
        if isinstance(value, dict):  # {"id": 1, "label": {...}} in OpenAgenda's own API
            value = value.get("id")
        mode = _ATTENDANCE.get(str(value).strip().casefold()) if isinstance(value, str | int) else None
        if mode is None or isinstance(value, bool):
            raise FieldError(name, _("The attendance mode should be 1 (on site), 2 (online) or 3 (both)."))
        return mode

    def accessibility(self, name: str) -> set[str]:
        """OpenAgenda's accessibility codes (mi, hi, vi, pi, ii), from a list or {code: true}."""
        value = self.item.get(name)
        if isinstance(value, dict):
            return {str(code) for code, present in value.items() if present is True}
        if isinstance(value, list):
            return {code for code in value if isinstance(code, str) and len(code) <= 8}
        if isinstance(value, str):
            return {code.strip() for code in value.split(";") if 0 < len(code.strip()) <= 8}
        return set()

    def price(self, name: str) -> tuple[bool | None, Decimal | None, Decimal | None]:
        """Free or not, the price and the reduced price, from the conditions text.

        A price in euros wins over "free" ("gratuit pour les moins de 12 ans, 5 € sinon" is not free).
        """
        conditions = fold(self.text(name))
        reduced = [_amount(found) for found in _REDUCED.findall(conditions)]
        amounts = [amount for amount in map(_amount, _PRICE.findall(conditions)) if amount > 0]
        full = [amount for amount in amounts if amount not in reduced]
        if full:
            return False, full[0], reduced[0] if reduced else None
        if amounts:
            return False, amounts[0], None
        if _FREE.search(conditions):
            return True, None, None
        return None, None, None


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _number(value: Any) -> float:
    """A finite float from a number or its text."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(value)
    number = float(value) if not isinstance(value, str) else float(value.strip())
    if not math.isfinite(number):
        raise ValueError(value)
    return number

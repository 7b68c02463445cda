"""What every importer produces: format-neutral records of opportunities, or row errors.

A format module (`interop/formats/<name>.py`) turns the bytes of a file into a stream of
`OpportunityRecord` (one offer with its sessions, venue and provider) and `RowError` (a row that
cannot become an offer, with its line and the reason). It never touches the database: matching
venues and providers, validating against the catalogue's rules and writing all or nothing is the
pipeline's job (`interop/pipeline.py`). A problem with the whole file (not the format it claims,
too large, an XML entity bomb) raises `FileRejected`.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import nh3


class FileRejected(Exception):  # noqa: N818 (a rejection, not a program error)
    """The whole file cannot be read: not in the announced format, too big, unsafe, unreadable."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class FieldError(Exception):
    """Inside a parser: one value of one row cannot be read; the parser turns it into the row's RowError."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass
class RowError:
    """One row (or element) of a file that cannot become a listing, and why."""

    line: int
    reason: str
    field: str = ""
    external_id: str = ""


@dataclass
class OrganisationRecord:
    """A provider as a source describes it; matched by external id, then SIRET, then name."""

    name: str
    external_id: str = ""
    siret: str = ""
    type: str = ""  # an OrganisationType value, or "" to let the pipeline choose
    sector: str = ""  # a Sector value, or ""
    email: str = ""
    phone: str = ""
    website: str = ""
    description_fr: str = ""
    description_en: str = ""


@dataclass
class VenueRecord:
    """A place; matched to an existing venue by name and coordinates before a new one is made."""

    name: str
    address: str = ""
    postcode: str = ""
    city_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    district: str = ""  # a district name or code given by the source, used when coordinates say nothing
    external_id: str = ""
    step_free_access: bool | None = None
    accessible_toilets: bool | None = None
    hearing_loop: bool | None = None
    sign_language: bool | None = None
    easy_read: bool | None = None


@dataclass
class SessionRecord:
    """A dated occurrence; both ends are time-zone aware."""

    start: datetime
    end: datetime
    capacity: int | None = None


@dataclass
class OpportunityRecord:
    """One learning offer read from a file, before it meets the database.

    Empty strings, `None` and empty lists mean "the source does not say"; the pipeline then
    applies the catalogue's defaults (free, all ages, French, on site when there is a venue).
    """

    line: int
    external_id: str
    title_fr: str = ""
    title_en: str = ""
    description_fr: str = ""  # plain text: run HTML through `html_to_text` first
    description_en: str = ""
    kind: str = ""  # a catalogue Kind value, or "" (the format's usual kind is applied)
    mode: str = ""  # on_site, online, blended, or ""
    online_url: str = ""
    age_min: int | None = None
    age_max: int | None = None
    is_free: bool | None = None
    price: Decimal | None = None
    reduced_price: Decimal | None = None
    capacity: int | None = None
    registration_required: bool | None = None
    credential_fr: str = ""
    credential_en: str = ""
    topics: list[str] = field(default_factory=list)  # catalogue Topic codes
    formacodes: list[str] = field(default_factory=list)  # 5-digit Formacode codes (matched to topics, kept)
    rome_codes: list[str] = field(default_factory=list)  # ROME job codes (kept with the record)
    keywords: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # ISO 639-1 codes
    audiences: list[str] = field(default_factory=list)  # AudienceLabel codes
    building_blocks: list[str] = field(default_factory=list)  # BuildingBlock codes
    venue: VenueRecord | None = None
    organisation: OrganisationRecord | None = None
    sessions: list[SessionRecord] = field(default_factory=list)
    url: str = ""  # the listing's page at the source (kept as provenance)
    registration_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # anything else worth keeping, JSON-serialisable

    def fingerprint(self) -> str:
        """A digest of everything the record says (not its line): equal digests mean nothing changed."""
        # The generated repr names every field, nested records included, in a fixed order: a cheap,
        # complete description (JSON cost more than validating the row).
        line, self.line = self.line, 0
        try:
            text = repr(self)
        finally:
            self.line = line
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


Parsed = OpportunityRecord | RowError


@dataclass
class ParseOptions:
    """What a parser may need besides the bytes."""

    time_zone: str = "Europe/Paris"  # the city's zone, for local times without an offset
    max_rows: int = 200_000
    max_field_chars: int = 100_000
    mapping: dict[str, str] = field(default_factory=dict)  # tabular formats: column heading → target field
    sheet: str = ""  # XLSX: the sheet to read ("" → the first)


class Parser(Protocol):
    """The signature every format module's `parse` has."""

    def __call__(self, data: bytes, options: ParseOptions) -> Iterator[Parsed]: ...


_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|tr|blockquote|section|article)\s*>|<br\s*/?>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


# What the sanitiser would change in a text: markup, entities, and what HTML parsing rewrites (CR, NUL);
# lone surrogates, which it refuses.
_MARKUP = re.compile(r"[<&\r\x00\ud800-\udfff]")


def html_to_text(markup: str) -> str:
    """Sanitise HTML from a source with nh3, then keep only its text, with paragraphs as blank lines."""
    if not markup:
        return ""
    if _MARKUP.search(markup) is None:
        return _tidy(markup)  # plain text: nh3 would give it back as it is (half an import's descriptions)
    return _sanitised(markup)


def _sanitised(markup: str) -> str:
    cleaned = nh3.clean(markup, tags={"p", "br", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6"})
    cleaned = _LIST_ITEM.sub("\n• ", cleaned)
    cleaned = _BLOCK_END.sub("\n\n", cleaned)
    # The sanitiser's output escapes every "<" and ">" that is not a tag's (in text and attribute values), so
    # its remaining tags (lists, paragraphs, headings: no table or inline element to reorder text) come
    # off with a pattern: what a second `nh3.clean(..., tags=set())` gives, at half the cost (tested).
    return _tidy(html.unescape(_TAG.sub("", cleaned)).replace("\r", ""))


def _tidy(text: str) -> str:
    """Single spaces within lines, at most one blank line between paragraphs."""
    if "\n" not in text:
        return " ".join(text.split())  # one line (`split` and `strip` agree on what white space is)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()

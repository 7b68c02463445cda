"""The public catalogue as open data: flat tables in CSV or Parquet, and the whole programme as iCalendar.

Two tables: one row per published listing of a city (`OPPORTUNITY_SCHEMA`) and one row per session of
those listings (`SESSION_SCHEMA`). Both are read `CHUNK_SIZE` listings at a time, each chunk with its own
sessions, so a city of 200,000 listings never sits in memory and the two tables always agree (a session
row's listing is in the listings table). Files are written next to their final name and moved into
place when complete: a failed export leaves no half-written file. See docs/interop-exports.md.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Max, Min, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Timezone

from learningcity.calendars import ical
from learningcity.calendars.content import absolute_url, session_content
from learningcity.calendars.selectors import PAST_DAYS, SESSION_RELATIONS, public_sessions
from learningcity.catalogue.models import City, Opportunity, Session
from learningcity.spreadsheets import safe_cell

CHUNK_SIZE = 2000  # listings read (and sessions fetched) per database round
ROW_GROUP_LISTINGS = 10_000  # listings per Parquet row group: big enough to compress well, small enough for memory
LIST_SEPARATOR = "|"  # joins codes (topics, languages...) in one CSV cell; codes never contain it

OPPORTUNITY_SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("title_fr", pa.string()),
    ("title_en", pa.string()),
    ("description_fr", pa.string()),
    ("description_en", pa.string()),
    ("kind", pa.string()),
    ("mode", pa.string()),
    ("online_url", pa.string()),
    ("organisation_id", pa.int64()),
    ("organisation_name", pa.string()),
    ("venue_id", pa.int64()),
    ("venue_name", pa.string()),
    ("venue_address", pa.string()),
    ("venue_postcode", pa.string()),
    ("venue_latitude", pa.float64()),
    ("venue_longitude", pa.float64()),
    ("district_code", pa.string()),
    ("district_name", pa.string()),
    ("age_min", pa.int16()),
    ("age_max", pa.int16()),
    ("is_free", pa.bool_()),
    ("price", pa.decimal128(8, 2)),
    ("reduced_price", pa.decimal128(8, 2)),
    ("capacity", pa.int64()),
    ("registration_required", pa.bool_()),
    ("topics", pa.list_(pa.string())),
    ("languages", pa.list_(pa.string())),
    ("audiences", pa.list_(pa.string())),
    ("building_blocks", pa.list_(pa.string())),
    ("next_session_start", pa.timestamp("us", tz="UTC")),
    ("sessions_count", pa.int64()),
    ("url", pa.string()),
    ("last_verified", pa.date32()),
    ("published_at", pa.timestamp("us", tz="UTC")),
    ("updated_at", pa.timestamp("us", tz="UTC")),
])  # fmt: skip

SESSION_SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("opportunity_id", pa.int64()),
    ("start", pa.timestamp("us", tz="UTC")),
    ("end", pa.timestamp("us", tz="UTC")),
    ("time_zone", pa.string()),
    ("capacity", pa.int64()),
    ("series_key", pa.string()),
    ("cancelled", pa.bool_()),
])  # fmt: skip

Row = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Chunk:
    """Some published listings as rows, and the rows of their sessions."""

    opportunities: list[Row]
    sessions: list[Row]


def output_paths(path: Path, extension: str) -> tuple[Path, Path]:
    """Where the two tables go: `opportunities.<ext>` and `sessions.<ext>` in a folder, or the file given and
    the same name with a `-sessions` suffix beside it."""
    if path.is_dir():
        return path / f"opportunities.{extension}", path / f"sessions.{extension}"
    return path, path.with_name(f"{path.stem}-sessions{path.suffix}")


def published_listings(city: City) -> QuerySet[Opportunity]:
    """The city's published listings with what their rows show, in a stable order."""
    return (
        Opportunity.objects.published()
        .filter(city=city)
        .select_related("organisation", "venue", "venue__district")
        .prefetch_related("topics", "languages", "audience_labels", "building_blocks")
        .order_by("pk")
    )


def catalogue_chunks(city: City, *, chunk_size: int | None = None) -> Iterator[Chunk]:
    """The city's public catalogue, `chunk_size` (default `CHUNK_SIZE`) listings at a time, each with its sessions."""
    chunk_size = chunk_size or CHUNK_SIZE
    now = timezone.now()
    zone = ZoneInfo(city.time_zone)
    for batch in _batches(published_listings(city).iterator(chunk_size=chunk_size), chunk_size):
        sessions = _session_rows([opportunity.pk for opportunity in batch])
        with translation.override(settings.LANGUAGE_CODE):  # the `url` column: the page in the site's language
            rows = [opportunity_row(item, sessions.get(item.pk, []), now=now, zone=zone) for item in batch]
        yield Chunk(rows, [row for item in batch for row in sessions.get(item.pk, [])])


def opportunity_row(opportunity: Opportunity, sessions: Sequence[Row], *, now: datetime, zone: ZoneInfo) -> Row:
    """One listing as a flat row (dates in `zone`, the next start in its session's own zone)."""
    venue = opportunity.venue
    district = venue.district if venue is not None else None
    upcoming = [row["start"] for row in sessions if row["start"] >= now and not row["cancelled"]]
    return {
        "id": opportunity.pk,
        "title_fr": opportunity.title_fr, "title_en": opportunity.title_en,
        "description_fr": opportunity.description_fr, "description_en": opportunity.description_en,
        "kind": opportunity.kind, "mode": opportunity.mode, "online_url": opportunity.online_url,
        "organisation_id": opportunity.organisation_id, "organisation_name": opportunity.organisation.name,
        "venue_id": venue.pk if venue else None, "venue_name": venue.name if venue else "",
        "venue_address": venue.address if venue else "", "venue_postcode": venue.postcode if venue else "",
        "venue_latitude": venue.latitude if venue else None, "venue_longitude": venue.longitude if venue else None,
        "district_code": district.code if district else "", "district_name": district.name if district else "",
        "age_min": opportunity.age_min, "age_max": opportunity.age_max,
        "is_free": opportunity.is_free, "price": opportunity.price, "reduced_price": opportunity.reduced_price,
        "capacity": opportunity.capacity, "registration_required": opportunity.registration_required,
        "topics": sorted(topic.code for topic in opportunity.topics.all()),
        "languages": sorted(language.code for language in opportunity.languages.all()),
        "audiences": sorted(label.code for label in opportunity.audience_labels.all()),
        "building_blocks": [block.code for block in sorted(opportunity.building_blocks.all(), key=_position)],
        "next_session_start": min(upcoming, default=None),
        "sessions_count": len(sessions),
        "url": absolute_url(reverse("catalogue:opportunity", args=[opportunity.pk, opportunity.slug])),
        "last_verified": opportunity.last_verified,
        "published_at": _local(opportunity.published_at, zone),
        "updated_at": _local(opportunity.updated_at, zone),
    }  # fmt: skip


def _position(block: Any) -> int:
    return int(block.position)


def _session_rows(opportunity_ids: list[int]) -> dict[int, list[Row]]:
    """The sessions of these listings as rows, grouped by listing, each in order of start."""
    fields = ("pk", "opportunity_id", "start", "end", "time_zone", "capacity", "series_key", "cancellation__pk")
    values = (
        Session.objects.filter(opportunity_id__in=opportunity_ids)
        .order_by("opportunity_id", "start", "pk")
        .values_list(*fields)
    )
    grouped: dict[int, list[Row]] = {}
    for pk, opportunity_id, start, end, zone_name, capacity, series_key, cancellation in values:
        zone = _zone(zone_name)
        grouped.setdefault(opportunity_id, []).append({
            "id": pk, "opportunity_id": opportunity_id, "start": start.astimezone(zone), "end": end.astimezone(zone),
            "time_zone": str(zone), "capacity": capacity, "series_key": series_key,
            "cancelled": cancellation is not None,
        })  # fmt: skip
    return grouped


@cache
def _zone(name: str) -> ZoneInfo:
    """A session's zone, or the site's when the stored name is unknown (as the calendars do)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# CSV -------------------------------------------------------------------------------------------------


def write_csv(city: City, path: Path) -> int:
    """Both tables as RFC 4180 CSV (comma, double quotes, CRLF, UTF-8 without BOM); returns the listings written."""
    opportunities_path, sessions_path = output_paths(Path(path), "csv")
    count = 0
    with _replacing(opportunities_path, sessions_path) as (opportunities_file, sessions_file):
        opportunities = _csv_writer(opportunities_file, OPPORTUNITY_SCHEMA.names)
        sessions = _csv_writer(sessions_file, SESSION_SCHEMA.names)
        for chunk in catalogue_chunks(city):
            opportunities.writerows(csv_row(row, OPPORTUNITY_SCHEMA.names) for row in chunk.opportunities)
            sessions.writerows(csv_row(row, SESSION_SCHEMA.names) for row in chunk.sessions)
            count += len(chunk.opportunities)
    return count


def _csv_writer(stream: IO[str], names: list[str]) -> Any:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(names)
    return writer


def csv_row(row: Row, names: list[str]) -> list[object]:
    """A row's cells as CSV shows them; text that a spreadsheet would run as a formula is neutralised."""
    return [csv_cell(row[name]) for name in names]


def csv_cell(value: object) -> object:
    """ISO 8601 for dates and times (with their offset), `true`/`false`, codes joined by `|`, text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list):
        return safe_cell(LIST_SEPARATOR.join(value))
    return safe_cell(value)


# Parquet ---------------------------------------------------------------------------------------------


def write_parquet(city: City, path: Path) -> int:
    """Both tables as Parquet (typed columns, times as UTC instants); returns the listings written."""
    opportunities_path, sessions_path = output_paths(Path(path), "parquet")
    count = 0
    with (
        _replacing(opportunities_path, sessions_path, binary=True) as (opportunities_file, sessions_file),
        pq.ParquetWriter(opportunities_file, OPPORTUNITY_SCHEMA, compression="zstd") as opportunities,
        pq.ParquetWriter(sessions_file, SESSION_SCHEMA, compression="zstd") as sessions,
    ):
        pending = Chunk([], [])
        for chunk in catalogue_chunks(city):
            pending.opportunities.extend(chunk.opportunities)
            pending.sessions.extend(chunk.sessions)
            count += len(chunk.opportunities)
            if len(pending.opportunities) >= ROW_GROUP_LISTINGS:
                _write_group(opportunities, sessions, pending)
                pending = Chunk([], [])
        if pending.opportunities or not count:
            _write_group(opportunities, sessions, pending)  # an empty catalogue still gives readable files
    return count


def _write_group(opportunities: Any, sessions: Any, chunk: Chunk) -> None:
    opportunities.write_table(pa.Table.from_pylist(chunk.opportunities, schema=OPPORTUNITY_SCHEMA))
    sessions.write_table(pa.Table.from_pylist(chunk.sessions, schema=SESSION_SCHEMA))


# Files -----------------------------------------------------------------------------------------------


@contextmanager
def _replacing(*paths: Path, binary: bool = False) -> Iterator[list[IO[Any]]]:
    """Open a temporary file beside each path; move them all into place when the block succeeds."""
    temporaries: list[Path] = []
    try:
        with ExitStack() as stack:
            streams: list[IO[Any]] = []
            for path in paths:
                descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
                temporaries.append(Path(name))
                stream = (
                    os.fdopen(descriptor, "wb") if binary else os.fdopen(descriptor, "w", encoding="utf-8", newline="")
                )
                streams.append(stack.enter_context(stream))
            yield streams
        for temporary, path in zip(temporaries, paths, strict=True):
            os.chmod(temporary, 0o644)  # open data: mkstemp's private 0600 would hide it from a web server
            os.replace(temporary, path)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)


# iCalendar -------------------------------------------------------------------------------------------

CALENDAR_END = b"END:VCALENDAR\r\n"


def write_ics(city: City, path: Path) -> int:
    """Every session of the city's published listings (from a month ago on) as one RFC 5545 calendar, in the
    active language; events are written one by one, never all in memory. Returns the events written."""
    target = Path(path) / "programme.ics" if Path(path).is_dir() else Path(path)
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    sessions = programme_sessions(city)
    count = 0
    with _replacing(target, binary=True) as (stream,):
        stream.write(_calendar_head(city, sessions, language))
        for session in sessions.iterator(chunk_size=CHUNK_SIZE):
            stream.write(ical.event(session_content(session, language=language)).to_ical())
            count += 1
        stream.write(CALENDAR_END)
    return count


def programme_sessions(city: City) -> QuerySet[Session]:
    """The sessions a public feed may show, of this city, that ended at most a month ago, soonest first."""
    since = timezone.now() - timedelta(days=PAST_DAYS)
    return (
        public_sessions()
        .filter(opportunity__city=city, end__gte=since)
        .select_related(*SESSION_RELATIONS)
        .order_by("start", "pk")
    )


def _calendar_head(city: City, sessions: QuerySet[Session], language: str) -> bytes:
    """The calendar's properties and time zones: the calendar without its closing line."""
    span = sessions.aggregate(first=Min("start"), last=Max("end"))
    now = timezone.now()
    first = min(span["first"] or now, now).date() - timedelta(days=1)
    last = max(span["last"] or now, now).date() + timedelta(days=1)
    calendar = ical.calendar(programme_feed(city, language=language), [], first=first, last=last)
    used = {str(_zone(name)) for name in sessions.order_by().values_list("time_zone", flat=True).distinct()}
    for zone in sorted(used - {city.time_zone}):
        calendar.add_component(Timezone.from_tzid(zone, first_date=first, last_date=last))
    head: bytes = calendar.to_ical()
    if not head.endswith(CALENDAR_END):  # icalendar always closes a calendar this way; anything else is a bug
        raise RuntimeError("Unexpected end of an iCalendar document")
    return head[: -len(CALENDAR_END)]


def programme_feed(city: City, *, language: str) -> ical.FeedInfo:
    """What describes the whole programme's calendar, in `language`."""
    with translation.override(language):
        return ical.FeedInfo(
            key=f"city-{city.pk}-{language}",
            name=_("Learning in %(city)s") % {"city": city.name},
            description=_("Every published learning opportunity of %(city)s, date by date.") % {"city": city.name},
            url=absolute_url(reverse("home")),
            time_zone=city.time_zone,
        )

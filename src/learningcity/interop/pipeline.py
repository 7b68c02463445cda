"""The one import pipeline: parse a file, match it to the city, validate, then write all or nothing.

Every way in (provider upload, coordinator pages, API, `learningcity import`) ends here. A run is
first a dry run: the same code decides, row by row, what would be created, updated, left unchanged
or rejected, without writing. Committing repeats the run and writes inside one transaction; if any
row is rejected nothing is written unless the importer chose to skip the rejected rows.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.bulk import TableWriter, checked_per_statement, copying_aside
from learningcity.catalogue import permissions
from learningcity.catalogue.models import (
    AudienceLabel,
    BuildingBlock,
    City,
    District,
    Language,
    Mode,
    Opportunity,
    Organisation,
    OrganisationType,
    Sector,
    Session,
    Status,
    Topic,
    Venue,
)
from learningcity.catalogue.services import MAX_SESSIONS_PER_SCHEDULE
from learningcity.interop import formats
from learningcity.interop.formats import aside, parser_for
from learningcity.interop.models import ExternalLink, SourceRecord, TargetStatus
from learningcity.interop.records import (
    FileRejected,
    OpportunityRecord,
    OrganisationRecord,
    ParseOptions,
    RowError,
    VenueRecord,
)

logger = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REJECTED)

# The kind a listing gets when its file does not say.
DEFAULT_KIND = {"lheo": "course", "hsds": "course", "openagenda": "festival_event"}
# Building blocks by kind when the file names none: every listing needs at least one.
KIND_BLOCKS = {
    "course": "inclusive-education",
    "apprenticeship": "workplace",
    "mentoring": "workplace",
    "online_course": "learning-technologies",
    "self_paced": "learning-technologies",
    "volunteering": "families-communities",
    "club": "families-communities",
}
# A venue within this distance with a similar name is the same place.
SAME_PLACE_METRES = 150
SIMILAR_NAME = 88
OPPORTUNITY_FIELDS = [
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "kind",
    "mode",
    "online_url",
    "age_min",
    "age_max",
    "is_free",
    "price",
    "reduced_price",
    "capacity",
    "registration_required",
    "credential_fr",
    "credential_en",
    "venue",
    "organisation",
]
# The listing's own values, checked per row by `_Checker` and written as they are for new listings.
LISTING_VALUES = tuple(name for name in OPPORTUNITY_FIELDS if name not in {"venue", "organisation"})
LISTING_COLUMNS = (
    *("organisation_id", "venue_id"),
    *LISTING_VALUES,
    *("city_id", "status", "created_at", "updated_at", "published_at", "last_verified"),
)
# The listing's values the search index reads as they are.
_INDEXED_VALUES = (
    *("title_fr", "title_en", "description_fr", "description_en", "kind", "mode"),
    *("age_min", "age_max", "is_free", "price", "capacity"),
)
RELATIONS = {
    "building_blocks": Opportunity.building_blocks.through,
    "topics": Opportunity.topics.through,
    "languages": Opportunity.languages.through,
    "audience_labels": Opportunity.audience_labels.through,
}


# A report row, compact (100,000 of them are kept): line, external id, outcome, title, errors as
# (field, reason) pairs, notes, listing id. `ImportResult.rows` gives them as dictionaries.
LINE, EXTERNAL_ID, OUTCOME, TITLE, ERRORS, NOTES, OPPORTUNITY_ID = range(7)
ReportRow = list[Any]


@dataclass
class ImportResult:
    """What a run found (dry run) or did (commit)."""

    file_error: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    report: list[ReportRow] = field(default_factory=list)
    committed: bool = False
    opportunity_ids: list[int] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The per-row report: line, external_id, outcome, title, errors [{field, reason}], notes, opportunity_id."""
        return [
            {
                "line": row[LINE],
                "external_id": row[EXTERNAL_ID],
                "outcome": row[OUTCOME],
                "title": row[TITLE],
                "errors": [{"field": name, "reason": reason} for name, reason in row[ERRORS]],
                "notes": list(row[NOTES]),
                "opportunity_id": row[OPPORTUNITY_ID],
            }
            for row in self.report
        ]


@dataclass
class _Planned:
    """One record after matching: what it would become."""

    record: OpportunityRecord
    outcome: str
    row: ReportRow
    values: dict[str, Any] = field(default_factory=dict)  # the listing's checked fields (created, updated)
    organisation: Organisation | None = None
    venue: Venue | None = None
    opportunity: Opportunity | None = None  # the listing in the database (updated, unchanged)
    relations: dict[str, list[Any]] = field(default_factory=dict)
    source_record: SourceRecord | None = None
    sessions: list[tuple[datetime, datetime, int | None]] = field(default_factory=list)
    fingerprint: str = ""
    pk: int | None = None


Progress = Callable[[int], None]  # rows checked so far (the total is known only at the file's end)


def source_name(format_name: str, organisation: Organisation | None, source: str = "") -> str:
    """The namespace of external ids: one per format and provider unless the importer names it."""
    if source:
        return source[:120]
    return f"{format_name}:{organisation.pk if organisation else 'city'}"


def run_import(
    *,
    city: City,
    format: str,
    content: bytes,
    organisation: Organisation | None = None,
    by: Any = None,
    source: str = "",
    target_status: str = TargetStatus.DRAFT,
    dry_run: bool = True,
    skip_rejected: bool = False,
    options: ParseOptions | None = None,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import a file into `city`: a dry run unless `dry_run` is False; see the module docstring.

    The file is read, checked and written a chunk of rows at a time inside one transaction, so memory
    stays flat however long the file is; a rejected row or an unreadable end of file rolls it all back.
    A dry run writes nothing and opens no transaction, so `progress` (rows checked so far) can be seen
    by others while it runs.
    """
    check_importer(city=city, organisation=organisation, by=by, target_status=target_status)
    result = ImportResult()
    # Listings published by the import are indexed for search: the parsing process analyses their texts.
    items = _parse(city, format, content, options, result, analyse=target_status == TargetStatus.PUBLISHED)
    if items is None:
        return result
    planner = _Planner(
        city=city,
        format_name=format,
        organisation=organisation,
        source=source_name(format, organisation, source),
        target_status=target_status,
    )
    writing = not dry_run
    try:
        with _transaction(writing=not dry_run), _fewer_collections() as collect:
            for chunk in _batches(items, CHUNK, first=FIRST_CHUNK):
                plans = planner.plan(chunk, result)
                writing = writing and not result.file_error and (skip_rejected or not result.counts[REJECTED])
                if writing:
                    planner.write(plans, job=job)
                    _link(plans, result)
                if progress:
                    progress(len(result.report))
                # `_batches` still holds the chunk's list until it is asked for the next one: emptied here, its
                # records are freed now, rather than walked by the collection and kept a chunk longer.
                chunk.clear()
                del chunk, plans
                collect()
            if not result.report and not result.file_error:
                result.file_error = _("The file holds no listing.")
            if not writing or result.file_error:
                raise _RollBack
    except _RollBack:
        result.opportunity_ids = []
        if result.file_error:
            # Parsers stream: rows read before the file turned out unreadable are not a report on it.
            result.report, result.counts = [], dict.fromkeys(OUTCOMES, 0)
        for row in result.report:
            if row[OUTCOME] != UNCHANGED:
                row[OPPORTUNITY_ID] = None
        return result
    result.committed = True
    return result


@contextmanager
def _transaction(*, writing: bool) -> Iterator[None]:
    """A run's one transaction when it writes, in which the database inserts a chunk (its COPYs run aside, see
    `bulk.copying_aside`, foreign keys checked as they are written) while the next chunk is checked; nothing
    for a dry run."""
    if not writing:
        yield
        return
    from learningcity.search.models import SearchEntry, SearchRemoval, SearchText

    written: list[type[models.Model]] = [Venue, ExternalLink, Opportunity, *RELATIONS.values(), Session, SourceRecord]
    written += [SearchEntry, SearchText, SearchRemoval]
    with transaction.atomic(), checked_per_statement(written), copying_aside():
        yield


@contextmanager
def _fewer_collections() -> Iterator[Callable[[], int]]:
    """Leave the cyclic garbage collector to the import, which calls it once per chunk (the callable given).

    An import allocates millions of small objects that live until their chunk is written, and makes
    almost no reference cycles (about a hundred in 100,000 rows); automatic collections would walk the
    live ones again and again (a tenth of the run's time even every 50,000 allocations). Objects that
    exist before the run are frozen out of collections; the objects of each chunk are collected once,
    after it is written, so cycles never pile up. The collector's previous state comes back afterwards.
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield lambda: gc.collect(0)
    finally:
        if enabled:
            gc.enable()
        gc.unfreeze()


def check_importer(*, city: City, organisation: Organisation | None, by: Any, target_status: str) -> None:
    """Providers import into their own organisation as drafts or submissions; coordinators anything.

    `by=None` is the operator at the command line, who may do anything.
    """
    if organisation is not None and organisation.city_id != city.pk:
        raise ValidationError(_("This organisation belongs to another city."))
    if target_status not in TargetStatus.values:
        raise ValidationError(_("Unknown status for imported listings: %(status)s") % {"status": target_status})
    if by is None or permissions.is_coordinator_of(by, city.pk):
        return
    if organisation is None or not permissions.is_staff_of(by, organisation):
        raise PermissionDenied(_("You can only import listings for an organisation you work for."))
    if target_status == TargetStatus.PUBLISHED:
        raise PermissionDenied(_("Only the city's coordinators publish; import as drafts or submit them for review."))


# Rows checked and written at a time: bounds memory (plans hold model instances) at 100,000 rows.
CHUNK = 5000
# The first chunk is smaller: checking and writing start as soon as the parser has read a few rows.
FIRST_CHUNK = 1000


class _RollBack(Exception):  # noqa: N818 (control flow, not an error)
    """Leave the import's transaction without keeping anything."""


def _batches(
    items: Iterator[OpportunityRecord | RowError], size: int, *, first: int | None = None
) -> Iterator[list[OpportunityRecord | RowError]]:
    """The items in lists of `size` (the first of `first`)."""
    batch: list[OpportunityRecord | RowError] = []
    wanted = first or size
    for item in items:
        batch.append(item)
        if len(batch) >= wanted:
            yield batch
            batch, wanted = [], size
    if batch:
        yield batch


def _link(plans: list[_Planned], result: ImportResult) -> None:
    """Give the report's rows of a written chunk their listing."""
    for plan in plans:
        plan.row[OPPORTUNITY_ID] = plan.pk
        if plan.outcome in {CREATED, UPDATED} and plan.pk is not None:
            result.opportunity_ids.append(plan.pk)


def file_problem(size: int, *, blank: bool) -> str | None:
    """Why a file cannot be imported at all (larger than IMPORT_MAX_BYTES, or empty), or None."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        return _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
            "size": round(size / 1_048_576, 1),
            "limit": round(limit / 1_048_576, 1),
        }
    if blank:
        return _("The file is empty.")
    return None


def _parse(
    city: City,
    format_name: str,
    content: bytes,
    options: ParseOptions | None,
    result: ImportResult,
    *,
    analyse: bool = False,
) -> Iterator[OpportunityRecord | RowError] | None:
    """The parser's stream of items; a problem with the whole file ends it and sets `result.file_error`."""
    result.file_error = file_problem(len(content), blank=not content.strip())
    if result.file_error:
        return None
    options = options or ParseOptions()
    options.time_zone = options.time_zone or city.time_zone
    options.max_rows = min(options.max_rows, settings.IMPORT_MAX_ROWS)
    options.max_field_chars = min(options.max_field_chars, settings.IMPORT_MAX_FIELD_CHARS)
    try:
        parse = parser_for(format_name)
    except KeyError:
        result.file_error = _("Unknown format: %(format)s") % {"format": format_name}
        return None
    if aside.worth_it(len(content)):
        items = aside.parse_aside(parse, content, options, analyse=analyse)
    else:
        items = parse(content, options)
    return _guarded(items, format_name, options.max_rows, result)


def _guarded(
    items: Iterator[OpportunityRecord | RowError], format_name: str, max_rows: int, result: ImportResult
) -> Iterator[OpportunityRecord | RowError]:
    count = 0
    try:
        for item in items:
            count += 1
            if count > max_rows:
                raise FileRejected(_("The file holds more than %(limit)d rows.") % {"limit": max_rows})
            yield item
    except FileRejected as rejection:
        result.file_error = rejection.reason
        if rejection.line:
            result.file_error = _("Line %(line)d: %(reason)s") % {"line": rejection.line, "reason": rejection.reason}
    except (RecursionError, MemoryError, UnicodeError, ValueError, TypeError, KeyError):
        # A parser's promise is never to raise; if one does, the file is still refused cleanly.
        logger.exception("Parser %s failed", format_name)
        result.file_error = _("The file could not be read as %(format)s.") % {"format": format_name}


def _normal(text: str) -> str:
    """Lower case, no accents, single spaces: for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.split())


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(dlat, dlon)


class _Venues:
    """The city's venues, found by name and coordinates; new ones are added as the file is read."""

    def __init__(self, city: City, source: str) -> None:
        from rapidfuzz import fuzz

        # Word order may differ ("Médiathèque Centre" / "Centre, médiathèque"); an extra word ("annexe") may not.
        self._ratio = fuzz.token_sort_ratio
        self.city = city
        self.source = source
        self.by_name: dict[str, list[Venue]] = {}
        self.by_cell: dict[tuple[int, int], list[Venue]] = {}
        self.by_external: dict[str, Venue] = {}
        self.new: dict[int, Venue] = {}
        venues = {venue.pk: venue for venue in Venue.objects.filter(city=city)}
        for venue in venues.values():
            self._add(venue)
        links = ExternalLink.objects.filter(city=city, source=source, kind=ExternalLink.Kind.VENUE)
        for external_id, object_id in links.values_list("external_id", "object_id"):
            if object_id in venues:
                self.by_external[external_id] = venues[object_id]
        self.external_of = {id(venue): external_id for external_id, venue in self.by_external.items()}
        self.decided: dict[tuple[Any, ...], tuple[Venue | None, str]] = {}
        self.districts = _Districts(city)

    @staticmethod
    def _cell(latitude: float, longitude: float) -> tuple[int, int]:
        return (math.floor(latitude * 200), math.floor(longitude * 200))  # cells of ~500 m

    def _add(self, venue: Venue) -> None:
        self.by_name.setdefault(_normal(venue.name), []).append(venue)
        self.by_cell.setdefault(self._cell(venue.latitude, venue.longitude), []).append(venue)

    def find(self, record: VenueRecord) -> tuple[Venue | None, str]:
        """The matching venue, or a new unsaved one; or None with the reason it cannot be placed."""
        # Files name the same few hundred places again and again: decide once per distinct description.
        key = tuple(vars(record).values())
        if key not in self.decided:
            self.decided[key] = self._find(record)
        return self.decided[key]

    def _find(self, record: VenueRecord) -> tuple[Venue | None, str]:
        if record.external_id and record.external_id in self.by_external:
            return self.by_external[record.external_id], ""
        name = _normal(record.name)
        latitude, longitude = record.latitude, record.longitude
        if latitude is not None and longitude is not None:
            cell_y, cell_x = self._cell(latitude, longitude)
            best: tuple[float, Venue] | None = None
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for venue in self.by_cell.get((cell_y + dy, cell_x + dx), []):
                        distance = _metres(latitude, longitude, venue.latitude, venue.longitude)
                        if distance > SAME_PLACE_METRES:
                            continue
                        if (
                            record.external_id
                            and self.external_of.get(id(venue), record.external_id) != record.external_id
                        ):
                            continue  # the source itself says these are two places
                        similar = not name or self._ratio(name, _normal(venue.name)) >= SIMILAR_NAME
                        if similar and (best is None or distance < best[0]):
                            best = (distance, venue)
            if best:
                return best[1], ""
        elif name and name in self.by_name:
            candidates = self.by_name[name]
            if len(candidates) == 1 or not record.postcode:
                return candidates[0], ""
            for venue in candidates:
                if venue.postcode == record.postcode:
                    return venue, ""
            return candidates[0], ""
        if latitude is None or longitude is None:
            return None, _("The place “%(name)s” is not a known venue and has no coordinates.") % {
                "name": record.name or "?"
            }
        if not record.name.strip():
            return None, _("The place has coordinates but no name.")
        venue = Venue(
            city=self.city,
            name=record.name.strip()[:200],
            address=(record.address or record.name).strip()[:300],
            postcode=record.postcode.strip()[:16],
            latitude=latitude,
            longitude=longitude,
            district=self.districts.find(latitude, longitude, record.district),
            **{
                flag: bool(getattr(record, flag))
                for flag in ("step_free_access", "accessible_toilets", "hearing_loop", "sign_language", "easy_read")
            },
        )
        try:
            venue.full_clean(exclude=["organisation", "district", "city"], validate_constraints=False)
        except ValidationError as error:
            return None, "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
        self.new[id(venue)] = venue
        self._add(venue)
        if record.external_id:
            self.by_external[record.external_id] = venue
            self.external_of[id(venue)] = record.external_id
        venue._external_id = record.external_id  # type: ignore[attr-defined]
        return venue, ""


class _Districts:
    """Which district a point falls in, from the boundaries the city has."""

    def __init__(self, city: City) -> None:
        from shapely.geometry import shape

        self.shapes: list[tuple[Any, District]] = []
        self.by_name: dict[str, District] = {}
        self.names: dict[int, str] = {}
        for district in District.objects.filter(city=city):
            self.names[district.pk] = district.name
            self.by_name[_normal(district.name)] = district
            self.by_name[_normal(district.code)] = district
            if district.boundary:
                try:
                    self.shapes.append((shape(district.boundary), district))
                except (ValueError, TypeError, KeyError, AttributeError):
                    logger.warning("District %s has an unreadable boundary", district.pk)

    def find(self, latitude: float, longitude: float, hint: str = "") -> District | None:
        from shapely import Point

        point = Point(longitude, latitude)
        for geometry, district in self.shapes:
            if geometry.covers(point):
                return district
        return self.by_name.get(_normal(hint)) if hint else None


class _Organisations:
    """Providers found by external id, SIRET or name; new ones made only when allowed."""

    def __init__(self, city: City, source: str) -> None:
        self.city = city
        self.source = source
        organisations = {organisation.pk: organisation for organisation in Organisation.objects.filter(city=city)}
        self.by_siret = {o.siret: o for o in organisations.values() if o.siret}
        self.by_name = {_normal(o.name): o for o in organisations.values()}
        self.by_external: dict[str, Organisation] = {}
        links = ExternalLink.objects.filter(city=city, source=source, kind=ExternalLink.Kind.ORGANISATION)
        for external_id, object_id in links.values_list("external_id", "object_id"):
            if object_id in organisations:
                self.by_external[external_id] = organisations[object_id]
        self.new: dict[str, Organisation] = {}
        self.decided: dict[tuple[Any, ...], tuple[Organisation | None, str]] = {}

    def find(self, record: OrganisationRecord) -> tuple[Organisation | None, str]:
        """The provider a record names (found or new), or None with the reason."""
        key = tuple(vars(record).values())
        if key not in self.decided:
            self.decided[key] = self._find(record)
        return self.decided[key]

    def _find(self, record: OrganisationRecord) -> tuple[Organisation | None, str]:
        if record.external_id and record.external_id in self.by_external:
            return self.by_external[record.external_id], ""
        siret = "".join(record.siret.split())
        if siret and siret in self.by_siret:
            return self.by_siret[siret], ""
        name = _normal(record.name)
        if not name:
            return None, _("The provider has no name.")
        if name in self.by_name:
            return self.by_name[name], ""
        organisation = Organisation(
            city=self.city,
            name=record.name.strip()[:200],
            type=record.type if record.type in OrganisationType.values else OrganisationType.ASSOCIATION,
            sector=record.sector if record.sector in Sector.values else Sector.NON_FORMAL,
            email=record.email.strip(),
            phone=record.phone.strip()[:32],
            website=record.website.strip(),
            siret=siret if len(siret) == 14 and siret.isdigit() else "",
            description_fr=record.description_fr,
            description_en=record.description_en,
        )
        try:
            organisation.full_clean(exclude=["city"], validate_constraints=False)
        except ValidationError as error:
            # A bad e-mail or website must not stop the listing: keep the provider without it.
            for name_of_field in error.message_dict:
                if name_of_field in {"email", "website", "phone", "siret"}:
                    setattr(organisation, name_of_field, "")
            try:
                organisation.full_clean(exclude=["city"], validate_constraints=False)
            except ValidationError as second:
                return None, "; ".join(" ".join(messages) for messages in second.message_dict.values())
        self.new[name] = organisation
        self.by_name[name] = organisation
        if organisation.siret:
            self.by_siret[organisation.siret] = organisation
        if record.external_id:
            self.by_external[record.external_id] = organisation
        organisation._external_id = record.external_id  # type: ignore[attr-defined]
        return organisation, ""


class _Vocabulary:
    """Codes of the shared reference tables, loaded once per run."""

    def __init__(self) -> None:
        blocks, topics, audiences = BuildingBlock.objects.all(), Topic.objects.all(), AudienceLabel.objects.all()
        self.blocks = {block.code: block.pk for block in blocks}
        self.topics = {topic.code: topic.pk for topic in topics}
        self.formacodes = {topic.formacode: topic.pk for topic in topics if topic.formacode}
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.audiences = {label.code: label.pk for label in audiences}
        # What the search index shows of them, by id.
        self.block_positions = {block.pk: block.position for block in blocks}
        self.topic_parents = {topic.pk: topic.parent_id for topic in topics}
        self.topic_names = {topic.pk: (topic.name_fr, topic.name_en) for topic in topics}
        self.audience_names = {label.pk: (label.name_fr, label.name_en) for label in audiences}


_TEXT_RULES = (MaxLengthValidator, ProhibitNullCharactersValidator)


class _Checker:
    """The catalogue's rules for a listing's own fields, applied as `Opportunity.full_clean` applies them,
    without a model instance per row (building and cleaning one was a third of the time spent checking rows).

    Each field's `clean` (type, choices, length, range; blank values skipped), then the model's `clean()`;
    the errors and their order are Django's own. Values that repeat from row to row (kinds, ages, prices)
    are cleaned once per run.
    """

    REPEATING = frozenset(
        {"kind", "mode", "age_min", "age_max", "is_free", "price", "reduced_price", "capacity", "registration_required"}
    )

    def __init__(self) -> None:
        names = set(LISTING_VALUES)
        self.fields = [field for field in Opportunity._meta.concrete_fields if field.attname in names]
        self.known: dict[tuple[str, str], tuple[Any, ValidationError | None]] = {}
        # Text fields whose only rules are a length and no NUL: a text that keeps both is what `clean` returns.
        self.plain_text = {
            field.attname: field.max_length
            for field in self.fields
            if type(field) in {models.CharField, models.TextField}
            and field.blank
            and not field.choices
            and all(isinstance(rule, _TEXT_RULES) for rule in field.validators)
        }

    def problems(self, values: dict[str, Any], *, venue_id: int | None) -> list[tuple[str, str]]:
        """Clean `values` in place; return each faulty field with its messages (none: the listing is valid)."""
        errors: dict[str, Any] = {}
        for model_field in self.fields:
            raw = values[model_field.attname]
            if model_field.blank and raw in model_field.empty_values:
                continue
            cleaned, error = self._clean(model_field, raw)
            if error is None:
                values[model_field.attname] = cleaned
            else:
                errors[model_field.name] = list(error.error_list)  # a copy: the model's errors are added to it
        # The model's own rule across fields reads attributes only: values stand in for the instance.
        try:
            Opportunity.clean(cast(Opportunity, SimpleNamespace(**values, venue_id=venue_id, pk=None)))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors:
            return []
        return [(name, " ".join(messages)) for name, messages in ValidationError(errors).message_dict.items()]

    def _clean(self, model_field: Any, raw: Any) -> tuple[Any, ValidationError | None]:
        if model_field.attname in self.plain_text and type(raw) is str and "\x00" not in raw:
            limit = self.plain_text[model_field.attname]
            if limit is None or len(raw) <= limit:
                return raw, None
        key = (model_field.attname, repr(raw))  # repr tells True from 1 and Decimal("5") from Decimal("5.000")
        if model_field.attname in self.REPEATING and key in self.known:
            return self.known[key]
        try:
            outcome: tuple[Any, ValidationError | None] = (model_field.clean(raw, None), None)
        except ValidationError as error:
            outcome = (raw, error)
        if model_field.attname in self.REPEATING:
            self.known[key] = outcome
        return outcome


class _Planner:
    """Decides, record by record, what a file would change; then writes it."""

    def __init__(
        self, *, city: City, format_name: str, organisation: Organisation | None, source: str, target_status: str
    ) -> None:
        self.city = city
        self.format_name = format_name
        self.organisation = organisation
        self.source = source
        self.target_status = target_status
        self.zone = ZoneInfo(city.time_zone)
        self.vocabulary = _Vocabulary()
        self.venues = _Venues(city, source)
        self.organisations = _Organisations(city, source)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}
        # A source's first import has nothing to compare with: no lookups of its ids, chunk after chunk.
        self.first_import = not SourceRecord.objects.filter(city=city, source=source).exists()
        self.checker = _Checker()
        # Columns an import does not fill get their model default, as a new instance would have them.
        self.listing_defaults = {
            column.attname: column.get_default()
            for column in Opportunity._meta.concrete_fields
            if not column.primary_key and column.attname not in LISTING_COLUMNS
        }
        self.listing_writer = TableWriter(Opportunity, (*LISTING_COLUMNS, *self.listing_defaults), adapt=True)
        # A format may explain what it left out of a row (LHÉO: sessions without dates).
        module = import_module(formats.MODULES[format_name])
        self.row_notes: Callable[[OpportunityRecord], list[str]] | None = getattr(module, "row_notes", None)

    # Planning ---------------------------------------------------------------------------------

    def plan(self, items: list[OpportunityRecord | RowError], result: ImportResult) -> list[_Planned]:
        """What each item of a chunk would become; identifiers are remembered across chunks."""
        records = [item for item in items if isinstance(item, OpportunityRecord)]
        existing = self._existing({record.external_id for record in records})
        seen = self.seen
        plans: list[_Planned] = []
        for item in items:
            if isinstance(item, RowError):
                self._reject(result, item.line, item.external_id, "", [(item.field, item.reason)])
            elif item.external_id in seen:
                reason = _("The identifier “%(id)s” was already used on line %(line)d.") % {
                    "id": item.external_id,
                    "line": seen[item.external_id],
                }
                self._reject(result, item.line, item.external_id, _title(item), [("external_id", reason)])
            elif not item.external_id.strip():
                reason = _("The row has no identifier.")
                self._reject(result, item.line, "", _title(item), [("external_id", reason)])
            else:
                seen[item.external_id] = item.line
                plan = self._plan_one(item, existing.get(item.external_id), result)
                if plan is not None:
                    plans.append(plan)
        return plans

    def _existing(self, external_ids: set[str]) -> dict[str, SourceRecord]:
        found: dict[str, SourceRecord] = {}
        if self.first_import:
            return found
        ordered = sorted(external_ids)
        for start in range(0, len(ordered), 2000):
            chunk = ordered[start : start + 2000]
            records = SourceRecord.objects.filter(city=self.city, source=self.source, external_id__in=chunk)
            for source_record in records.select_related("opportunity"):
                found[source_record.external_id] = source_record
        return found

    def _reject(
        self, result: ImportResult, line: int, external_id: str, title: str, errors: list[tuple[str, str]]
    ) -> None:
        result.counts[REJECTED] += 1
        reasons = tuple((name, str(reason)) for name, reason in errors)
        result.report.append([line, external_id, REJECTED, title, reasons, (), None])

    def _plan_one(
        self, record: OpportunityRecord, source_record: SourceRecord | None, result: ImportResult
    ) -> _Planned | None:
        errors: list[tuple[str, str]] = []
        fingerprint = aside.fingerprint(record)
        if source_record is not None and source_record.fingerprint == fingerprint:
            return self._accept(
                result,
                _Planned(record, UNCHANGED, [], opportunity=source_record.opportunity, source_record=source_record),
            )
        organisation = self.organisation
        if organisation is None:
            if record.organisation is None:
                errors.append(("organisation", _("The row does not say which provider offers it.")))
            else:
                organisation, reason = self.organisations.find(record.organisation)
                if reason:
                    errors.append(("organisation", reason))
        venue = None
        if record.venue is not None and (record.venue.name or record.venue.latitude is not None):
            venue, reason = self.venues.find(record.venue)
            if reason:
                errors.append(("venue", reason))
        values = self._fields(record, venue)
        relations = self._relations(record, errors)
        sessions = self._sessions(record, errors)
        if not errors:
            # A venue this import will create stands as id 0 for the catalogue's rule "on site needs a venue".
            venue_id = None if venue is None else (venue.pk or 0)
            errors.extend(self.checker.problems(values, venue_id=venue_id))
        if errors:
            self._reject(result, record.line, record.external_id, _title(record), errors)
            return None
        plan = _Planned(
            record,
            UPDATED if source_record else CREATED,
            [],
            values=values,
            organisation=organisation,
            venue=venue,
            opportunity=source_record.opportunity if source_record else None,
            relations=relations,
            source_record=source_record,
            sessions=sessions,
            fingerprint=fingerprint,
        )
        return self._accept(result, plan)

    def _accept(self, result: ImportResult, plan: _Planned) -> _Planned:
        result.counts[plan.outcome] += 1
        notes = tuple(str(note) for note in self.row_notes(plan.record)) if self.row_notes else ()
        plan.pk = plan.opportunity.pk if plan.opportunity is not None else None
        plan.row = [plan.record.line, plan.record.external_id, plan.outcome, _title(plan.record), (), notes, plan.pk]
        result.report.append(plan.row)
        return plan

    def _fields(self, record: OpportunityRecord, venue: Venue | None) -> dict[str, Any]:
        """The listing's own fields, with the catalogue's defaults where the record says nothing."""
        kind = record.kind or DEFAULT_KIND.get(self.format_name, "workshop")
        mode = record.mode
        if not mode:
            mode = Mode.ON_SITE if venue is not None or not record.online_url else Mode.ONLINE
            if venue is not None and record.online_url:
                mode = Mode.BLENDED
        is_free = record.is_free
        if is_free is None:
            is_free = not record.price
        price = record.price if not is_free else None
        return {
            "title_fr": record.title_fr.strip(),
            "title_en": record.title_en.strip(),
            "description_fr": record.description_fr.strip(),
            "description_en": record.description_en.strip(),
            "kind": kind,
            "mode": mode,
            "online_url": record.online_url.strip(),
            "age_min": 0 if record.age_min is None else record.age_min,
            "age_max": 120 if record.age_max is None else record.age_max,
            "is_free": is_free,
            "price": price,
            "reduced_price": record.reduced_price,
            "capacity": record.capacity,
            "registration_required": bool(record.registration_required),
            "credential_fr": record.credential_fr.strip(),
            "credential_en": record.credential_en.strip(),
        }

    def _relations(self, record: OpportunityRecord, errors: list[tuple[str, str]]) -> dict[str, list[Any]]:
        vocabulary = self.vocabulary
        blocks = [vocabulary.blocks[code] for code in record.building_blocks if code in vocabulary.blocks]
        if not blocks:
            kind = record.kind or DEFAULT_KIND.get(self.format_name, "workshop")
            blocks = [vocabulary.blocks[KIND_BLOCKS.get(kind, "culture-of-learning")]]
        topics = [vocabulary.topics[code] for code in record.topics if code in vocabulary.topics]
        if not topics:  # the city's own topic codes win; Formacode codes stand in when there are none
            topics = [vocabulary.formacodes[code] for code in record.formacodes if code in vocabulary.formacodes]
        languages = [code for code in record.languages if code in vocabulary.languages] or ["fr"]
        unknown = [code for code in record.languages if code not in vocabulary.languages]
        if unknown and not [code for code in record.languages if code in vocabulary.languages]:
            errors.append(("languages", _("Unknown language code: %(codes)s") % {"codes": ", ".join(unknown)}))
        audiences = [vocabulary.audiences[code] for code in record.audiences if code in vocabulary.audiences]
        return {
            "building_blocks": _distinct(blocks),
            "topics": _distinct(topics),
            "languages": _distinct(languages),
            "audience_labels": _distinct(audiences),
        }

    def _sessions(
        self, record: OpportunityRecord, errors: list[tuple[str, str]]
    ) -> list[tuple[datetime, datetime, Any]]:
        if len(record.sessions) > MAX_SESSIONS_PER_SCHEDULE:
            errors.append(
                ("sessions", _("A listing may hold at most %(limit)d sessions.") % {"limit": MAX_SESSIONS_PER_SCHEDULE})
            )
            return []
        sessions = []
        for session in record.sessions:
            if session.start.tzinfo is None or session.end.tzinfo is None:
                errors.append(("start", _("A session time has no time zone.")))
                return []
            if session.end <= session.start:
                errors.append(("end", _("A session ends before it starts (%(start)s).") % {"start": session.start}))
                return []
            sessions.append((session.start, session.end, session.capacity))
        return sorted(set(sessions), key=lambda item: (item[0], item[1]))

    # Writing ----------------------------------------------------------------------------------

    def write(self, plans: list[_Planned], *, job: Any = None) -> None:
        """Write every accepted plan; the caller holds the transaction."""
        from learningcity.search import indexing

        self._save_organisations()
        self._save_venues()
        created = [plan for plan in plans if plan.outcome == CREATED]
        updated = [plan for plan in plans if plan.outcome == UPDATED]
        self._insert_listings(created)
        self._update_listings(updated)
        changed = created + updated
        self._write_relations(changed)
        self._write_sessions(changed)
        self._write_source_records(plans, job)
        # New drafts have no entry; new published listings are indexed from what was just written.
        known = self._search_listings(created) if self.target_status == Status.PUBLISHED else {}
        ids = [plan.pk for plan in updated if plan.pk is not None] + list(known)
        indexing.reindex(ids, known=known, savepoint=False)  # the import's transaction is all or nothing

    def _search_listings(self, plans: list[_Planned]) -> dict[int, Any]:
        """What the search index needs of new published listings, from the plans (nothing read back)."""
        from learningcity.search.indexing import ACCESS_FEATURES, Listing

        vocabulary, districts = self.vocabulary, self.venues.districts.names
        listings: dict[int, Any] = {}
        # What comes from the provider and the place, once per pair (files name the same few hundred places).
        shared: dict[tuple[int, int], dict[str, Any]] = {}
        for plan in plans:
            assert plan.pk is not None  # written
            organisation, venue = plan.organisation or self.organisation, plan.venue
            assert organisation is not None
            values = plan.values
            pair = (id(organisation), id(venue))
            common = shared.get(pair)
            if common is None:
                common = shared[pair] = {
                    "city_id": self.city.pk,
                    "city__time_zone": self.city.time_zone,
                    "organisation_id": organisation.pk,
                    "organisation__name": organisation.name,
                    "organisation__sector": organisation.sector,
                    "venue__name": venue.name if venue else None,
                    "venue__address": venue.address if venue else None,
                    "venue__district_id": venue.district_id if venue else None,
                    "venue__district__name": districts.get(venue.district_id or 0) if venue else None,
                    "venue__latitude": venue.latitude if venue else None,
                    "venue__longitude": venue.longitude if venue else None,
                    **{f"venue__{feature}": getattr(venue, feature) if venue else None for feature in ACCESS_FEATURES},
                }
            row = {"pk": plan.pk, **common, **{name: values[name] for name in _INDEXED_VALUES}}
            relations = plan.relations
            topic_ids, audience_ids = relations["topics"], relations["audience_labels"]
            listings[plan.pk] = Listing(
                row=row,
                blocks=[vocabulary.block_positions[pk] for pk in relations["building_blocks"]],
                languages=relations["languages"],
                topics=(
                    {*topic_ids, *filter(None, map(vocabulary.topic_parents.get, topic_ids))},
                    [
                        (name, language)
                        for pk in topic_ids
                        for name, language in zip(vocabulary.topic_names[pk], ("fr", "en"), strict=True)
                    ],
                )
                if topic_ids
                else (set(), []),
                audiences=[vocabulary.audience_names[pk][0] for pk in audience_ids] if audience_ids else [],
                audiences_en=[vocabulary.audience_names[pk][1] for pk in audience_ids] if audience_ids else [],
                sessions=plan.sessions,
                own=aside.own_terms(plan.record),
            )
        return listings

    def _insert_listings(self, plans: list[_Planned]) -> None:
        """New listings as rows of values (no model instance): the database gives their ids."""
        published_at = self.now if self.target_status == Status.PUBLISHED else None
        constant = (self.city.pk, self.target_status, self.now, self.now, published_at, self.today)
        constant += tuple(self.listing_defaults.values())
        rows = [
            (
                (plan.organisation or self.organisation).pk,  # type: ignore[union-attr]
                plan.venue.pk if plan.venue is not None else None,
                *[plan.values[name] for name in LISTING_VALUES],
                *constant,
            )
            for plan in plans
        ]
        for plan, pk in zip(plans, self.listing_writer.insert_returning(rows), strict=True):
            plan.pk = pk

    def _update_listings(self, plans: list[_Planned]) -> None:
        opportunities = []
        for plan in plans:
            opportunity = plan.opportunity
            assert opportunity is not None  # an update has its listing
            for name, value in plan.values.items():
                setattr(opportunity, name, value)
            opportunity.organisation = plan.organisation or self.organisation  # type: ignore[assignment]
            opportunity.venue = plan.venue
            opportunity.updated_at = self.now
            opportunity.last_verified = self.today
            opportunities.append(opportunity)
        fields = [*OPPORTUNITY_FIELDS, "updated_at", "last_verified"]
        Opportunity.objects.bulk_update(opportunities, fields, batch_size=500)

    def _save_organisations(self) -> None:
        for organisation in self.organisations.new.values():
            organisation.save()
            external_id = getattr(organisation, "_external_id", "")
            if external_id:
                ExternalLink.objects.create(
                    city=self.city,
                    source=self.source,
                    kind=ExternalLink.Kind.ORGANISATION,
                    external_id=external_id,
                    object_id=organisation.pk,
                )
        self.organisations.new.clear()  # saved: the next chunk adds its own

    def _save_venues(self) -> None:
        new = list(self.venues.new.values())
        for venue in new:
            if venue.district is not None:
                venue.district_id = venue.district.pk
        _insert(Venue, new, returning=True)
        _insert(
            ExternalLink,
            [
                ExternalLink(
                    city=self.city,
                    source=self.source,
                    kind=ExternalLink.Kind.VENUE,
                    external_id=venue._external_id,  # type: ignore[attr-defined]
                    object_id=venue.pk,
                )
                for venue in new
                if getattr(venue, "_external_id", "")
            ],
        )
        self.venues.new.clear()  # saved: the next chunk adds its own

    def _write_relations(self, changed: list[_Planned]) -> None:
        updated_ids = [plan.pk for plan in changed if plan.outcome == UPDATED and plan.pk is not None]
        for name, through in RELATIONS.items():
            target = {
                "building_blocks": "buildingblock_id",
                "topics": "topic_id",
                "languages": "language_id",
                "audience_labels": "audiencelabel_id",
            }[name]
            for chunk in _chunks(updated_ids, 2000):
                through._default_manager.filter(opportunity_id__in=chunk).delete()
            rows = [(plan.pk, value) for plan in changed for value in plan.relations[name]]
            TableWriter(through, ("opportunity_id", target)).write(rows)

    def _write_sessions(self, changed: list[_Planned]) -> None:
        from learningcity.enrolment.models import Registration

        updated_ids = [plan.pk for plan in changed if plan.outcome == UPDATED and plan.pk is not None]
        existing: dict[int, dict[tuple[datetime, datetime], Session]] = {}
        booked: set[int] = set()
        for chunk in _chunks(updated_ids, 2000):
            for session in Session.objects.filter(opportunity_id__in=chunk):
                existing.setdefault(session.opportunity_id, {})[(session.start, session.end)] = session
            booked.update(
                Registration.objects.filter(session__opportunity_id__in=chunk).values_list("session_id", flat=True)
            )
        new: list[tuple[Any, ...]] = []
        gone: list[int] = []
        zone = self.city.time_zone
        for plan in changed:
            have = existing.get(plan.pk, {}) if plan.pk is not None else {}
            wanted = {(start, end): capacity for start, end, capacity in plan.sessions}
            for key, capacity in wanted.items():
                if key not in have:
                    new.append((plan.pk, key[0], key[1], capacity, zone, "", ""))
            for key, session in have.items():
                if key not in wanted:
                    if session.pk in booked:
                        plan.row[NOTES] = (*plan.row[NOTES], str(_("A session with registrations was kept.")))
                    else:
                        gone.append(session.pk)
        for chunk in _chunks(gone, 2000):
            Session.objects.filter(pk__in=chunk).delete()
        columns = ("opportunity_id", "start", "end", "capacity", "time_zone", "recurrence_rule", "series_key")
        TableWriter(Session, columns, adapt=True).write(new)

    def _write_source_records(self, plans: list[_Planned], job: Any) -> None:
        new: list[tuple[Any, ...]] = []
        changed: list[SourceRecord] = []
        job_id = job.pk if job is not None else None
        for plan in plans:
            if plan.outcome == UNCHANGED:
                continue
            record = plan.record
            data = {
                "formacodes": record.formacodes,
                "rome_codes": record.rome_codes,
                "keywords": record.keywords,
                "url": record.url,
                "registration_url": record.registration_url,
                "extra": record.extra,
            }
            # JSON text once (what Django would store), rather than values Django serialises again.
            text = json.dumps(data, default=str)
            if plan.source_record is None:
                new.append(
                    (self.city.pk, self.source, record.external_id, plan.pk, plan.fingerprint, text, job_id,
                     self.now, self.now)
                )  # fmt: skip
            else:
                source_record = plan.source_record
                source_record.fingerprint = plan.fingerprint
                source_record.data = json.loads(text)
                source_record.job = job
                source_record.updated_at = self.now
                changed.append(source_record)
        columns = ("city_id", "source", "external_id", "opportunity_id", "fingerprint", "data", "job_id")
        TableWriter(SourceRecord, (*columns, "imported_at", "updated_at"), adapt=True, ready={"data"}).write(new)
        SourceRecord.objects.bulk_update(changed, ["fingerprint", "data", "job", "updated_at"], batch_size=2000)


def _insert(model: type[Any], objects: list[Any], *, returning: bool = False) -> None:
    """Write new model instances with plain multi-row inserts (Django's `bulk_create` prepares every value
    through the query compiler, which costs more than the database's own work at 100,000 rows)."""
    if not objects:
        return
    columns = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
    writer = TableWriter(model, columns, adapt=True)
    rows = [tuple(getattr(instance, name) for name in columns) for instance in objects]
    if not returning:
        writer.write(rows)
        return
    for instance, pk in zip(objects, writer.insert_returning(rows), strict=True):
        instance.pk = pk
        instance._state.adding = False


def _distinct(values: list[Any]) -> list[Any]:
    """Sorted without repeats (most lists here hold one value)."""
    return list(values) if len(values) < 2 else sorted(set(values))


def _title(record: OpportunityRecord) -> str:
    return (record.title_fr or record.title_en)[:200]


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]

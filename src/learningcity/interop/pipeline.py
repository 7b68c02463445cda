"""The one import pipeline: parse a file, match it to the city, validate, then write all or nothing.

Every way in (provider upload, coordinator pages, API, `learningcity import`) ends here. A run is
first a dry run: the same code decides, row by row, what would be created, updated, left unchanged
or rejected, without writing. Committing repeats the run and writes inside one transaction; if any
row is rejected nothing is written unless the importer chose to skip the rejected rows.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.bulk import TableWriter
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
from learningcity.interop.formats import parser_for
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
RELATIONS = {
    "building_blocks": Opportunity.building_blocks.through,
    "topics": Opportunity.topics.through,
    "languages": Opportunity.languages.through,
    "audience_labels": Opportunity.audience_labels.through,
}


@dataclass
class ImportResult:
    """What a run found (dry run) or did (commit)."""

    file_error: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rows: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False
    opportunity_ids: list[int] = field(default_factory=list)


@dataclass
class _Planned:
    """One record after matching: what it would become."""

    record: OpportunityRecord
    outcome: str
    opportunity: Opportunity
    relations: dict[str, list[Any]]
    source_record: SourceRecord | None
    sessions: list[tuple[datetime, datetime, int | None]] = field(default_factory=list)
    fingerprint: str = ""
    notes: list[str] = field(default_factory=list)


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
    items = _parse(city, format, content, options, result)
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
        with nullcontext() if dry_run else transaction.atomic():
            for chunk in _batches(items, CHUNK):
                start = len(result.rows)
                plans = planner.plan(chunk, result)
                writing = writing and not result.file_error and (skip_rejected or not result.counts[REJECTED])
                if writing:
                    planner.write(plans, job=job)
                    _link(result.rows[start:], plans, result)
                if progress:
                    progress(len(result.rows))
            if not result.rows and not result.file_error:
                result.file_error = _("The file holds no listing.")
            if not writing or result.file_error:
                raise _RollBack
    except _RollBack:
        result.opportunity_ids = []
        for row in result.rows:
            row["opportunity_id"] = row["opportunity_id"] if row["outcome"] == UNCHANGED else None
        return result
    result.committed = True
    return result


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


class _RollBack(Exception):  # noqa: N818 (control flow, not an error)
    """Leave the import's transaction without keeping anything."""


def _batches(items: Iterator[OpportunityRecord | RowError], size: int) -> Iterator[list[OpportunityRecord | RowError]]:
    batch: list[OpportunityRecord | RowError] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _link(rows: list[dict[str, Any]], plans: list[_Planned], result: ImportResult) -> None:
    """Give the report's rows of a written chunk their listing, and the notes the write added."""
    for row, plan in zip((row for row in rows if row["outcome"] != REJECTED), plans, strict=True):
        row["opportunity_id"] = plan.opportunity.pk
        row["notes"].extend(str(note) for note in plan.notes)
        if plan.outcome in {CREATED, UPDATED}:
            result.opportunity_ids.append(plan.opportunity.pk)


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
    return _guarded(parse(content, options), format_name, options.max_rows, result)


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
        self.decided: dict[str, tuple[Venue | None, str]] = {}
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
        key = repr(record)
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
        for district in District.objects.filter(city=city):
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
        self.decided: dict[str, tuple[Organisation | None, str]] = {}

    def find(self, record: OrganisationRecord) -> tuple[Organisation | None, str]:
        """The provider a record names (found or new), or None with the reason."""
        key = repr(record)
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
        self.blocks = {block.code: block.pk for block in BuildingBlock.objects.all()}
        self.topics = {topic.code: topic.pk for topic in Topic.objects.all()}
        self.formacodes = dict(Topic.objects.exclude(formacode="").values_list("formacode", "pk"))
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.audiences = {label.code: label.pk for label in AudienceLabel.objects.all()}


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
        result.rows.append(
            {
                "line": line,
                "external_id": external_id,
                "outcome": REJECTED,
                "title": title,
                "errors": [{"field": name, "reason": str(reason)} for name, reason in errors],
                "notes": [],
                "opportunity_id": None,
            }
        )

    def _plan_one(
        self, record: OpportunityRecord, source_record: SourceRecord | None, result: ImportResult
    ) -> _Planned | None:
        errors: list[tuple[str, str]] = []
        fingerprint = record.fingerprint()
        if source_record is not None and source_record.fingerprint == fingerprint:
            plan = _Planned(record, UNCHANGED, source_record.opportunity, {}, source_record)
            self._accept(result, plan)
            return plan
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
        fields = self._fields(record, venue, errors)
        opportunity = source_record.opportunity if source_record else Opportunity(city=self.city)
        if organisation is not None:
            opportunity.organisation = organisation
        for name, value in fields.items():
            setattr(opportunity, name, value)
        if venue is not None:
            opportunity.venue = venue
        relations = self._relations(record, errors)
        sessions = self._sessions(record, errors)
        if not errors:
            if venue is not None and venue.pk is None:
                opportunity.venue_id = 0  # stands for the venue this import will create, for clean()
            try:
                # Foreign keys were matched above; skipping their existence queries keeps 100k rows fast.
                opportunity.full_clean(
                    exclude=["city", "organisation", "venue"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                errors.extend((name, " ".join(messages)) for name, messages in error.message_dict.items())
            if venue is not None:
                opportunity.venue = venue
        if errors:
            self._reject(result, record.line, record.external_id, _title(record), errors)
            if source_record is not None:
                source_record.opportunity.refresh_from_db()  # undo the in-memory edits
            return None
        outcome = UPDATED if source_record else CREATED
        plan = _Planned(record, outcome, opportunity, relations, source_record, sessions, fingerprint)
        self._accept(result, plan)
        return plan

    def _accept(self, result: ImportResult, plan: _Planned) -> None:
        result.counts[plan.outcome] += 1
        result.rows.append(
            {
                "line": plan.record.line,
                "external_id": plan.record.external_id,
                "outcome": plan.outcome,
                "title": _title(plan.record),
                "errors": [],
                "notes": [str(note) for note in self.row_notes(plan.record)] if self.row_notes else [],
                "opportunity_id": plan.opportunity.pk,
            }
        )

    def _fields(self, record: OpportunityRecord, venue: Venue | None, errors: list[tuple[str, str]]) -> dict[str, Any]:
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
        fields: dict[str, Any] = {
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
        if venue is None:
            fields["venue"] = None
        return fields

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
            "building_blocks": sorted(set(blocks)),
            "topics": sorted(set(topics)),
            "languages": sorted(set(languages)),
            "audience_labels": sorted(set(audiences)),
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
        changed = [plan for plan in plans if plan.outcome in {CREATED, UPDATED}]
        for plan in changed:
            opportunity = plan.opportunity
            if getattr(opportunity.organisation, "pk", None) is not None:
                opportunity.organisation_id = opportunity.organisation.pk
            if opportunity.venue is not None:
                opportunity.venue_id = opportunity.venue.pk
            opportunity.updated_at = self.now
            opportunity.last_verified = self.today
        created = [plan.opportunity for plan in changed if plan.outcome == CREATED]
        for opportunity in created:
            opportunity.status = self.target_status
            opportunity.created_at = self.now
            opportunity.published_at = self.now if self.target_status == Status.PUBLISHED else None
        _insert(Opportunity, created, returning=True)
        updated = [plan.opportunity for plan in changed if plan.outcome == UPDATED]
        Opportunity.objects.bulk_update(updated, [*OPPORTUNITY_FIELDS, "updated_at", "last_verified"], batch_size=500)
        self._write_relations(changed)
        self._write_sessions(changed)
        self._write_source_records(plans, job)
        indexing.reindex([opportunity.pk for opportunity in created + updated])

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
        updated_ids = [plan.opportunity.pk for plan in changed if plan.outcome == UPDATED]
        for name, through in RELATIONS.items():
            target = {
                "building_blocks": "buildingblock_id",
                "topics": "topic_id",
                "languages": "language_id",
                "audience_labels": "audiencelabel_id",
            }[name]
            for chunk in _chunks(updated_ids, 2000):
                through._default_manager.filter(opportunity_id__in=chunk).delete()
            rows = [(plan.opportunity.pk, value) for plan in changed for value in plan.relations[name]]
            TableWriter(through, ("opportunity_id", target)).write(rows)

    def _write_sessions(self, changed: list[_Planned]) -> None:
        from learningcity.enrolment.models import Registration

        updated_ids = [plan.opportunity.pk for plan in changed if plan.outcome == UPDATED]
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
            have = existing.get(plan.opportunity.pk, {})
            wanted = {(start, end): capacity for start, end, capacity in plan.sessions}
            for key, capacity in wanted.items():
                if key not in have:
                    new.append((plan.opportunity.pk, key[0], key[1], capacity, zone, "", ""))
            for key, session in have.items():
                if key not in wanted:
                    if session.pk in booked:
                        plan.notes.append(_("A session with registrations was kept."))
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
            if plan.source_record is None:
                new.append(
                    (self.city.pk, self.source, record.external_id, plan.opportunity.pk, plan.fingerprint,
                     _jsonable(data), job_id, self.now, self.now)
                )  # fmt: skip
            else:
                source_record = plan.source_record
                source_record.fingerprint = plan.fingerprint
                source_record.data = _jsonable(data)
                source_record.job = job
                source_record.updated_at = self.now
                changed.append(source_record)
        columns = ("city_id", "source", "external_id", "opportunity_id", "fingerprint", "data", "job_id")
        TableWriter(SourceRecord, (*columns, "imported_at", "updated_at"), adapt=True).write(new)
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


def _title(record: OpportunityRecord) -> str:
    return (record.title_fr or record.title_en)[:200]


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))

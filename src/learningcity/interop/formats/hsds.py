"""Open Referral HSDS 3.0 JSON: services, with their organization, locations and schedules, as records.

A file may hold one service, a list of services, a page of the HSDS API (`{"contents": [...]}`), an
organization with its `services`, or a list of organizations. Every service becomes one record
(`external_id` = the service's `id`); its organization, its first physical location (the venue), a
virtual location (the online link), its languages, cost options, ages, taxonomy terms and schedules
come with it. Schedules are RFC 5545 rules in HSDS: a dated one (`dtstart`/`valid_from` to
`valid_to`, `opens_at` to `closes_at`) is one session, a `freq` rule is expanded (at most
`MAX_OCCURRENCES` sessions, one year when the rule has no end), a schedule without times gives none.

The pure parts shared with the export (vocabulary ids, schedule rules) live here too, so the export
writes exactly what this parser reads back.
"""

from __future__ import annotations

import calendar
import codecs
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

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

HSDS_VERSION = "3.0"
MAX_DEPTH = 64  # HSDS nests about ten levels (service → location → phone → language); more is not HSDS
MAX_OCCURRENCES = 366  # as many as a provider may schedule at once (catalogue.services)
OPEN_ENDED = timedelta(days=366)  # how far a rule without an end is expanded
LONGEST_SCHEDULE = timedelta(days=3660)
FIRST_YEAR, LAST_YEAR = 1900, 2200  # dates outside are mistakes, and keep date arithmetic far from its limits

# Our two published taxonomies: reference vocabularies, so their ids come from their codes (the same
# term has the same id in every learning city's feed, which is what lets an aggregator merge them).
VOCABULARY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:learningcity:hsds:vocabulary")
TOPICS_TAXONOMY = "learningcity-topics"
BUILDING_BLOCKS_TAXONOMY = "unesco-learning-city-building-blocks"


def vocabulary_id(kind: str, code: str) -> str:
    """The HSDS id of a taxonomy ("taxonomy", name) or of a term ("topic" or "building_block", code)."""
    return str(uuid.uuid5(VOCABULARY_NAMESPACE, f"{kind}:{code}"))


TOPICS_TAXONOMY_ID = vocabulary_id("taxonomy", TOPICS_TAXONOMY)
BUILDING_BLOCKS_TAXONOMY_ID = vocabulary_id("taxonomy", BUILDING_BLOCKS_TAXONOMY)
TAXONOMY_NAMES = {TOPICS_TAXONOMY_ID: TOPICS_TAXONOMY, BUILDING_BLOCKS_TAXONOMY_ID: BUILDING_BLOCKS_TAXONOMY}


def _name_of(taxonomy_id: str) -> str:
    """The name of one of our taxonomies from its id ("" for any other)."""
    return TAXONOMY_NAMES.get(taxonomy_id, "")


FORMACODE = re.compile(r"^\d{5}$")
WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
FREQUENCIES = {"WEEKLY", "MONTHLY"}
BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
LANGUAGE_CODES = {
    "fra": "fr", "fre": "fr", "eng": "en", "ara": "ar", "spa": "es", "por": "pt", "deu": "de", "ger": "de",
    "ita": "it", "zho": "zh", "chi": "zh", "tur": "tr", "ukr": "uk",
}  # fmt: skip

# What an accessibility description says, in English or French, mapped to the venue's flags.
ACCESSIBILITY_WORDS: dict[str, tuple[str, ...]] = {
    "step_free_access": ("step-free", "step free", "wheelchair", "plain-pied", "fauteuil", "pmr"),
    "accessible_toilets": ("toilet", "toilettes", "sanitaires"),
    "hearing_loop": ("hearing loop", "induction loop", "boucle magnétique", "boucle auditive"),
    "sign_language": ("sign language", "langue des signes", "lsf"),
    "easy_read": ("easy-read", "easy read", "falc", "facile à lire"),
}


def parse(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    """Records (one per service) and row errors from an HSDS 3.0 JSON document."""
    units = _units(_load(data))
    if len(units) > options.max_rows:
        raise FileRejected(
            _("This file holds %(count)d services; at most %(limit)d can be imported at once.")
            % {"count": len(units), "limit": options.max_rows}
        )
    reader = Reader(options)
    for line, (service, organization) in enumerate(units, start=1):
        yield reader.record(line, service, organization)


def _load(data: bytes) -> Any:
    """The JSON document, or FileRejected with a reason a provider understands."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileRejected(_("This file is not UTF-8 text: an HSDS file is JSON in UTF-8.")) from error
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError as error:
        raise FileRejected(_("This JSON is nested too deeply to be an HSDS file.")) from error
    except json.JSONDecodeError as error:
        raise FileRejected(
            _("This file is not valid JSON (line %(line)d, column %(column)d): is it complete?")
            % {"line": error.lineno, "column": error.colno},
            line=error.lineno,
        ) from error
    except ValueError as error:  # NaN, Infinity, numbers too long to read
        raise FileRejected(_("This file holds a number that cannot be read.")) from error
    if _too_deep(document):
        raise FileRejected(_("This JSON is nested too deeply to be an HSDS file."))
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _too_deep(document: Any) -> bool:
    """Whether the document nests deeper than MAX_DEPTH (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


Unit = tuple[Any, dict[str, Any] | None]


def _units(document: Any) -> list[Unit]:
    """Each service of the document with the organization it is nested in (if any)."""
    if isinstance(document, dict) and "contents" in document:
        document = document["contents"]
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise FileRejected(
            _("An HSDS file holds a service, a list of services or organizations, or an API page with “contents”.")
        )
    units: list[Unit] = []
    for item in document:
        if isinstance(item, dict) and isinstance(item.get("services"), list):
            units.extend((service, item) for service in item["services"])
        else:
            units.append((item, None))
    return units


class Reader:
    """Reads one service at a time into an OpportunityRecord; unreadable values raise FieldError."""

    def __init__(self, options: ParseOptions) -> None:
        self.options = options
        try:
            self.zone: tzinfo = ZoneInfo(options.time_zone)
        except (ValueError, KeyError) as error:
            raise FileRejected(_("The city's time zone is not known.")) from error

    def record(self, line: int, service: Any, organization: dict[str, Any] | None) -> Parsed:
        """The record of one service, or the RowError naming the first field that cannot be read."""
        if not isinstance(service, dict):
            return RowError(line=line, reason=_("A service must be a JSON object."))
        external_id = ""
        try:
            external_id = self.text(service, "id", "id")
            if not external_id:
                raise FieldError("id", _("A service needs its id."))
            return self.service(line, external_id, service, organization)
        except FieldError as error:
            return RowError(line=line, reason=error.reason, field=error.field, external_id=external_id)

    def service(
        self, line: int, external_id: str, service: dict[str, Any], organization: dict[str, Any] | None
    ) -> OpportunityRecord:
        name = self.text(service, "name", "name")
        if not name:
            raise FieldError("name", _("A service needs a name."))
        record = OpportunityRecord(
            line=line,
            external_id=external_id,
            title_fr=name,
            title_en=self.text(service, "alternate_name", "alternate_name"),
            description_fr=html_to_text(self.text(service, "description", "description")),
            age_min=self.age(service, "minimum_age"),
            age_max=self.age(service, "maximum_age"),
            url=self.text(service, "url", "url"),
        )
        nested = self.object(service, "organization", "organization")
        record.organisation = self.organisation(nested or organization, "organization" if nested else "")
        self.places(record, service)
        self.costs(record, service)
        self.terms(record, service)
        record.languages = self.languages(service)
        record.sessions = self.sessions(service)
        record.extra = self.kept_texts(service)
        return record

    # Values ---------------------------------------------------------------------------------------

    def text(self, container: dict[str, Any], key: str, field: str) -> str:
        """A text value ("" when absent); numbers are read as text, anything else is an error."""
        value = container.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FieldError(field, _("This value must be text."))
        value = str(value).strip()
        if len(value) > self.options.max_field_chars:
            raise FieldError(
                field,
                _("This value is longer than %(limit)d characters.") % {"limit": self.options.max_field_chars},
            )
        return value

    def number(self, container: dict[str, Any], key: str, field: str) -> float | None:
        """A finite number (also written as text), or None when absent."""
        value = container.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FieldError(field, _("This value must be a number."))
        try:
            number = float(value)
        except (ValueError, OverflowError) as error:
            raise FieldError(field, _("This value must be a number.")) from error
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldError(field, _("This value must be a number."))
        return number

    def whole(self, container: dict[str, Any], key: str, field: str, *, minimum: int = 0) -> int | None:
        """A whole number of at least `minimum`, or None when absent."""
        number = self.number(container, key, field)
        if number is None:
            return None
        if not number.is_integer() or number < minimum or number > 1_000_000:
            raise FieldError(field, _("This value must be a whole number from %(minimum)d.") % {"minimum": minimum})
        return int(number)

    def age(self, container: dict[str, Any], key: str) -> int | None:
        """An age in whole years."""
        return self.whole(container, key, key)

    def object(self, container: dict[str, Any], key: str, field: str) -> dict[str, Any] | None:
        """A nested object, or None when absent."""
        value = container.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise FieldError(field, _("This value must be an object."))
        return value

    def objects(self, container: dict[str, Any], key: str, field: str) -> list[dict[str, Any]]:
        """A list of nested objects ([] when absent)."""
        value = container.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise FieldError(field, _("This value must be a list of objects."))
        return value

    # Parts of a service ---------------------------------------------------------------------------

    def organisation(self, organization: dict[str, Any] | None, prefix: str) -> OrganisationRecord | None:
        """The provider, from the nested organization or the one the service is nested in."""
        if not organization:
            return None
        where = f"{prefix}." if prefix else "organization."
        phones = self.objects(organization, "phones", f"{where}phones")
        siret = ""
        identifiers = f"{where}organization_identifiers"
        for index, identifier in enumerate(self.objects(organization, "organization_identifiers", identifiers)):
            kind = self.text(identifier, "identifier_type", f"{identifiers}[{index}].identifier_type")
            scheme = self.text(identifier, "identifier_scheme", f"{identifiers}[{index}].identifier_scheme")
            if "SIRET" in f"{kind} {scheme}".upper():
                siret = self.text(identifier, "identifier", f"{identifiers}[{index}].identifier")
        return OrganisationRecord(
            name=self.text(organization, "name", f"{where}name"),
            external_id=self.text(organization, "id", f"{where}id"),
            siret=siret.replace(" ", ""),
            email=self.text(organization, "email", f"{where}email"),
            phone=self.text(phones[0], "number", f"{where}phones[0].number").strip('"') if phones else "",
            website=self.text(organization, "website", f"{where}website"),
            description_fr=html_to_text(self.text(organization, "description", f"{where}description")),
        )

    def places(self, record: OpportunityRecord, service: dict[str, Any]) -> None:
        """The venue (first physical location), the online link (a virtual location) and the mode."""
        for index, link in enumerate(self.objects(service, "service_at_locations", "service_at_locations")):
            field = f"service_at_locations[{index}].location"
            location = self.object(link, "location", field)
            if location is None:
                continue
            if self.text(location, "location_type", f"{field}.location_type") == "virtual":
                record.online_url = record.online_url or self.text(location, "url", f"{field}.url")
            elif record.venue is None:
                record.venue = self.venue(location, field)
        if record.venue and record.online_url:
            record.mode = "blended"
        elif record.online_url:
            record.mode = "online"
        elif record.venue:
            record.mode = "on_site"

    def venue(self, location: dict[str, Any], field: str) -> VenueRecord:
        """A venue from a physical location and its (physical, else first) address."""
        addresses = self.objects(location, "addresses", f"{field}.addresses")
        physical = [a for a in addresses if a.get("address_type") == "physical"]
        address = (physical or addresses or [{}])[0]
        index = addresses.index(address) if address in addresses else 0
        where = f"{field}.addresses[{index}]"
        lines = [
            self.text(address, "address_1", f"{where}.address_1"),
            self.text(address, "address_2", f"{where}.address_2"),
        ]
        venue = VenueRecord(
            name=self.text(location, "name", f"{field}.name") or lines[0],
            address=", ".join(part for part in lines if part),
            postcode=self.text(address, "postal_code", f"{where}.postal_code"),
            city_name=self.text(address, "city", f"{where}.city"),
            latitude=self.number(location, "latitude", f"{field}.latitude"),
            longitude=self.number(location, "longitude", f"{field}.longitude"),
            external_id=self.text(location, "id", f"{field}.id"),
        )
        where = f"{field}.accessibility"
        words = " ".join(
            f"{self.text(item, 'description', where)} {self.text(item, 'details', where)}"
            for item in self.objects(location, "accessibility", where)
        ).lower()
        for flag, keywords in ACCESSIBILITY_WORDS.items():
            if any(keyword in words for keyword in keywords):
                setattr(venue, flag, True)
        return venue

    def costs(self, record: OpportunityRecord, service: dict[str, Any]) -> None:
        """Free when every cost option costs nothing; else the highest price and the lowest as reduced."""
        amounts: list[Decimal] = []
        for index, option in enumerate(self.objects(service, "cost_options", "cost_options")):
            field = f"cost_options[{index}]"
            currency = self.text(option, "currency", f"{field}.currency")
            amount = self.number(option, "amount", f"{field}.amount")
            if amount is None:
                continue
            if currency and currency.upper() != "EUR":
                raise FieldError(
                    f"{field}.currency",
                    _("Prices must be in euros (EUR); this one is in %(currency)s.") % {"currency": currency},
                )
            if amount < 0:
                raise FieldError(f"{field}.amount", _("A price cannot be negative."))
            amounts.append(Decimal(str(amount)))
        if not amounts:
            return
        record.is_free = max(amounts) == 0
        if not record.is_free:
            record.price = max(amounts)
            record.reduced_price = min(amounts) if min(amounts) != max(amounts) else None

    def terms(self, record: OpportunityRecord, service: dict[str, Any]) -> None:
        """Topics, building blocks and Formacodes from our taxonomies; other terms become keywords."""
        for index, attribute in enumerate(self.objects(service, "attributes", "attributes")):
            field = f"attributes[{index}].taxonomy_term"
            term = self.object(attribute, "taxonomy_term", field)
            if term is None:
                continue
            code = self.text(term, "code", f"{field}.code")
            detail = self.object(term, "taxonomy_detail", f"{field}.taxonomy_detail") or {}
            taxonomy_id = self.text(term, "taxonomy_id", f"{field}.taxonomy_id") or self.text(detail, "id", field)
            taxonomy = self.text(term, "taxonomy", f"{field}.taxonomy") or self.text(detail, "name", field)
            value = self.text(attribute, "value", f"attributes[{index}].value")
            if code and BUILDING_BLOCKS_TAXONOMY in (taxonomy, _name_of(taxonomy_id)):
                record.building_blocks.append(code)
            elif code and TOPICS_TAXONOMY in (taxonomy, _name_of(taxonomy_id)):
                record.topics.append(code)
                if FORMACODE.match(value):
                    record.formacodes.append(value)
            elif FORMACODE.match(code) and "formacode" in taxonomy.lower():
                record.formacodes.append(code)
            elif name := self.text(term, "name", f"{field}.name"):
                record.keywords.append(name)

    def languages(self, service: dict[str, Any]) -> list[str]:
        """ISO 639-1 codes of the languages the service is given in."""
        codes: list[str] = []
        for index, language in enumerate(self.objects(service, "languages", "languages")):
            code = self.text(language, "code", f"languages[{index}].code").lower()
            code = LANGUAGE_CODES.get(code, code)
            if code and code not in codes:
                codes.append(code)
        return codes

    def sessions(self, service: dict[str, Any]) -> list[SessionRecord]:
        """Sessions from the service's schedules and those of its service_at_locations (each once)."""
        found: list[tuple[str, dict[str, Any]]] = [
            (f"schedules[{index}]", schedule)
            for index, schedule in enumerate(self.objects(service, "schedules", "schedules"))
        ]
        for index, link in enumerate(self.objects(service, "service_at_locations", "service_at_locations")):
            field = f"service_at_locations[{index}].schedules"
            found.extend(
                (f"{field}[{n}]", schedule) for n, schedule in enumerate(self.objects(link, "schedules", field))
            )
        seen: set[str] = set()
        sessions: list[SessionRecord] = []
        for field, schedule in found:
            key = json.dumps(schedule, sort_keys=True) if schedule.get("id") is None else str(schedule["id"])
            if key in seen:
                continue
            seen.add(key)
            sessions.extend(SessionRecord(start=start, end=end) for start, end in self.schedule(schedule, field))
        if len(sessions) > MAX_OCCURRENCES:
            raise FieldError(
                "schedules", _("A service may have at most %(limit)d sessions.") % {"limit": MAX_OCCURRENCES}
            )
        return sorted(sessions, key=lambda session: session.start)

    def schedule(self, schedule: dict[str, Any], field: str) -> list[tuple[datetime, datetime]]:
        """The dated occurrences a schedule describes (none when it gives no times)."""
        opens = self.clock(schedule, "opens_at", f"{field}.opens_at")
        if opens is None:
            return []
        closes = self.clock(schedule, "closes_at", f"{field}.closes_at")
        if closes is None:
            raise FieldError(f"{field}.closes_at", _("A schedule with an opening time needs a closing time."))
        first = self.day(schedule, "dtstart", f"{field}.dtstart") or self.day(
            schedule, "valid_from", f"{field}.valid_from"
        )
        if first is None:
            raise FieldError(
                f"{field}.dtstart", _("A schedule with times needs its first day (dtstart or valid_from).")
            )
        rule = self.rule(schedule, field, first)
        zone = self.schedule_zone(schedule, field, datetime.combine(first, opens.replace(tzinfo=None)), opens)
        pairs = occurrences(rule, opens=opens.replace(tzinfo=None), closes=closes.replace(tzinfo=None), zone=zone)
        if pairs is None:
            raise FieldError(field, _("A schedule may give at most %(limit)d sessions.") % {"limit": MAX_OCCURRENCES})
        return pairs

    def clock(self, container: dict[str, Any], key: str, field: str) -> time | None:
        """A time of day ("10:00" or "10:00:00", possibly with an offset)."""
        text = self.text(container, key, field)
        if not text:
            return None
        try:
            return time.fromisoformat(text)
        except ValueError as error:
            raise FieldError(field, _("This is not a time of day (HH:MM:SS).")) from error

    def day(self, container: dict[str, Any], key: str, field: str) -> date | None:
        """A date ("2026-03-04"; a date-time is read as its date)."""
        text = self.text(container, key, field)
        if not text:
            return None
        try:
            day = datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
        except ValueError as error:
            raise FieldError(field, _("This is not a date (YYYY-MM-DD).")) from error
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise FieldError(
                field, _("This date is not between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day

    def schedule_zone(self, schedule: dict[str, Any], field: str, first: datetime, opens: time) -> tzinfo:
        """The city's zone (wall-clock times), unless the schedule's UTC offset says otherwise."""
        if opens.tzinfo is not None:
            return opens.tzinfo
        hours = self.number(schedule, "timezone", f"{field}.timezone")
        if hours is None:
            return self.zone
        if not -14 <= hours <= 14:
            raise FieldError(f"{field}.timezone", _("A UTC offset is between -14 and +14 hours."))
        offset = timedelta(hours=hours)
        return self.zone if first.replace(tzinfo=self.zone).utcoffset() == offset else timezone(offset)

    def rule(self, schedule: dict[str, Any], field: str, first: date) -> Rule:
        """The schedule's recurrence, read and bounded."""
        frequency = self.text(schedule, "freq", f"{field}.freq").upper()
        if frequency and frequency not in FREQUENCIES:
            raise FieldError(f"{field}.freq", _("A schedule repeats WEEKLY or MONTHLY."))
        valid_from = self.day(schedule, "valid_from", f"{field}.valid_from")
        valid_to = self.day(schedule, "valid_to", f"{field}.valid_to")
        until = self.day(schedule, "until", f"{field}.until")
        ends = [day for day in (until, valid_to) if day is not None]
        rule = Rule(
            first=first,
            frequency=frequency,
            interval=self.whole(schedule, "interval", f"{field}.interval", minimum=1) or 1,
            count=self.whole(schedule, "count", f"{field}.count", minimum=1),
            last=min(ends) if ends else None,
            valid_from=valid_from,
            byday=self.byday(schedule, f"{field}.byday"),
            bymonthday=self.numbers(schedule, "bymonthday", f"{field}.bymonthday", 31),
            byweekno=self.numbers(schedule, "byweekno", f"{field}.byweekno", 53),
            byyearday=self.numbers(schedule, "byyearday", f"{field}.byyearday", 366),
            wkst=self.text(schedule, "wkst", f"{field}.wkst").upper(),
        )
        if rule.wkst and rule.wkst not in WEEKDAYS:
            raise FieldError(f"{field}.wkst", _("This is not a day of the week (MO to SU)."))
        if frequency == "WEEKLY" and any(day[:-2] for day in rule.byday or []):
            raise FieldError(f"{field}.byday", _("A weekly rule names days without numbers (MO, not 1MO)."))
        if rule.last and rule.last - first > LONGEST_SCHEDULE:
            raise FieldError(field, _("A schedule may span at most ten years."))
        return rule

    def byday(self, schedule: dict[str, Any], field: str) -> list[str]:
        """Days of the week ("TH,FR", "1MO", "-1FR")."""
        days = [part.strip().upper() for part in self.text(schedule, "byday", field).split(",") if part.strip()]
        for day in days:
            match = BYDAY.match(day)
            if not match or (match.group(1) and not 1 <= abs(int(match.group(1))) <= 5):
                raise FieldError(field, _("Days are written MO, TU, WE, TH, FR, SA, SU, separated by commas."))
        return days

    def numbers(self, schedule: dict[str, Any], key: str, field: str, limit: int) -> list[int]:
        """A comma-separated list of non-zero numbers between -limit and limit."""
        values: list[int] = []
        for part in self.text(schedule, key, field).split(","):
            if not part.strip():
                continue
            try:
                value = int(part)
            except ValueError as error:
                raise FieldError(field, _("This must be numbers separated by commas.")) from error
            if value == 0 or abs(value) > limit:
                raise FieldError(field, _("This must be numbers separated by commas.")) from None
            values.append(value)
        return values

    def kept_texts(self, service: dict[str, Any]) -> dict[str, Any]:
        """HSDS texts the catalogue has no field for, kept with the source record."""
        keys = ["status", "application_process", "eligibility_description", "fees_description", "alert"]
        return {key: value for key in keys if (value := self.text(service, key, key))}


@dataclass
class Rule:
    """An HSDS schedule's recurrence (RFC 5545 subset: WEEKLY or MONTHLY), with its bounds."""

    first: date
    frequency: str = ""
    interval: int = 1
    count: int | None = None
    last: date | None = None
    valid_from: date | None = None
    byday: list[str] | None = None
    bymonthday: list[int] | None = None
    byweekno: list[int] | None = None
    byyearday: list[int] | None = None
    wkst: str = ""


def occurrences(rule: Rule, *, opens: time, closes: time, zone: tzinfo) -> list[tuple[datetime, datetime]] | None:
    """Aware (start, end) pairs in wall-clock time of `zone`; None when there would be too many.

    A schedule without `freq` is one span from its first day at `opens` to its last day (`valid_to`)
    at `closes`; a closing time before the opening time ends the next day.
    """
    if not rule.frequency:
        last_day = rule.last if rule.last and rule.last > rule.first else rule.first
        start = datetime.combine(rule.first, opens)
        end = datetime.combine(last_day, closes)
        if end <= start:
            end += timedelta(days=1)
        return [(start.replace(tzinfo=zone), end.replace(tzinfo=zone))]
    duration = datetime.combine(rule.first, closes) - datetime.combine(rule.first, opens)
    if duration <= timedelta(0):
        duration += timedelta(days=1)
    pairs: list[tuple[datetime, datetime]] = []
    for number, day in enumerate(rule_days(rule), start=1):
        if rule.count and number > rule.count:
            break
        if rule.valid_from and day < rule.valid_from:
            continue
        if len(pairs) == MAX_OCCURRENCES:
            return None
        start = datetime.combine(day, opens)
        pairs.append((start.replace(tzinfo=zone), (start + duration).replace(tzinfo=zone)))
    return pairs


# RFC 5545 expansion of the subset HSDS allows (WEEKLY and MONTHLY). Our own rather than dateutil's:
# dateutil looks for a matching day up to the year 9999 when a rule can never match (BYMONTHDAY=31
# with BYWEEKNO=2), seconds per schedule; here every rule stops at its last day, ten years at most.


def rule_days(rule: Rule) -> Iterator[date]:
    """The days a WEEKLY or MONTHLY rule gives, in order, from its first day to its last."""
    last = rule.last or rule.first + OPEN_ENDED
    periods = _weeks(rule, last) if rule.frequency == "WEEKLY" else _months(rule, last)
    for days in periods:
        for day in sorted(days):
            if rule.first <= day <= last and _kept(rule, day):
                yield day


def _weeks(rule: Rule, last: date) -> Iterator[set[date]]:
    """The chosen days of every `interval`-th week (weeks start on WKST, Monday by default)."""
    start_of_week = WEEKDAYS[rule.wkst or "MO"]
    weekdays = {WEEKDAYS[day[-2:]] for day in rule.byday or []} or {rule.first.weekday()}
    week = rule.first - timedelta(days=(rule.first.weekday() - start_of_week) % 7)
    while week <= last:
        yield {week + timedelta(days=(weekday - start_of_week) % 7) for weekday in weekdays}
        week += timedelta(weeks=rule.interval)


def _months(rule: Rule, last: date) -> Iterator[set[date]]:
    """The chosen days of every `interval`-th month."""
    year, month = rule.first.year, rule.first.month
    while date(year, month, 1) <= last:
        yield _days_of_month(rule, year, month)
        month += rule.interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _days_of_month(rule: Rule, year: int, month: int) -> set[date]:
    """BYMONTHDAY and BYDAY ("1MO", "-1FR", "TU") of one month; both given, the days they share."""
    length = calendar.monthrange(year, month)[1]
    by_number = {day if day > 0 else length + day + 1 for day in rule.bymonthday or []}
    by_weekday: set[int] = set()
    for token in rule.byday or []:
        matching = [day for day in range(1, length + 1) if date(year, month, day).weekday() == WEEKDAYS[token[-2:]]]
        ordinal = int(token[:-2]) if token[:-2] else 0
        if not ordinal:
            by_weekday.update(matching)
        elif abs(ordinal) <= len(matching):
            by_weekday.add(matching[ordinal - 1 if ordinal > 0 else ordinal])
    if rule.bymonthday and rule.byday:
        chosen = by_number & by_weekday
    elif rule.bymonthday:
        chosen = by_number
    elif rule.byday:
        chosen = by_weekday
    else:
        chosen = {rule.first.day}  # a month without that day (the 31st) is skipped, as RFC 5545 says
    return {date(year, month, day) for day in chosen if 1 <= day <= length}


def _kept(rule: Rule, day: date) -> bool:
    """Whether the day passes the rule's other filters (month day, week number, year day)."""
    if rule.bymonthday:
        length = calendar.monthrange(day.year, day.month)[1]
        if day.day not in {n if n > 0 else length + n + 1 for n in rule.bymonthday}:
            return False
    if rule.byweekno:
        numbers = {_week_number(day, rule, from_end=False), _week_number(day, rule, from_end=True)}
        if not numbers & set(rule.byweekno):
            return False
    if rule.byyearday:
        length = 366 if calendar.isleap(day.year) else 365
        ordinal = day.timetuple().tm_yday
        return ordinal in rule.byyearday or ordinal - length - 1 in rule.byyearday
    return True


def _week_number(day: date, rule: Rule, *, from_end: bool) -> int:
    """RFC 5545 week number (week 1 holds at least four days of the year; weeks start on WKST)."""
    start_of_week = WEEKDAYS[rule.wkst or "MO"]
    week_start = day - timedelta(days=(day.weekday() - start_of_week) % 7)
    year = (week_start + timedelta(days=3)).year

    def first_week(of_year: int) -> date:
        fourth = date(of_year, 1, 4)
        return fourth - timedelta(days=(fourth.weekday() - start_of_week) % 7)

    number = (week_start - first_week(year)).days // 7 + 1
    if not from_end:
        return number
    weeks = (first_week(year + 1) - first_week(year)).days // 7
    return number - weeks - 1


def utc_offset_hours(moment: datetime) -> float | int:
    """The UTC offset of an aware moment in hours, as HSDS's `timezone` number (1, 2, 5.5)."""
    offset = (moment.utcoffset() or timedelta(0)).total_seconds() / 3600
    return int(offset) if offset.is_integer() else offset

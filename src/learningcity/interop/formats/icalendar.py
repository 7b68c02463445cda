"""iCalendar files (RFC 5545): each event, with its repetitions expanded into sessions.

Read with the `icalendar` library. Events sharing a UID are one listing: the event without a
RECURRENCE-ID is the series (DTSTART, DTEND or DURATION, RRULE, RDATE, EXDATE), the others move or
cancel one of its occurrences. Times keep their zone (TZID or UTC); floating times and unknown
zones are the city's local time; an all-day event runs from 00:00 to 24:00 local time. `line` is
the position of the event in the file (1 for the first VEVENT). See docs/interop-events.md.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _
from icalendar import Calendar, Component, vRecur
from icalendar.prop import vBroken

from learningcity.interop.formats.openagenda import (
    MAX_ID_CHARS,
    MAX_SESSIONS,
    clean_text,
    guess_kind,
    local_moment,
    plausible,
)
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

# Expanding repeat rules whose filters never match makes dateutil search until the year 9999 (seconds
# each); past this much time spent expanding, the file is refused rather than holding a worker.
EXPANSION_SECONDS = 20.0
RULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY"}
RULE_PARTS |= {"BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"}
_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
_POSTCODE = re.compile(r"\b\d{5}\b")


@dataclass
class _Series:
    """The events of one UID: the series itself (if the file has it) and its moved or cancelled occurrences."""

    uid: str
    line: int
    master: Component | None = None
    overrides: list[Component] = field(default_factory=list)


class _Clock:
    """Time spent expanding repeat rules over the whole file."""

    def __init__(self) -> None:
        self.spent = 0.0

    def charge(self, seconds: float) -> None:
        self.spent += seconds
        if self.spent > EXPANSION_SECONDS:
            raise FileRejected(_("The repeat rules of this calendar take too long to expand; split the file."))


def parse(data: bytes, options: ParseOptions) -> Iterator[Parsed]:
    """One record per event (per UID) of an iCalendar file."""
    events = _events(data)
    if len(events) > options.max_rows:
        raise FileRejected(_("The calendar holds more than %(limit)d events.") % {"limit": options.max_rows})
    zone = ZoneInfo(options.time_zone)
    clock = _Clock()
    for item in _series(events):
        if isinstance(item, RowError):
            yield item
        else:
            yield _read(item, options, zone, clock)


def _events(data: bytes) -> list[Component]:
    """The VEVENTs of every calendar in the file, in file order."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRejected(
            _("The calendar is not UTF-8 text (byte %(position)d), as iCalendar requires.") % {"position": error.start}
        ) from error
    if "BEGIN:VCALENDAR" not in text.upper():
        raise FileRejected(_("This file is not an iCalendar file (no BEGIN:VCALENDAR)."))
    try:
        calendars = Calendar.from_ical(text, multiple=True)
        if not calendars or any(calendar.name != "VCALENDAR" for calendar in calendars):
            raise FileRejected(_("This file is not an iCalendar file (no BEGIN:VCALENDAR)."))
        return [event for calendar in calendars for event in calendar.walk("VEVENT")]
    except RecursionError as error:
        raise FileRejected(_("The calendar's components are nested too deeply.")) from error
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        # The library's parsing errors are ValueErrors with the faulty line; others mean the same.
        raise FileRejected(_("The calendar cannot be read: %(problem)s") % {"problem": str(error)[:200]}) from error


def _series(events: list[Component]) -> list[_Series | RowError]:
    """Events grouped by UID, in the order of each UID's first event; events without a UID are errors."""
    found: dict[str, _Series] = {}
    output: list[_Series | RowError] = []
    for line, event in enumerate(events, start=1):
        uid = _uid(event)
        if not uid:
            output.append(RowError(line=line, field="UID", reason=_("The event has no UID.")))
            continue
        if len(uid) > MAX_ID_CHARS:
            reason = _("An identifier may have at most %(limit)d characters.") % {"limit": MAX_ID_CHARS}
            output.append(RowError(line=line, field="UID", reason=reason))
            continue
        series = found.get(uid)
        if series is None:
            series = found[uid] = _Series(uid=uid, line=line)
            output.append(series)
        if event.get("RECURRENCE-ID") is not None:
            series.overrides.append(event)
        elif series.master is None:
            series.master, series.line = event, min(series.line, line)
        else:
            reason = _("Another event in this file has the same UID (event %(line)d).") % {"line": series.line}
            output.append(RowError(line=line, field="UID", reason=reason, external_id=uid))
    return sorted(output, key=lambda item: item.line)


def _uid(event: Component) -> str:
    value = event.get("UID")
    if isinstance(value, list):
        value = value[0] if value else None
    return clean_text(str(value)) if value is not None and not isinstance(value, vBroken) else ""


def _read(series: _Series, options: ParseOptions, zone: ZoneInfo, clock: _Clock) -> Parsed:
    """The record of one series, or the error of its first unreadable property."""
    try:
        return _record(series, options, zone, clock)
    except FieldError as problem:
        return RowError(line=series.line, field=problem.field, reason=problem.reason, external_id=series.uid)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as error:
        # The library reads values lazily; anything it cannot read is this event's problem, not the file's.
        reason = _("The event cannot be read: %(problem)s") % {"problem": str(error)[:200]}
        return RowError(line=series.line, reason=reason, external_id=series.uid)


def _record(series: _Series, options: ParseOptions, zone: ZoneInfo, clock: _Clock) -> OpportunityRecord:
    event = _Event(series.master or series.overrides[0], options, zone)
    status = event.text("STATUS").upper()
    if series.master is not None and status == "CANCELLED":
        raise FieldError("STATUS", _("The event is cancelled (STATUS:CANCELLED), so it is not imported."))
    title, title_language = event.text("SUMMARY"), event.language("SUMMARY")
    if not title:
        raise FieldError("SUMMARY", _("The event has no title (SUMMARY)."))
    description, description_language = event.description()
    keywords = event.categories()
    organiser = event.organiser()
    return OpportunityRecord(
        line=series.line,
        external_id=series.uid,
        title_fr=title if title_language != "en" else "",
        title_en=title if title_language == "en" else "",
        description_fr=description if description_language != "en" else "",
        description_en=description if description_language == "en" else "",
        kind=guess_kind(title, keywords),
        keywords=keywords,
        venue=event.venue(),
        organisation=organiser,
        sessions=_sessions(series, options, zone, clock),
        url=event.text("URL"),
        extra={
            key: value
            for key, value in {
                "location": event.text("LOCATION"),
                "organizer_email": organiser.email if organiser else "",
                "rrule": [clean_text(_rule_text(rule)) for rule in event.rules()],
                "status": status,
            }.items()
            if value
        },
    )


def _sessions(series: _Series, options: ParseOptions, zone: ZoneInfo, clock: _Clock) -> list[SessionRecord]:
    """Every occurrence: the series expanded, minus exceptions, with moved occurrences at their new time."""
    occurrences: dict[datetime, datetime] = {}
    duration: timedelta | None = None
    if series.master is not None:
        master = _Event(series.master, options, zone)
        start, end = master.span()
        duration = end - start
        occurrences = master.occurrences(start, duration, clock)
    for override in series.overrides:
        moved = _Event(override, options, zone)
        replaced = moved.moment("RECURRENCE-ID")
        if replaced is not None:
            occurrences.pop(replaced, None)
        if moved.text("STATUS").upper() != "CANCELLED":
            start, end = moved.span(duration)
            occurrences[start] = end
        if len(occurrences) > MAX_SESSIONS:
            break
    if len(occurrences) > MAX_SESSIONS:
        reason = _("The event repeats more than %(limit)d times; give its rule an end (COUNT or UNTIL).")
        raise FieldError("RRULE", reason % {"limit": MAX_SESSIONS})
    for start, end in occurrences.items():
        if not (plausible(start) and plausible(end)):
            raise FieldError("DTSTART", _("The year of %(moment)s is not plausible.") % {"moment": start.date()})
    return [SessionRecord(start=start, end=end) for start, end in sorted(occurrences.items())]


def _rule_text(rule: vRecur) -> str:
    """A repeat rule as RFC 5545 text."""
    text: bytes = rule.to_ical()  # type: ignore[no-untyped-call]
    return text.decode()


class _Event:
    """The properties of one VEVENT, each read with its rules; a property that cannot be read raises FieldError."""

    def __init__(self, component: Component, options: ParseOptions, zone: ZoneInfo) -> None:
        self.component = component
        self.options = options
        self.zone = zone
        self.broken = {str(name).upper(): str(reason) for name, reason in getattr(component, "errors", [])}

    def value(self, name: str) -> Any:
        """The property's value (the first, if it is repeated), or None."""
        if name in self.broken:
            raise FieldError(name, _("This value cannot be read: %(problem)s") % {"problem": self.broken[name][:200]})
        value = self.component.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, vBroken):
            raise FieldError(name, _("This value cannot be read: %(problem)s") % {"problem": str(value)[:200]})
        return value

    def text(self, name: str) -> str:
        value = self.value(name)
        if value is None:
            return ""
        text = str(value)
        if len(text) > self.options.max_field_chars:
            reason = _("This field is longer than %(limit)d characters.") % {"limit": self.options.max_field_chars}
            raise FieldError(name, reason)
        return clean_text(text)

    def language(self, name: str) -> str:
        """The two-letter language a text property says it is in, or ""."""
        value = self.value(name)
        params = getattr(value, "params", None) or {}
        return str(params.get("LANGUAGE", ""))[:2].casefold()

    def description(self) -> tuple[str, str]:
        """The description as text, and its language: DESCRIPTION, else the HTML of X-ALT-DESC."""
        text = self.text("DESCRIPTION")
        if text:
            return (html_to_text(text) if _LOOKS_LIKE_HTML.search(text) else text), self.language("DESCRIPTION")
        return html_to_text(self.text("X-ALT-DESC")), self.language("X-ALT-DESC")

    def categories(self) -> list[str]:
        """CATEGORIES, however many lines they are given on, without repeats."""
        if "CATEGORIES" in self.broken:
            self.value("CATEGORIES")
        values = self.component.get("CATEGORIES")
        words: list[str] = []
        for line in values if isinstance(values, list) else [values] if values is not None else []:
            for category in getattr(line, "cats", []):
                word = str(category)
                if len(word) > self.options.max_field_chars:
                    reason = _("This field is longer than %(limit)d characters.")
                    raise FieldError("CATEGORIES", reason % {"limit": self.options.max_field_chars})
                word = clean_text(word)
                if word and word not in words:
                    words.append(word)
        return words

    def organiser(self) -> OrganisationRecord | None:
        """The organiser's common name (CN) and e-mail."""
        value = self.value("ORGANIZER")
        if value is None:
            return None
        params = getattr(value, "params", None) or {}
        name = clean_text(str(params.get("CN", "")))[:200]
        if not name:
            return None
        address = str(value)
        email = address[7:] if address.casefold().startswith("mailto:") else ""
        return OrganisationRecord(name=name, email=clean_text(email)[:254])

    def venue(self) -> VenueRecord | None:
        """LOCATION ("name, address") and GEO."""
        location = self.text("LOCATION")
        geo = self.value("GEO")
        latitude = longitude = None
        if geo is not None:
            latitude, longitude = float(geo.latitude), float(geo.longitude)
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise FieldError("GEO", _("These coordinates are not on Earth: %(lat)s, %(lon)s.") % {
                    "lat": latitude, "lon": longitude
                })  # fmt: skip
        if not location and latitude is None:
            return None
        name, _comma, rest = location.partition(",")
        postcode = _POSTCODE.search(rest)
        return VenueRecord(
            name=name.strip(),
            address=rest.strip() or location,
            postcode=postcode.group(0) if postcode else "",
            latitude=latitude,
            longitude=longitude,
        )

    def moment(self, name: str) -> datetime | None:
        """A date or time property as an aware moment (a date is 00:00 local)."""
        value = self.value(name)
        if value is None:
            return None
        moment = value.dt if hasattr(value, "dt") else None
        if isinstance(moment, tuple):  # a PERIOD: its start
            moment = moment[0]
        if not isinstance(moment, date):
            raise FieldError(name, _("This is not a date or a time."))
        return local_moment(moment, self.zone)

    def span(self, default: timedelta | None = None) -> tuple[datetime, datetime]:
        """Start and end: DTEND, else DURATION, else `default`, else a whole day for an all-day event."""
        start = self.moment("DTSTART")
        if start is None:
            raise FieldError("DTSTART", _("The event has no start (DTSTART)."))
        end = self.moment("DTEND")
        duration = self.value("DURATION")
        if end is None and duration is not None:
            if not isinstance(getattr(duration, "dt", None), timedelta):
                raise FieldError("DURATION", _("This is not a duration."))
            end = start + duration.dt
        if end is None and default is not None:
            end = start + default
        if end is None and not isinstance(self.value("DTSTART").dt, datetime):
            end = start + timedelta(days=1)
        if end is None:
            raise FieldError("DTEND", _("The event has no end (DTEND or DURATION)."))
        if end <= start:
            raise FieldError("DTEND", _("The event ends before it starts."))
        return start, end

    def rules(self) -> list[vRecur]:
        """The RRULE lines."""
        if "RRULE" in self.broken:
            self.value("RRULE")
        values = self.component.get("RRULE")
        rules = values if isinstance(values, list) else [values] if values is not None else []
        if any(not isinstance(rule, vRecur) for rule in rules):
            raise FieldError("RRULE", _("This repeat rule cannot be read."))
        return rules

    def dates(self, name: str) -> list[tuple[datetime, datetime | None]]:
        """RDATE or EXDATE values as aware moments, each with the end of its period if it is one."""
        if name in self.broken:
            self.value(name)
        values = self.component.get(name)
        found: list[tuple[datetime, datetime | None]] = []
        for line in values if isinstance(values, list) else [values] if values is not None else []:
            for item in getattr(line, "dts", None) or []:
                value = item.dt
                start, end = (value[0], value[1]) if isinstance(value, tuple) else (value, None)
                if not isinstance(start, date):
                    raise FieldError(name, _("This is not a date or a time."))
                begin = local_moment(start, self.zone)
                finish = begin + end if isinstance(end, timedelta) else end
                found.append((begin, local_moment(finish, self.zone) if isinstance(finish, date) else None))
        return found

    def occurrences(self, start: datetime, duration: timedelta, clock: _Clock) -> dict[datetime, datetime]:
        """DTSTART, the RRULE's occurrences and the RDATEs, without the EXDATEs (at most one more than allowed)."""
        excluded = {moment for moment, _end in self.dates("EXDATE")}
        found: dict[datetime, datetime] = {} if start in excluded else {start: start + duration}
        for moment, end in self.dates("RDATE"):
            if moment not in excluded:
                found[moment] = end if end is not None and end > moment else moment + duration
        for rule in self.rules():
            began = time.monotonic()
            try:
                for moment in self._expand(rule, start):
                    if moment not in excluded:
                        found[moment] = moment + duration
                    if len(found) > MAX_SESSIONS:
                        break
            finally:
                clock.charge(time.monotonic() - began)
        return found

    def _expand(self, rule: vRecur, start: datetime) -> Iterator[datetime]:
        """One rule's occurrences in the wall-clock time of DTSTART's zone, up to its UNTIL."""
        frequency = str((rule.get("FREQ") or [""])[0]).upper()
        if frequency in {"SECONDLY", "MINUTELY"}:
            raise FieldError("RRULE", _("The event repeats more often than every hour."))
        until = self._until(rule, start)
        try:
            parts = vRecur({key: value for key, value in rule.items() if str(key).upper() in RULE_PARTS})
            occurrences = iter(rrulestr(_rule_text(parts), dtstart=start))
            for moment in occurrences:
                if until is not None and moment > until:
                    return
                yield moment
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
            reason = _("This repeat rule cannot be read: %(problem)s") % {"problem": str(error)[:200]}
            raise FieldError("RRULE", reason) from error

    def _until(self, rule: vRecur, start: datetime) -> datetime | None:
        """The rule's UNTIL as an aware moment (a date means the whole of that day)."""
        values = rule.get("UNTIL") or []
        value = values[0] if isinstance(values, list) and values else None
        if value is None:
            return None
        if not isinstance(value, date):
            raise FieldError("RRULE", _("The UNTIL of this repeat rule is not a date."))
        if not isinstance(value, datetime):
            return local_moment(value, self.zone, end=True) - timedelta(microseconds=1)
        return value if value.tzinfo is not None else value.replace(tzinfo=start.tzinfo)

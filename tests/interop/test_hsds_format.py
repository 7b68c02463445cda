"""HSDS 3.0 JSON import: what each service becomes, every shape a file may take, and what is refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learningcity.interop.formats import parser_for
from learningcity.interop.formats.hsds import (
    BUILDING_BLOCKS_TAXONOMY_ID,
    MAX_OCCURRENCES,
    TOPICS_TAXONOMY_ID,
    WEEKDAYS,
    Rule,
    parse,
    rule_days,
)
from learningcity.interop.records import FileRejected, OpportunityRecord, Parsed, ParseOptions, RowError
from tests.interop.test_hsds_schemas import EXAMPLES

FIXTURE = Path(__file__).parent / "fixtures" / "hsds_services.json"
PARIS = ZoneInfo("Europe/Paris")
DAYS = list(WEEKDAYS)


def services() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return loaded


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def read(content: bytes | list[Any] | dict[str, Any], **options: Any) -> list[Parsed]:
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    return list(parse(data, ParseOptions(**options)))


def one_record(content: list[Any] | dict[str, Any], **options: Any) -> OpportunityRecord:
    [found] = read(content, **options)
    assert isinstance(found, OpportunityRecord), found
    return found


def one_error(service: dict[str, Any]) -> RowError:
    [found] = read([service])
    assert isinstance(found, RowError), found
    return found


def service(**fields: Any) -> dict[str, Any]:
    """The first service of the fixture with some fields changed (None removes a field)."""
    values = services()[0]
    values.update(fields)
    return {key: value for key, value in values.items() if value is not None}


def at(day: str, clock: str, zone: Any = PARIS) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=zone)


# What a service becomes ----------------------------------------------------------------------------


def test_it_is_the_format_registered_as_hsds() -> None:
    assert parser_for("hsds") is parse


def test_it_reads_a_service_with_everything_it_says() -> None:
    record = one_record(services()[:1])
    assert (record.line, record.external_id) == (1, "5f0c6f4e-9f7a-4a43-9a4b-3c2d1e0f1a01")
    assert (record.title_fr, record.title_en) == ("Atelier numérique", "Digital skills workshop")
    assert (
        record.description_fr == "Découvrir l'ordinateur et Internet, pas à pas.\n\n• Courriel\n\n• Démarches en ligne"
    )
    assert (record.age_min, record.age_max, record.is_free, record.price) == (12, 120, True, None)
    assert (record.mode, record.languages) == ("on_site", ["fr"])
    assert record.building_blocks == ["families-communities"]
    assert (record.formacodes, record.keywords) == (["31054"], ["Inclusion numérique"])
    assert record.url == "https://mediatheque-rives.example/ateliers/numerique"
    organisation = record.organisation
    assert organisation is not None
    assert (organisation.name, organisation.siret) == ("Médiathèque des Rives", "73282932000074")
    assert (organisation.email, organisation.phone) == ("contact@mediatheque-rives.example", "02 47 00 00 00")
    assert organisation.external_id == "5f0c6f4e-9f7a-4a43-9a4b-3c2d1e0f1b01"
    venue = record.venue
    assert venue is not None
    assert (venue.name, venue.address, venue.postcode, venue.city_name) == (
        "Médiathèque des Rives", "12 quai des Rives", "37000", "Tours",
    )  # fmt: skip
    assert (venue.latitude, venue.longitude, venue.external_id) == (
        47.3952,
        0.6921,
        "5f0c6f4e-9f7a-4a43-9a4b-3c2d1e0f1d01",
    )
    assert (venue.step_free_access, venue.hearing_loop, venue.accessible_toilets) == (True, True, None)


def test_a_weekly_rule_keeps_its_local_time_across_the_clock_change() -> None:
    record = one_record(services()[:1])
    starts = [session.start for session in record.sessions]
    assert starts == [at("2026-03-17", "18:00"), at("2026-03-24", "18:00"), at("2026-03-31", "18:00"),
                      at("2026-04-07", "18:00")]  # fmt: skip
    assert [start.utcoffset() for start in starts] == [timedelta(hours=1)] * 2 + [timedelta(hours=2)] * 2
    assert all(session.end - session.start == timedelta(hours=2) for session in record.sessions)


def test_it_reads_an_online_paid_service_with_one_dated_session() -> None:
    record = one_record(services()[1:])
    assert (record.mode, record.online_url, record.venue) == ("online", "https://visio.example/anglais", None)
    assert (record.is_free, record.price, record.reduced_price) == (False, Decimal("40.0"), Decimal("20.0"))
    assert [(s.start, s.end) for s in record.sessions] == [(at("2026-05-12", "10:00"), at("2026-05-12", "12:00"))]
    assert (record.age_min, record.age_max, record.title_en) == (16, None, "")


def test_a_service_at_a_venue_and_online_is_blended() -> None:
    both = service()
    both["service_at_locations"].append(services()[1]["service_at_locations"][0])
    record = one_record([both])
    assert (record.mode, record.online_url) == ("blended", "https://visio.example/anglais")


def test_it_reads_its_own_topics_building_blocks_and_formacodes_by_taxonomy_id() -> None:
    attributes = [
        {"id": "a", "value": "70332", "taxonomy_term": {"id": "t", "code": "bureautique", "name": "Bureautique",
                                                        "description": "", "taxonomy_id": TOPICS_TAXONOMY_ID}},
        {"id": "b", "taxonomy_term": {"id": "u", "code": "workplace", "name": "Travail", "description": "",
                                      "taxonomy_detail": {"id": BUILDING_BLOCKS_TAXONOMY_ID, "name": "x"}}},
    ]  # fmt: skip
    record = one_record([service(attributes=attributes)])
    assert (record.topics, record.formacodes, record.building_blocks) == (["bureautique"], ["70332"], ["workplace"])


EVENING = {"opens_at": "18:00", "closes_at": "19:00"}
PLUS_3 = timezone(timedelta(hours=3))


def spans(days: list[str], opens: str, closes: str, zone: Any = PARIS) -> list[tuple[datetime, datetime]]:
    return [(at(day, opens, zone), at(day, closes, zone)) for day in days]


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"dtstart": "2026-06-01", "opens_at": "22:00", "closes_at": "01:00"},
         [(at("2026-06-01", "22:00"), at("2026-06-02", "01:00"))]),
        ({"valid_from": "2026-06-01", "valid_to": "2026-06-03", "opens_at": "09:00", "closes_at": "17:00"},
         [(at("2026-06-01", "09:00"), at("2026-06-03", "17:00"))]),
        ({"dtstart": "2026-06-01", "opens_at": "09:00:00+02:00", "closes_at": "10:00:00"},
         spans(["2026-06-01"], "09:00", "10:00")),
        ({"dtstart": "2026-01-05", "timezone": 3, "opens_at": "09:00", "closes_at": "10:00"},
         spans(["2026-01-05"], "09:00", "10:00", PLUS_3)),
        ({"dtstart": "2026-06-01", "freq": "WEEKLY", "byday": "MO,WE", "count": 3} | EVENING,
         spans(["2026-06-01", "2026-06-03", "2026-06-08"], "18:00", "19:00")),
        ({"dtstart": "2026-01-01", "freq": "MONTHLY", "byday": "1TH", "until": "2026-03-31"} | EVENING,
         spans(["2026-01-01", "2026-02-05", "2026-03-05"], "18:00", "19:00")),
        ({"dtstart": "2026-06-01", "freq": "WEEKLY", "interval": 2, "valid_from": "2026-06-10",
          "valid_to": "2026-06-30"} | EVENING,
         spans(["2026-06-15", "2026-06-29"], "18:00", "19:00")),
        ({"dtstart": "2026-06-01", "description": "Open on weekdays"}, []),
    ],
    ids=["overnight", "several days", "offset in the time", "other offset", "weekly count", "monthly",
         "every other week within validity", "no times"],
)  # fmt: skip
def test_it_turns_schedules_into_sessions(schedule: dict[str, Any], expected: list[tuple[datetime, datetime]]) -> None:
    record = one_record([service(schedules=[{"id": "s"} | schedule])])
    assert [(session.start, session.end) for session in record.sessions] == expected


weekly_rules = st.fixed_dictionaries({"freq": st.just("WEEKLY"), "byday": st.sets(st.sampled_from(DAYS), min_size=1)})
monthly_rules = (
    st.fixed_dictionaries({"freq": st.just("MONTHLY")})
    | st.fixed_dictionaries(
        {"freq": st.just("MONTHLY"), "bymonthday": st.sets(st.integers(1, 28) | st.integers(-28, -1), min_size=1)}
    )
    | st.fixed_dictionaries(
        {"freq": st.just("MONTHLY"), "byday": st.sets(st.sampled_from(["1MO", "2TU", "-1FR", "4SU"]), min_size=1)}
    )
)  # never plain and numbered days together: dateutil then keeps the days that are both, RFC 5545 either


@settings(max_examples=60, deadline=None)
@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    weekly_rules | monthly_rules,
    st.integers(1, 3),
    st.sampled_from(["MO", "SU"]),
    st.integers(1, 400),
)
def test_it_expands_rules_as_dateutil_does(
    first: date, parts: dict[str, Any], interval: int, wkst: str, days: int
) -> None:
    """Our bounded expansion agrees with dateutil's on rules that always match."""
    last = first + timedelta(days=days)
    days_of_week = sorted(parts.get("byday", []))
    rule = Rule(first=first, frequency=parts["freq"], interval=interval, last=last, wkst=wkst,
                byday=days_of_week, bymonthday=sorted(parts.get("bymonthday", [])))  # fmt: skip
    weekdays = [getattr(rrule, day[-2:])(int(day[:-2])) if day[:-2] else getattr(rrule, day) for day in days_of_week]
    expected = rrule.rrule(
        rrule.WEEKLY if parts["freq"] == "WEEKLY" else rrule.MONTHLY,
        dtstart=datetime.combine(first, time()), until=datetime.combine(last, time()), interval=interval,
        wkst=getattr(rrule, wkst), byweekday=weekdays or None, bymonthday=rule.bymonthday or None,
    )  # fmt: skip
    assert list(rule_days(rule)) == [moment.date() for moment in expected]


def test_a_rule_that_never_matches_costs_nothing() -> None:
    schedule = {"id": "s", "dtstart": "2026-01-01", "until": "2035-12-31", "freq": "MONTHLY", "bymonthday": "31",
                "byweekno": "2"} | EVENING  # fmt: skip
    started = perf_counter()
    assert one_record([service(schedules=[schedule])]).sessions == []
    assert perf_counter() - started < 0.5


def test_a_rule_without_an_end_runs_for_one_year() -> None:
    schedule = {"id": "s", "dtstart": "2026-01-05", "freq": "WEEKLY", "opens_at": "10:00", "closes_at": "11:00"}
    record = one_record([service(schedules=[schedule])])
    assert len(record.sessions) == 53
    assert record.sessions[-1].start == at("2027-01-04", "10:00")


def test_the_same_schedule_under_the_service_and_its_location_counts_once() -> None:
    both = service()
    both["service_at_locations"][0]["schedules"] = copy.deepcopy(both["schedules"])
    assert len(one_record([both]).sessions) == 4


def test_a_service_without_schedules_has_no_sessions() -> None:
    assert one_record([service(schedules=None)]).sessions == []


# The shapes a file may take ------------------------------------------------------------------------


def test_it_reads_a_single_service_an_api_page_and_organizations_with_services() -> None:
    first, second = services()
    assert one_record(first).external_id == first["id"]
    page = {"total_items": 2, "total_pages": 1, "page_number": 1, "size": 2, "first_page": True,
            "last_page": True, "empty": False, "contents": [first, second]}  # fmt: skip
    assert [item.external_id for item in read(page)] == [first["id"], second["id"]]
    organization = first.pop("organization") | {"services": [first, second]}
    found = read([organization])
    assert [(item.line, item.organisation.name) for item in found] == [  # type: ignore[union-attr]
        (1, "Médiathèque des Rives"),
        (2, "Langues pour tous"),  # its own organization wins over the one it is listed under
    ]


def test_it_reads_the_official_examples_and_names_what_cannot_be_imported() -> None:
    error = one_error(example("service_full.json"))
    assert (error.line, error.field, error.external_id) == (
        1,
        "cost_options[0].currency",
        "ac148810-d857-441c-9679-408f346de14b",
    )
    assert error.reason == "Prices must be in euros (EUR); this one is in gbp."
    full = example("service_full.json")
    full["cost_options"][0]["currency"] = "EUR"
    record = one_record(full)
    assert (record.title_fr, record.title_en) == ("Community Counselling", "MyCity Counselling Services")
    assert (record.age_min, record.age_max, record.price, record.languages) == (12, 100, Decimal("35.0"), ["ur"])
    assert record.organisation is not None
    assert (record.organisation.name, record.organisation.phone) == ("Example Organization Inc.", "+44 1234 234567")
    assert record.venue is not None
    assert (record.venue.name, record.venue.address, record.venue.postcode) == (
        "MyCity Civic Center", "1-30 Main Street, MyVillage", "ABC 1234",
    )  # fmt: skip
    assert (record.venue.hearing_loop, record.venue.step_free_access) == (True, True)
    assert record.sessions == [], "its rule (Thursdays and Fridays until 1 January 2005, from a Saturday) never occurs"
    assert record.extra["status"] == "active"
    assert [item.title_fr for item in read(example("service_list.json"))] == ["Community Counselling"]  # type: ignore[union-attr]
    organisation = read(example("organization_full.json"))
    assert [(item.field, item.line) for item in organisation] == [("cost_options[0].currency", 1)]  # type: ignore[union-attr]


# Rows that cannot be read --------------------------------------------------------------------------


def on(day: str | None = "2026-06-01", **fields: Any) -> dict[str, Any]:
    """A service with one schedule from `day`, 18:00 to 19:00, changed by `fields`."""
    return {"schedules": [{"id": "s", "dtstart": day} | EVENING | fields]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": None}, "id"),
        ({"name": ""}, "name"),
        ({"name": ["a"]}, "name"),
        ({"minimum_age": "abc"}, "minimum_age"),
        ({"minimum_age": 12.5}, "minimum_age"),
        ({"maximum_age": -1}, "maximum_age"),
        ({"maximum_age": True}, "maximum_age"),
        ({"organization": "Médiathèque"}, "organization"),
        ({"cost_options": [{"id": "c", "currency": "EUR", "amount": -5}]}, "cost_options[0].amount"),
        ({"cost_options": [{"id": "c", "amount": "cinq"}]}, "cost_options[0].amount"),
        ({"languages": {"code": "fr"}}, "languages"),
        (on(opens_at="18h"), "schedules[0].opens_at"),
        (on(closes_at=None), "schedules[0].closes_at"),
        (on(day=None), "schedules[0].dtstart"),
        (on(day="01/06/2026"), "schedules[0].dtstart"),
        (on(day="9999-12-31", freq="WEEKLY"), "schedules[0].dtstart"),
        (on(freq="WEEKLY", byday="1MO"), "schedules[0].byday"),
        (on(freq="DAILY"), "schedules[0].freq"),
        (on(freq="WEEKLY", byday="Monday"), "schedules[0].byday"),
        (on(freq="WEEKLY", bymonthday="0"), "schedules[0].bymonthday"),
        (on(freq="WEEKLY", interval=0), "schedules[0].interval"),
        (on(wkst="XX"), "schedules[0].wkst"),
        (on(timezone=99), "schedules[0].timezone"),
        (on(freq="WEEKLY", byday="MO,TU,WE,TH,FR,SA,SU"), "schedules[0]"),
        (on(freq="MONTHLY", until="2046-06-01"), "schedules[0]"),
        ({"service_at_locations": [{"id": "l", "location": {"id": "x", "latitude": "north"}}]},
         "service_at_locations[0].location.latitude"),
        ({"attributes": [{"id": "a", "taxonomy_term": {"code": 5, "name": {"fr": "x"}}}]},
         "attributes[0].taxonomy_term.name"),
    ],
)  # fmt: skip
def test_it_rejects_a_row_naming_the_field_it_cannot_read(changes: dict[str, Any], field: str) -> None:
    error = one_error(service(**changes))
    assert error.field == field
    assert error.reason
    assert error.line == 1


def test_it_says_how_many_sessions_are_too_many() -> None:
    schedule = {"id": "s", "dtstart": "2026-01-01", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU",
                "opens_at": "08:00", "closes_at": "09:00"}  # fmt: skip
    error = one_error(service(schedules=[schedule]))
    assert error.reason == f"A schedule may give at most {MAX_OCCURRENCES} sessions."


def test_it_refuses_a_field_longer_than_the_limit_and_names_it() -> None:
    [error] = read([service(description="x" * 101)], max_field_chars=100)
    assert isinstance(error, RowError)
    assert (error.field, error.reason) == ("description", "This value is longer than 100 characters.")


def test_one_bad_service_does_not_hide_the_others() -> None:
    first, second = services()
    found = read([first, "not a service", second | {"minimum_age": "x"}])
    assert [type(item).__name__ for item in found] == ["OpportunityRecord", "RowError", "RowError"]
    assert [item.line for item in found] == [1, 2, 3]


def nested(depth: int) -> Any:
    """A list in a list in a list..., `depth` deep."""
    value: Any = []
    for _level in range(depth):
        value = [value]
    return value


# Files that cannot be read -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not json", "This file is not valid JSON (line 1, column 1): is it complete?"),
        (FIXTURE.read_bytes()[:500], "is it complete?"),
        ("[{\"name\": \"Café\"}]".encode("latin-1"), "This file is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (json.dumps({"a": nested(70)}).encode(), "nested too deeply"),
        (b'[{"id": "a", "minimum_age": NaN}]', "a number that cannot be read"),
        (b'"a service"', "An HSDS file holds a service"),
        (b"42", "An HSDS file holds a service"),
    ],
    ids=["not json", "truncated", "latin-1", "deep arrays", "deep in an object", "NaN", "a string", "a number"],
)  # fmt: skip
def test_it_refuses_files_it_cannot_read_with_a_clear_reason(content: bytes, reason: str) -> None:
    with pytest.raises(FileRejected) as rejected:
        read(content)
    assert reason in rejected.value.reason


def test_it_accepts_a_byte_order_mark() -> None:
    assert len(read(b"\xef\xbb\xbf" + FIXTURE.read_bytes())) == 2


def test_it_refuses_more_services_than_the_limit_says() -> None:
    with pytest.raises(FileRejected, match=r"^This file holds 2 services; at most 1 can be imported at once\.$"):
        read(services(), max_rows=1)


# Whatever arrives, never a crash -------------------------------------------------------------------

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = [
    "id",
    "name",
    "alternate_name",
    "description",
    "minimum_age",
    "maximum_age",
    "organization",
    "services",
    "service_at_locations",
    "location",
    "location_type",
    "latitude",
    "addresses",
    "schedules",
    "freq",
    "byday",
    "dtstart",
    "valid_from",
    "valid_to",
    "until",
    "count",
    "interval",
    "opens_at",
    "closes_at",
    "timezone",
    "cost_options",
    "amount",
    "currency",
    "attributes",
    "taxonomy_term",
    "code",
    "languages",
    "contents",
]
ODD_TEXTS = ["2026-03-17", "18:00", "WEEKLY", "MONTHLY", "MO,1TH,-1FR", "EUR", "physical", "virtual", "1e308"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(ODD_TEXTS),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=6),
    max_leaves=25,
)  # fmt: skip


def outcome(data: bytes) -> Iterator[Parsed]:
    """Parse, accepting only records, row errors or a FileRejected."""
    try:
        found = read(data)
    except FileRejected as rejected:
        reason = rejected.reason
        assert reason, "a refusal always says why"
        return
    for item in found:
        assert isinstance(item, OpportunityRecord | RowError)
        if isinstance(item, RowError):
            assert item.reason
            assert isinstance(item.field, str)
        else:
            assert all(session.start.tzinfo and session.end > session.start for session in item.sessions)
            json.dumps(item.extra)
        yield item


@FUZZ
@given(st.binary(max_size=300))
def test_it_never_crashes_on_arbitrary_bytes(data: bytes) -> None:
    list(outcome(data))


@FUZZ
@given(json_values)
def test_it_never_crashes_on_arbitrary_json(value: Any) -> None:
    list(outcome(json.dumps(value).encode()))


SCHEDULE_KEYS = ["dtstart", "valid_from", "valid_to", "until", "count", "interval", "freq", "byday", "bymonthday",
                 "byweekno", "byyearday", "wkst", "opens_at", "closes_at", "timezone"]  # fmt: skip
schedule_values = json_values | st.sampled_from(["1MO,-1FR", "31", "-53,2", "366", "SU", "23:59:59", "9999-12-31"])


@FUZZ
@given(
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8),
    st.dictionaries(st.sampled_from(SCHEDULE_KEYS), schedule_values, max_size=8),
    st.integers(0, 1),
)
def test_it_never_crashes_on_services_with_odd_values(
    changes: dict[str, Any], schedule: dict[str, Any], which: int
) -> None:
    item = services()[which]
    item["schedules"] = [item["schedules"][0] | schedule]
    list(outcome(json.dumps([item | changes]).encode()))


GOOD_FILE = FIXTURE.read_bytes().rstrip()


@FUZZ
@given(st.integers(1, len(GOOD_FILE) - 1))
def test_it_refuses_any_truncation_of_a_good_file(cut: int) -> None:
    with pytest.raises(FileRejected):
        read(GOOD_FILE[:cut])

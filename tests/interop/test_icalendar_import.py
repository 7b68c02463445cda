"""iCalendar import: events, repetitions, time zones and all-day events, what is refused, and a full import."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from learningcity.catalogue.models import Opportunity, Venue
from learningcity.interop.formats import icalendar as ics
from learningcity.interop.formats import parser_for
from learningcity.interop.pipeline import run_import
from learningcity.interop.records import FileRejected, OpportunityRecord, ParseOptions, RowError
from tests.factories import World
from tests.interop.conftest import database_state

FIXTURE = Path(__file__).parent / "fixtures" / "ics_library_agenda.ics"
PARIS = ZoneInfo("Europe/Paris")


def calendar(*events: str) -> bytes:
    """A calendar holding these VEVENT bodies (property lines)."""
    body = "".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT\n" for event in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{body}END:VCALENDAR\n".replace("\n", "\r\n").encode()


def read(content: bytes, **options: Any) -> list[OpportunityRecord | RowError]:
    return list(ics.parse(content, ParseOptions(**options)))


def record(*lines: str, **options: Any) -> OpportunityRecord:
    [found] = read(calendar("\n".join(lines)), **options)
    assert isinstance(found, OpportunityRecord), found
    return found


def error(*lines: str) -> RowError:
    [found] = read(calendar("\n".join(lines)))
    assert isinstance(found, RowError), found
    return found


def local_times(found: OpportunityRecord) -> list[tuple[str, str]]:
    return [
        (session.start.astimezone(PARIS).strftime("%Y-%m-%d %H:%M"), session.end.astimezone(PARIS).strftime("%H:%M"))
        for session in found.sessions
    ]


def fixture_records() -> dict[str, OpportunityRecord]:
    found = read(FIXTURE.read_bytes())
    assert all(isinstance(item, OpportunityRecord) for item in found), found
    return {item.external_id: item for item in found if isinstance(item, OpportunityRecord)}


# What an event becomes ----------------------------------------------------------------------------


def test_it_is_the_format_registered_as_ics() -> None:
    assert parser_for("ics") is ics.parse


def test_a_weekly_club_keeps_its_local_hour_skips_its_exception_and_follows_a_moved_date() -> None:
    club = fixture_records()["club-lecture-2027@bibliotheques.testville.fr"]

    assert club.line == 1
    assert club.title_fr == "Club de lecture ado"
    assert club.description_fr == "Chaque mardi, on partage ses lectures du moment.\nGoûter offert."
    assert club.kind == "club"
    assert club.keywords == ["Lecture", "Adolescents", "club"]
    assert club.url == "https://bibliotheques.testville.fr/agenda/club-lecture-ado"
    # 23 March is excluded; the 6 April meeting moved to Wednesday 7 April at 17:00; the clocks change on 28 March.
    assert local_times(club) == [
        ("2027-03-09 18:00", "19:30"),
        ("2027-03-16 18:00", "19:30"),
        ("2027-03-30 18:00", "19:30"),
        ("2027-04-07 17:00", "18:30"),
        ("2027-04-13 18:00", "19:30"),
    ]
    assert club.sessions[0].start == datetime(2027, 3, 9, 17, tzinfo=UTC)
    assert club.sessions[2].start == datetime(2027, 3, 30, 16, tzinfo=UTC)
    venue = club.venue
    assert venue is not None
    assert (venue.name, venue.address, venue.postcode) == (
        "Bibliothèque des Rives",
        "12 quai Paul-Bert, 37000 Testville",
        "37000",
    )
    assert (venue.latitude, venue.longitude) == (47.3941, 0.6848)
    assert club.organisation is not None
    assert (club.organisation.name, club.organisation.email) == (
        "Bibliothèques de Testville",
        "bibliotheques@testville.fr",
    )
    assert club.extra["rrule"] == ["FREQ=WEEKLY;UNTIL=20270413T220000Z;BYDAY=TU"]


def test_an_all_day_event_runs_from_midnight_to_midnight_local_time() -> None:
    nights = fixture_records()["nuit-lecture-2027@bibliotheques.testville.fr"]

    assert nights.line == 3
    assert [(session.start, session.end) for session in nights.sessions] == [
        (datetime(2027, 1, 22, tzinfo=PARIS), datetime(2027, 1, 24, tzinfo=PARIS))
    ]
    assert (
        nights.description_fr == "Deux jours de lectures, contes et jeux pour tous.\n\nProgramme complet sur le site."
    )
    assert nights.organisation is None


def test_a_utc_event_keeps_its_instant_and_english_text_goes_to_english_fields() -> None:
    talk = fixture_records()["conference-numerique@bibliotheques.testville.fr"]

    assert [(session.start, session.end) for session in talk.sessions] == [
        (datetime(2027, 2, 15, 17, 30, tzinfo=UTC), datetime(2027, 2, 15, 19, tzinfo=UTC))
    ]
    assert local_times(talk) == [("2027-02-15 18:30", "20:00")]
    assert (talk.title_fr, talk.title_en, talk.kind) == ("", "Talk: living with screens", "talk")
    assert talk.description_en == "A researcher on families and screens answers your questions."


def test_a_floating_time_is_local_to_the_city() -> None:
    found = record("UID:f", "SUMMARY:Atelier", "DTSTART:20270601T100000", "DTEND:20270601T120000")
    helsinki = record(
        "UID:f", "SUMMARY:Atelier", "DTSTART:20270601T100000", "DTEND:20270601T120000", time_zone="Europe/Helsinki"
    )

    assert found.sessions[0].start == datetime(2027, 6, 1, 8, tzinfo=UTC)
    assert helsinki.sessions[0].start == datetime(2027, 6, 1, 7, tzinfo=UTC)


def test_a_windows_zone_name_is_understood_and_an_unknown_zone_is_local_time() -> None:
    windows = record("UID:w", "SUMMARY:A", "DTSTART;TZID=Romance Standard Time:20270601T100000", "DURATION:PT1H")
    unknown = record("UID:u", "SUMMARY:A", "DTSTART;TZID=Nowhere/Land:20270601T100000", "DURATION:PT1H")

    assert windows.sessions[0].start == unknown.sessions[0].start == datetime(2027, 6, 1, 8, tzinfo=UTC)


def test_html_only_in_x_alt_desc_is_made_text() -> None:
    found = record(
        "UID:h",
        "SUMMARY:Atelier",
        "DTSTART:20270601T100000Z",
        "DURATION:PT2H",
        "X-ALT-DESC;FMTTYPE=text/html:<p>Bonjour <b>à tous</b></p><script>alert(1)</script>",
    )

    assert found.description_fr == "Bonjour à tous"
    assert found.sessions[0].end == datetime(2027, 6, 1, 12, tzinfo=UTC)


def test_rdates_add_occurrences_and_a_date_rule_repeats_whole_days() -> None:
    found = record(
        "UID:r",
        "SUMMARY:Stage d'été",
        "DTSTART;VALUE=DATE:20270705",
        "RRULE:FREQ=DAILY;COUNT=3",
        "EXDATE;VALUE=DATE:20270706",
        "RDATE;VALUE=DATE:20270712",
    )

    assert [session.start.date().isoformat() for session in found.sessions] == [
        "2027-07-05",
        "2027-07-07",
        "2027-07-12",
    ]
    assert all((session.end - session.start).days == 1 for session in found.sessions)


def test_a_cancelled_occurrence_is_left_out() -> None:
    content = calendar(
        "UID:c\nSUMMARY:Cours\nDTSTART;TZID=Europe/Paris:20270104T180000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=3",
        "UID:c\nRECURRENCE-ID;TZID=Europe/Paris:20270111T180000\nDTSTART;TZID=Europe/Paris:20270111T180000\n"
        "DURATION:PT1H\nSTATUS:CANCELLED\nSUMMARY:Cours",
    )

    [found] = read(content)

    assert isinstance(found, OpportunityRecord)
    assert [session.start.day for session in found.sessions] == [4, 18]


def test_moved_occurrences_without_their_series_are_sessions_of_one_listing() -> None:
    content = calendar(
        "UID:o\nRECURRENCE-ID:20270104T170000Z\nDTSTART:20270105T170000Z\nDTEND:20270105T180000Z\nSUMMARY:Cours",
        "UID:o\nRECURRENCE-ID:20270111T170000Z\nDTSTART:20270112T170000Z\nDTEND:20270112T180000Z\nSUMMARY:Cours",
    )

    [found] = read(content)

    assert isinstance(found, OpportunityRecord)
    assert [session.start.day for session in found.sessions] == [5, 12]


# What an event cannot be --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        (["UID:x", "SUMMARY:Atelier"], "DTSTART", "no start"),
        (["UID:x", "SUMMARY:Atelier", "DTSTART:lundi"], "DTSTART", "cannot be read"),
        (["UID:x", "SUMMARY:Atelier", "DTSTART:20270601T100000Z"], "DTEND", "no end"),
        (["UID:x", "SUMMARY:Atelier", "DTSTART:20270601T100000Z", "DTEND:20270601T090000Z"], "DTEND", "ends before"),
        (["UID:x", "DTSTART:20270601T100000Z", "DURATION:PT1H"], "SUMMARY", "no title"),
        (
            ["UID:x", "SUMMARY:A", "DTSTART:20270601T100000Z", "DURATION:PT1H", "STATUS:CANCELLED"],
            "STATUS",
            "cancelled",
        ),
        (["UID:x", "SUMMARY:A", "DTSTART:20270601T100000Z", "DURATION:PT1H", "GEO:91;0"], "GEO", "not on Earth"),
        (["UID:x", "SUMMARY:A", "DTSTART:20270601T100000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY"], "RRULE", "366"),
        (
            ["UID:x", "SUMMARY:A", "DTSTART:20270601T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=400"],
            "RRULE",
            "366",
        ),
        (
            ["UID:x", "SUMMARY:A", "DTSTART:20270601T100000Z", "DURATION:PT1H", "RRULE:FREQ=MINUTELY;COUNT=3"],
            "RRULE",
            "every hour",
        ),
        (["UID:x", "SUMMARY:A", "DTSTART:20270601T100000Z", "DURATION:PT1H", "RRULE:FREQ=NEVER"], "RRULE", "read"),
        (["UID:x", "SUMMARY:A", "DTSTART:20270601T100000Z", "DURATION:PT1H", "EXDATE:jamais"], "EXDATE", "read"),
        (["UID:x", "SUMMARY:A", "DTSTART:18000601T100000Z", "DURATION:PT1H"], "DTSTART", "plausible"),
    ],
)
def test_an_event_that_cannot_be_read_is_a_row_error_naming_the_property(
    lines: list[str], field: str, words: str
) -> None:
    found = error(*lines)

    assert (found.line, found.field, found.external_id) == (1, field, "x")
    assert words in found.reason


def test_the_line_of_an_error_is_the_position_of_the_event_in_the_file() -> None:
    content = calendar(
        "UID:a\nSUMMARY:A\nDTSTART:20270601T100000Z\nDURATION:PT1H",
        "SUMMARY:Sans identifiant\nDTSTART:20270601T100000Z\nDURATION:PT1H",
        "UID:c\nSUMMARY:Sans début",
        "UID:a\nSUMMARY:A encore\nDTSTART:20270602T100000Z\nDURATION:PT1H",
    )

    found = read(content)

    assert [(item.line, type(item).__name__, getattr(item, "field", "")) for item in found] == [
        (1, "OpportunityRecord", ""),
        (2, "RowError", "UID"),
        (3, "RowError", "DTSTART"),
        (4, "RowError", "UID"),
    ]


def test_a_uid_too_long_to_keep_is_refused() -> None:
    [found] = read(calendar(f"UID:{'x' * 256}\nSUMMARY:A\nDTSTART:20270601T100000Z\nDURATION:PT1H"))

    assert isinstance(found, RowError)
    assert (found.field, found.reason) == ("UID", "An identifier may have at most 255 characters.")


def test_a_text_longer_than_the_limit_rejects_its_event() -> None:
    [found] = read(
        calendar(f"UID:x\nSUMMARY:{'a' * 2000}\nDTSTART:20270601T100000Z\nDURATION:PT1H"), max_field_chars=1000
    )

    assert isinstance(found, RowError)
    assert (found.field, found.reason) == ("SUMMARY", "This field is longer than 1000 characters.")


# What is not a calendar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"Bonjour, voici notre programme.", "not an iCalendar file"),
        (b'[{"uid": 1}]', "not an iCalendar file"),
        (b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "not an iCalendar file"),
        ("BEGIN:VCALENDAR\r\nSUMMARY:Fête\r\nEND:VCALENDAR\r\n".encode("latin-1"), "not UTF-8"),
        (b"BEGIN:VCALENDAR\r\n\x00garbage line\r\nEND:VCALENDAR\r\n", "cannot be read"),
    ],
)
def test_a_file_that_is_not_a_calendar_is_rejected_with_a_reason(content: bytes, words: str) -> None:
    with pytest.raises(FileRejected) as rejected:
        read(content)

    assert words in rejected.value.reason


def test_a_calendar_with_more_events_than_allowed_is_rejected() -> None:
    with pytest.raises(FileRejected, match="more than 3 events"):
        read(FIXTURE.read_bytes(), max_rows=3)


def test_a_calendar_whose_rules_take_too_long_to_expand_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ics, "EXPANSION_SECONDS", 0.0)

    with pytest.raises(FileRejected, match="take too long"):
        read(FIXTURE.read_bytes())


# Through the pipeline ----------------------------------------------------------------------------


def import_calendar(world: World, content: bytes, **options: Any) -> Any:
    return run_import(
        city=world.city,
        format="ics",
        content=content,
        organisation=world.org_a,
        by=world.users["provider_staff"],
        dry_run=False,
        **options,
    )


@pytest.mark.django_db
def test_a_calendar_is_imported_then_reimporting_it_changes_nothing(world: World) -> None:
    known = Venue.objects.create(
        city=world.city, name="Bibliothèque des Rives", address="12 quai Paul-Bert", latitude=47.3942, longitude=0.6847
    )

    first = import_calendar(world, FIXTURE.read_bytes())

    assert first.committed, first.rows
    assert first.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    club = Opportunity.objects.get(source_records__external_id="club-lecture-2027@bibliotheques.testville.fr")
    assert (club.organisation, club.venue, club.status) == (world.org_a, known, "draft")
    sessions = list(club.sessions.order_by("start"))
    assert [session.start.astimezone(PARIS).strftime("%d/%m %H:%M") for session in sessions] == [
        "09/03 18:00",
        "16/03 18:00",
        "30/03 18:00",
        "07/04 17:00",
        "13/04 18:00",
    ]
    assert {session.time_zone for session in sessions} == {"Europe/Paris"}
    nights = Opportunity.objects.get(title_fr="Nuits de la lecture")
    [night] = nights.sessions.all()
    assert (night.start, night.end) == (datetime(2027, 1, 21, 23, tzinfo=UTC), datetime(2027, 1, 23, 23, tzinfo=UTC))
    before = database_state()

    again = import_calendar(world, FIXTURE.read_bytes())

    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert database_state() == before


@pytest.mark.django_db
def test_a_changed_event_is_updated_and_its_place_matched_again(world: World) -> None:
    import_calendar(world, FIXTURE.read_bytes())
    before = database_state()
    changed = FIXTURE.read_bytes().replace(b"SUMMARY:Nuits de la lecture", b"SUMMARY:Nuits de la lecture 2027")

    result = import_calendar(world, changed)

    assert result.counts == {"created": 0, "updated": 1, "unchanged": 2, "rejected": 0}
    assert Opportunity.objects.filter(title_fr="Nuits de la lecture 2027").count() == 1
    assert database_state() == before


@pytest.mark.django_db
def test_an_event_without_start_blocks_the_import_and_nothing_is_written(world: World) -> None:
    before = database_state()
    broken = FIXTURE.read_bytes().replace(b"DTSTART;VALUE=DATE:20270122\r\n", b"")

    result = import_calendar(world, broken)

    assert not result.committed
    assert database_state() == before
    [rejected] = [row for row in result.rows if row["outcome"] == "rejected"]
    assert rejected["line"] == 3
    assert rejected["errors"] == [{"field": "DTSTART", "reason": "The event has no start (DTSTART)."}]

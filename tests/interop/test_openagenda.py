"""OpenAgenda / OpenDataSoft JSON: what each event becomes, what is refused, and a full import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from learningcity.catalogue.models import Opportunity, Organisation, Venue
from learningcity.interop.formats import parser_for
from learningcity.interop.formats.openagenda import guess_kind, parse
from learningcity.interop.pipeline import run_import
from learningcity.interop.records import FileRejected, OpportunityRecord, ParseOptions, RowError
from tests.factories import World
from tests.interop.conftest import database_state

FIXTURE = Path(__file__).parent / "fixtures" / "openagenda_events.json"
PARIS = ZoneInfo("Europe/Paris")


def events() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return loaded


def read(content: bytes | list[Any] | dict[str, Any], **options: Any) -> list[OpportunityRecord | RowError]:
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    return list(parse(data, ParseOptions(**options)))


def records(content: bytes | list[Any] | dict[str, Any], **options: Any) -> list[OpportunityRecord]:
    found = read(content, **options)
    assert all(isinstance(item, OpportunityRecord) for item in found), found
    return [item for item in found if isinstance(item, OpportunityRecord)]


def one_error(event: dict[str, Any]) -> RowError:
    [found] = read([event])
    assert isinstance(found, RowError), found
    return found


def event(**fields: Any) -> dict[str, Any]:
    """The first event of the fixture with some fields changed."""
    values = events()[0]
    values.update(fields)
    return values


# What an event becomes ----------------------------------------------------------------------------


def test_it_is_the_format_registered_as_openagenda() -> None:
    assert parser_for("openagenda") is parse


def test_it_reads_a_workshop_with_its_dates_place_and_provider() -> None:
    workshop = records(FIXTURE.read_bytes())[0]

    assert (workshop.line, workshop.external_id) == (1, "48213157")
    assert workshop.title_fr == "Atelier d'écriture : raconter sa ville"
    assert workshop.description_fr == (
        "Un atelier pour écrire sur les lieux que l'on aime.\n\n"
        "Animé par Claire Dumas, autrice.\n\n• Apportez un carnet\n\n• Aucun niveau requis"
    )
    assert "alert" not in workshop.description_fr
    assert workshop.kind == "workshop"
    assert (workshop.age_min, workshop.age_max) == (12, None)
    assert workshop.is_free is True
    assert workshop.keywords == ["atelier", "écriture", "patrimoine"]
    assert workshop.registration_required is True
    assert workshop.registration_url == "https://bibliotheques.testville.fr/inscriptions/atelier-ecriture"
    assert workshop.url.startswith("https://openagenda.com/bibliotheques-testville/events/")
    assert workshop.extra["registration"] == ["bibliotheques@testville.fr"]
    assert [(session.start.isoformat(), session.end.isoformat()) for session in workshop.sessions] == [
        ("2027-03-20T14:00:00+01:00", "2027-03-20T16:30:00+01:00"),
        ("2027-04-03T14:00:00+02:00", "2027-04-03T16:30:00+02:00"),
    ]
    venue = workshop.venue
    assert venue is not None
    assert (venue.name, venue.address, venue.postcode, venue.district) == (
        "Bibliothèque des Rives",
        "12 quai Paul-Bert, 37000 Testville",
        "37000",
        "Les Rives",
    )
    assert (venue.latitude, venue.longitude, venue.external_id) == (47.3941, 0.6848, "61580229")
    assert venue.step_free_access is True
    assert workshop.organisation is not None
    assert (workshop.organisation.name, workshop.organisation.external_id) == ("Bibliothèques de Testville", "25491237")


def test_it_reads_an_event_without_timings_from_its_first_and_last_dates() -> None:
    talk = records(FIXTURE.read_bytes())[1]

    assert talk.kind == "talk"
    assert [(session.start.isoformat(), session.end.isoformat()) for session in talk.sessions] == [
        ("2027-05-12T18:30:00+02:00", "2027-05-12T20:00:00+02:00")
    ]
    assert talk.keywords == ["histoire", "Loire", "conférence"]
    assert (talk.is_free, talk.price, talk.reduced_price) == (False, Decimal(8), Decimal(5))
    assert talk.languages == ["fr"]
    assert talk.venue is not None
    assert (talk.venue.latitude, talk.venue.longitude, talk.venue.postcode) == (47.3962, 0.6891, "37000")
    assert talk.registration_required is None


def test_it_keeps_both_languages_and_joins_short_and_long_descriptions() -> None:
    robots = records(FIXTURE.read_bytes())[2]

    assert (robots.title_fr, robots.title_en) == ("Robots en famille", "Robots for families")
    assert robots.description_fr == "Programmez un petit robot avec vos enfants."
    assert robots.description_en == "Program a small robot with your children."
    assert (robots.age_min, robots.age_max, robots.is_free) == (6, 12, True)
    assert robots.registration_url == "https://fetedelascience.testville.fr/robots"
    assert len(robots.sessions) == 3


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda items: {"nhits": len(items), "records": [{"fields": item} for item in items]}, id="v1"),
        pytest.param(lambda items: {"records": [{"record": {"id": "x", "fields": item}} for item in items]}, id="v2.0"),
        pytest.param(lambda items: {"total_count": len(items), "results": items}, id="v2.1"),
        pytest.param(
            lambda items: {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": item} for item in items],
            },
            id="geojson",
        ),
    ],
)
def test_it_reads_the_opendatasoft_api_shapes_alike(wrap: Any) -> None:
    expected = [record.fingerprint() for record in records(FIXTURE.read_bytes())]

    assert [record.fingerprint() for record in records(wrap(events()))] == expected


def test_it_reads_json_lines_and_reports_a_broken_line_by_its_number() -> None:
    lines = [json.dumps(item) for item in events()]
    content = "\n".join([lines[0], "", lines[1], '{"uid": "cut', lines[2]]).encode()

    found = read(content)

    assert [(item.line, type(item).__name__) for item in found] == [
        (1, "OpportunityRecord"),
        (3, "OpportunityRecord"),
        (4, "RowError"),
        (5, "OpportunityRecord"),
    ]
    assert isinstance(found[2], RowError)
    assert "not valid JSON" in found[2].reason


def test_a_local_time_without_offset_is_in_the_city_time_zone() -> None:
    [record] = records([event(timings=None, firstdate_begin="2027-07-01T10:00:00", lastdate_end="2027-07-01T12:00:00")])

    assert record.sessions[0].start == datetime(2027, 7, 1, 10, tzinfo=PARIS)
    [helsinki] = records(
        [event(timings=None, firstdate_begin="2027-07-01T10:00:00", lastdate_end="2027-07-01T12:00")],
        time_zone="Europe/Helsinki",
    )
    assert helsinki.sessions[0].start == datetime(2027, 7, 1, 7, tzinfo=UTC)


def test_timings_given_as_a_list_and_utc_times_are_read() -> None:
    timings = [{"begin": "2027-06-01T08:00:00Z", "end": "2027-06-01T10:00:00.000Z"}]

    [record] = records([event(timings=timings)])

    assert record.sessions[0].start == datetime(2027, 6, 1, 10, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("coordinates", "expected"),
    [
        ({"lat": 47.5, "lon": 0.7}, (47.5, 0.7)),
        ([47.5, 0.7], (47.5, 0.7)),
        ("47.5, 0.7", (47.5, 0.7)),
        ({"lat": "47.5", "lon": "0.7"}, (47.5, 0.7)),
    ],
)
def test_it_reads_coordinates_in_each_shape(coordinates: Any, expected: tuple[float, float]) -> None:
    [record] = records([event(location_coordinates=coordinates)])

    assert record.venue is not None
    assert (record.venue.latitude, record.venue.longitude) == expected


def test_an_event_with_no_place_and_missing_fields_is_still_read() -> None:
    bare = {"uid": 5, "title_fr": "Rencontre", "location_name": None, "keywords_fr": None, "age_min": None}

    [record] = records([bare])

    assert (record.external_id, record.title_fr, record.venue, record.organisation) == ("5", "Rencontre", None, None)
    assert (record.sessions, record.keywords, record.is_free) == ([], [], None)


def test_an_online_event_has_its_link() -> None:
    [record] = records([event(attendancemode=2, onlineaccesslink="https://visio.testville.fr/atelier")])

    assert (record.mode, record.online_url) == ("online", "https://visio.testville.fr/atelier")


@pytest.mark.parametrize(
    ("languages", "expected"),
    [("fr", ["fr"]), ("fr, en", ["fr", "en"]), (["fr-FR", "en_GB", "fr"], ["fr", "en"]), (None, [])],
)
def test_it_reads_languages_as_codes(languages: Any, expected: list[str]) -> None:
    [record] = records([event(languages=languages)])

    assert record.languages == expected


@pytest.mark.parametrize(
    ("title", "keywords", "kind"),
    [
        ("Atelier d'écriture", [], "workshop"),
        ("Workshop: repair café", [], "workshop"),
        ("Conférence : la Loire", [], "talk"),
        ("Table ronde sur l'emploi", [], "talk"),
        ("Visite guidée du château", [], "guided_visit"),
        ("Cours de français", [], "course"),
        ("Club de lecture", [], "club"),
        ("La Loire en questions", ["Conférence"], "talk"),
        ("Concert du dimanche", ["musique"], ""),
    ],
)
def test_it_guesses_the_kind_from_the_title_then_the_keywords(title: str, keywords: list[str], kind: str) -> None:
    assert guess_kind(title, keywords) == kind


@pytest.mark.parametrize(
    ("conditions", "free", "price", "reduced"),
    [
        ("Gratuit", True, None, None),
        ("Entrée libre", True, None, None),
        ("Free admission", True, None, None),
        ("5 €", False, Decimal(5), None),
        ("Plein tarif : 12,50 euros ; tarif réduit : 6 €", False, Decimal("12.50"), Decimal(6)),
        ("Gratuit pour les moins de 12 ans, 4 € sinon", False, Decimal(4), None),
        ("Sur inscription", None, None, None),
    ],
)
def test_it_reads_the_price_from_the_conditions(
    conditions: str, free: bool | None, price: Decimal | None, reduced: Decimal | None
) -> None:
    [record] = records([event(conditions_fr=conditions)])

    assert (record.is_free, record.price, record.reduced_price) == (free, price, reduced)


def test_an_unsafe_text_is_made_storable() -> None:
    [record] = records([event(title_fr="Atelier\x00 \ud800 nuit")])

    assert record.title_fr == "Atelier ? nuit"


# What an event cannot be --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"uid": None}, "uid", "identifier"),
        ({"uid": True}, "uid", "text"),
        ({"uid": "x" * 256}, "uid", "at most 255"),
        ({"location_uid": "x" * 256}, "location_uid", "at most 255"),
        ({"title_fr": None, "title_en": None}, "title_fr", "no title"),
        ({"title_fr": ["Atelier"]}, "title_fr", "text"),
        ({"age_min": "dès 6 ans"}, "age_min", "whole number"),
        ({"age_max": 7.5}, "age_max", "whole number"),
        ({"timings": "[{begin: demain}]"}, "timings", "readable list"),
        ({"timings": '[{"begin": "2027-03-20T14:00:00+01:00"}]'}, "timings", "begin and an end"),
        ({"timings": '[{"begin": "hier", "end": "demain"}]'}, "timings", "not a date"),
        (
            {"timings": '[{"begin": "2027-03-20T14:00:00+01:00", "end": "2027-03-20T13:00:00+01:00"}]'},
            "timings",
            "ends",
        ),
        ({"timings": '[{"begin": "0001-01-01T00:00:00", "end": "0001-01-01T01:00:00"}]'}, "timings", "plausible"),
        ({"timings": None, "firstdate_begin": "le 3 mars"}, "firstdate_begin", "not a date"),
        ({"location_coordinates": {"lat": 147.4, "lon": 0.7}}, "location_coordinates", "not on Earth"),
        ({"location_coordinates": {"lat": "nord"}}, "location_coordinates", "latitude and a longitude"),
        ({"location_coordinates": [float("nan"), 1]}, "location_coordinates", "latitude and a longitude"),
        ({"keywords_fr": {"a": 1}}, "keywords_fr", "list of words"),
        ({"lang": "français"}, "lang", "language code"),
        ({"registration": [{"type": "link", "value": 42}]}, "registration", "links"),
        ({"attendancemode": 9}, "attendancemode", "attendance mode"),
        ({"location_name": {"fr": "Salle"}}, "location_name", "text"),
        ({"status": 6}, "status", "cancelled"),
        ({"status": "Annulé"}, "status", "cancelled"),
    ],
)
def test_a_field_that_cannot_be_read_rejects_its_event_and_names_the_field(
    changes: dict[str, Any], field: str, words: str
) -> None:
    error = one_error(event(**changes))

    assert (error.line, error.field) == (1, field)
    assert words in error.reason
    assert error.external_id == ("" if field == "uid" else "48213157")


def test_a_field_longer_than_the_limit_rejects_its_event() -> None:
    [error] = read([event(longdescription_fr="<p>" + "long " * 30_000 + "</p>")], max_field_chars=100_000)

    assert isinstance(error, RowError)
    assert (error.field, error.reason) == ("longdescription_fr", "This field is longer than 100000 characters.")


def test_more_dates_than_a_listing_may_hold_reject_the_event() -> None:
    timings = [{"begin": f"2027-01-01T{hour:02d}:00:00Z", "end": f"2027-01-01T{hour:02d}:30:00Z"} for hour in range(24)]

    error = one_error(event(timings=json.dumps(timings * 16)))

    assert (error.field, error.reason) == ("timings", "The event has more than 366 dates.")


def test_an_item_that_is_not_an_object_is_a_row_error_and_the_others_are_read() -> None:
    found = read([events()[0], "not an event", 12])

    assert [type(item).__name__ for item in found] == ["OpportunityRecord", "RowError", "RowError"]
    assert found[1].line == 2


# What is not an OpenAgenda file ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (FIXTURE.read_bytes()[:900], "not valid JSON"),
        (b'[{"uid": "1", "title_fr": "A"}', "line 1, column 31"),
        (b"[" * 50_000, "nested more than 32 levels"),
        (b'[{"uid": "1", "extra": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}]", "nested more than 32 levels"),
        ('[{"title_fr": "Fête"}]'.encode("latin-1"), "not UTF-8"),
        (b'{"events": []}', "not an OpenAgenda export"),
        (b'"just text"', "not an OpenAgenda export"),
        (b"   \n", "empty"),
        (b"<html><body>Not found</body></html>", "not valid JSON"),
        (b"[" + b"1" * 5000 + b"]", "number too long"),
    ],
)
def test_a_file_that_is_not_an_export_is_rejected_with_a_reason(content: bytes, words: str) -> None:
    with pytest.raises(FileRejected) as rejected:
        read(content)

    assert words in rejected.value.reason


def test_a_file_with_more_events_than_allowed_is_rejected() -> None:
    with pytest.raises(FileRejected, match="more than 2 events"):
        read(events(), max_rows=2)
    with pytest.raises(FileRejected, match="more than 2 events"):
        read("\n".join(json.dumps(item) for item in events()).encode(), max_rows=2)


# Through the pipeline ----------------------------------------------------------------------------


def import_events(world: World, content: bytes, *, dry_run: bool = False, **options: Any) -> Any:
    return run_import(
        city=world.city, format="openagenda", content=content, by=world.users["coordinator"], dry_run=dry_run, **options
    )


@pytest.mark.django_db
def test_an_export_is_imported_then_reimporting_it_changes_nothing(world: World) -> None:
    known = Venue.objects.create(
        city=world.city,
        name="Médiathèque François Mitterrand",
        address="2 esplanade",
        latitude=47.3902,
        longitude=0.6901,
    )
    venues_before = Venue.objects.count()

    first = import_events(world, FIXTURE.read_bytes())

    assert first.file_error is None
    assert first.committed, first.rows
    assert first.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    robots = Opportunity.objects.get(source_records__external_id="90011223")
    assert robots.venue == known
    assert Venue.objects.count() == venues_before + 2
    workshop = Opportunity.objects.get(title_fr="Atelier d'écriture : raconter sa ville")
    assert (workshop.kind, workshop.age_min, workshop.is_free, workshop.registration_required) == (
        "workshop",
        12,
        True,
        True,
    )
    assert workshop.organisation.name == "Bibliothèques de Testville"
    assert workshop.venue is not None
    assert workshop.venue.district is not None
    assert workshop.venue.district.name == "Les Rives"
    starts = [session.start for session in workshop.sessions.order_by("start")]
    assert starts == [datetime(2027, 3, 20, 13, tzinfo=UTC), datetime(2027, 4, 3, 12, tzinfo=UTC)]
    assert [start.astimezone(PARIS).hour for start in starts] == [14, 14]
    talk = Opportunity.objects.get(source_records__external_id="7719034")
    assert (talk.kind, talk.is_free, talk.price, talk.reduced_price) == ("talk", False, Decimal(8), Decimal(5))
    before = database_state()

    again = import_events(world, FIXTURE.read_bytes())

    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert database_state() == before


@pytest.mark.django_db
def test_a_newer_export_updates_what_changed_and_keeps_the_venues(world: World) -> None:
    import_events(world, FIXTURE.read_bytes())
    before = database_state()
    newer = events()
    newer[0]["title_fr"] = "Atelier d'écriture : raconter son quartier"
    newer[0]["timings"] = json.dumps([{"begin": "2027-03-27T10:00:00+01:00", "end": "2027-03-27T12:00:00+01:00"}])

    result = import_events(world, json.dumps(newer).encode())

    assert result.counts == {"created": 0, "updated": 1, "unchanged": 2, "rejected": 0}
    workshop = Opportunity.objects.get(source_records__external_id="48213157")
    assert workshop.title_fr == "Atelier d'écriture : raconter son quartier"
    assert [session.start for session in workshop.sessions.all()] == [datetime(2027, 3, 27, 9, tzinfo=UTC)]
    assert Venue.objects.count() == before[2]
    assert Organisation.objects.count() == before[3]


@pytest.mark.django_db
def test_a_dry_run_reports_each_event_and_writes_nothing(world: World) -> None:
    before = database_state()

    result = import_events(world, FIXTURE.read_bytes(), dry_run=True)

    assert result.counts["created"] == 3
    assert not result.committed
    assert next(row["title"] for row in result.rows) == "Atelier d'écriture : raconter sa ville"
    assert database_state() == before


@pytest.mark.django_db
def test_an_unreadable_event_blocks_the_import_with_its_line_and_field(world: World) -> None:
    before = database_state()
    broken = events()
    broken[2]["age_min"] = "dès 6 ans"

    result = import_events(world, json.dumps(broken).encode())

    assert not result.committed
    assert database_state() == before
    [rejected] = [row for row in result.rows if row["outcome"] == "rejected"]
    assert (rejected["line"], rejected["external_id"]) == (3, "90011223")
    assert rejected["errors"] == [{"field": "age_min", "reason": "This field should be a whole number."}]


@pytest.mark.django_db
def test_a_truncated_export_is_refused_and_the_database_is_unchanged(world: World) -> None:
    before = database_state()

    result = import_events(world, FIXTURE.read_bytes()[:-40])

    assert result.file_error is not None
    assert "not valid JSON" in result.file_error
    assert database_state() == before


@pytest.mark.django_db
def test_a_provider_imports_the_events_into_their_own_organisation(world: World) -> None:
    result = run_import(
        city=world.city,
        format="openagenda",
        content=FIXTURE.read_bytes(),
        organisation=world.org_a,
        by=world.users["provider_staff"],
        dry_run=False,
    )

    assert result.counts["created"] == 3
    imported = Opportunity.objects.filter(pk__in=result.opportunity_ids)
    assert {opportunity.organisation for opportunity in imported} == {world.org_a}
    assert {opportunity.status for opportunity in imported} == {"draft"}

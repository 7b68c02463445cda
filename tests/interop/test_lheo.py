"""LHÉO: reading 2.2 and 2.3 training offers safely, writing valid 2.3, and the round trip between them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from lxml import etree  # type: ignore[import-untyped]

from learningcity.catalogue.models import City, Kind, Opportunity, Session, Status, Topic
from learningcity.interop.exports import registry
from learningcity.interop.exports.lheo import lheo_document, write_lheo
from learningcity.interop.formats import lheo, parser_for
from learningcity.interop.models import SourceRecord
from learningcity.interop.pipeline import run_import
from learningcity.interop.records import FileRejected, OpportunityRecord, Parsed, ParseOptions, RowError
from learningcity.interop.xmlsafe import parse_xml
from tests.factories import World, make_city, make_opportunity, make_organisation

FIXTURES = Path(__file__).parent / "fixtures"
TWO_FORMATIONS = (FIXTURES / "lheo-2.3-two-formations.xml").read_bytes()
LHEO_22 = (FIXTURES / "lheo-2.2-one-formation.xml").read_bytes()
XSD = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "lheo" / "lheo-2.3.xsd"
PARIS = ZoneInfo("Europe/Paris")


@cache
def schema() -> Any:
    """The official LHÉO 2.3 schema, read from ../shared without any network access."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(XSD), parser))


def assert_valid(document: bytes) -> None:
    tree = etree.fromstring(document, etree.XMLParser(no_network=True, resolve_entities=False))
    valid = schema().validate(tree)
    assert valid, "\n".join(str(error) for error in schema().error_log)


def parsed(data: bytes, **options: Any) -> list[Parsed]:
    return list(lheo.parse(data, ParseOptions(**options)))


def records(data: bytes, **options: Any) -> list[OpportunityRecord]:
    items = parsed(data, **options)
    assert all(isinstance(item, OpportunityRecord) for item in items), items
    return [item for item in items if isinstance(item, OpportunityRecord)]


def by_id(items: list[OpportunityRecord]) -> dict[str, OpportunityRecord]:
    return {item.external_id: item for item in items}


def replace(data: bytes, old: str, new: str) -> bytes:
    text = data.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, the source language, whatever the default language is."""
    with translation.override("en"):
        yield


# Reading -------------------------------------------------------------------------------------


def test_the_fixture_is_valid_lheo_2_3() -> None:
    assert_valid(TWO_FORMATIONS)


def test_it_is_the_parser_registered_for_lheo() -> None:
    assert parser_for("lheo") is lheo.parse


def test_it_reads_one_course_per_action_with_stable_ids_and_source_lines() -> None:
    items = records(TWO_FORMATIONS)
    assert [item.external_id for item in items] == ["AF-FLE-01-1", "AF-COMPTA-02-1", "F-COMPTA-02/2"]
    assert {item.kind for item in items} == {"course"}
    lines = TWO_FORMATIONS.decode().splitlines()
    assert all(lines[item.line - 1].strip().startswith("<action") for item in items)


def test_it_keeps_title_description_formacode_rome_price_place_and_provider() -> None:
    accounting = by_id(records(TWO_FORMATIONS))["AF-COMPTA-02-1"]
    assert accounting.title_fr == "Comptabilité : les fondamentaux"
    assert accounting.description_fr.startswith("Tenir la comptabilité courante d'une petite entreprise.\n\n")
    assert "Contenu : Écritures courantes, rapprochements bancaires, TVA." in accounting.description_fr
    assert accounting.formacodes == ["32663", "32667"]
    assert accounting.rome_codes == ["M1203", "12142"]
    assert (accounting.is_free, accounting.price) == (False, Decimal("1250.00"))
    assert accounting.credential_fr == "Certification RNCP 37133"
    assert accounting.languages == ["fr"]
    assert accounting.registration_url == "https://forma.test/inscription/compta-oct"
    assert accounting.venue is not None
    assert (accounting.venue.name, accounting.venue.postcode, accounting.venue.city_name) == (
        "Centre Forma Tours Nord",
        "37100",
        "Tours",
    )
    assert (accounting.venue.latitude, accounting.venue.longitude) == (47.415, 0.691)
    assert accounting.organisation is not None
    assert accounting.organisation.name == "Forma Centre"
    assert accounting.organisation.siret == ""  # LHÉO's all-zero SIRET means "not known"


def test_html_in_texts_becomes_plain_text_and_placeholders_are_left_out() -> None:
    french = by_id(records(TWO_FORMATIONS))["AF-FLE-01-1"]
    assert french.description_fr == (
        "Communiquer à l'oral et à l'écrit dans la vie quotidienne.\n\n"
        "Résultats attendus : Attestation de niveau A2 du CECRL.\n\n"
        "Rythme : Deux matinées par semaine"
    )
    assert "Non renseigné" not in french.description_fr
    assert (french.is_free, french.price) == (True, None)
    assert french.organisation is not None
    assert (french.organisation.siret, french.organisation.phone) == ("73282932000074", "02 47 00 00 00")


def test_sessions_are_training_days_in_the_citys_time_zone() -> None:
    accounting = by_id(records(TWO_FORMATIONS))["AF-COMPTA-02-1"]
    (session,) = accounting.sessions
    assert session.start == datetime(2026, 10, 5, 9, 0, tzinfo=PARIS)
    assert session.end == datetime(2026, 11, 27, 17, 0, tzinfo=PARIS)
    elsewhere = by_id(records(TWO_FORMATIONS, time_zone="America/Montreal"))["AF-COMPTA-02-1"]
    assert elsewhere.sessions[0].start == datetime(2026, 10, 5, 9, 0, tzinfo=ZoneInfo("America/Montreal"))


def test_a_session_with_unknown_dates_is_skipped_with_a_note() -> None:
    french = by_id(records(TWO_FORMATIONS))["AF-FLE-01-1"]
    assert [session.start.date() for session in french.sessions] == [date(2026, 9, 7)]
    assert lheo.row_notes(french) == ["Session SE-FLE-01-B was skipped: its dates are not known (00000000–99999999)."]


def test_an_action_without_known_dates_still_imports_as_a_course_without_sessions() -> None:
    online = by_id(records(TWO_FORMATIONS))["F-COMPTA-02/2"]
    assert online.sessions == []
    assert online.extra["no_dated_session"] is True
    assert "No session has known dates: imported as a course without sessions." in lheo.row_notes(online)


def test_an_online_action_has_its_link_and_no_venue() -> None:
    online = by_id(records(TWO_FORMATIONS))["F-COMPTA-02/2"]
    assert (online.mode, online.online_url, online.venue) == ("online", "https://forma.test/en-ligne/compta", None)
    assert (online.is_free, online.price) == (False, Decimal("390"))


def test_learning_for_work_unless_the_public_aimed_at_says_otherwise() -> None:
    items = by_id(records(TWO_FORMATIONS))
    french, accounting = items["AF-FLE-01-1"], items["AF-COMPTA-02-1"]
    assert (french.building_blocks, french.audiences) == (["inclusive-education"], ["newcomers"])
    assert (accounting.building_blocks, accounting.audiences) == (["workplace"], [])
    assert accounting.extra["public_codes"] == ["80006"]


@pytest.mark.parametrize("prices", [("0", True, None), ("0,00 €", True, None), ("12.5", False, Decimal("12.5"))])
def test_prices_are_read_with_commas_and_currency(prices: tuple[str, bool, Decimal | None]) -> None:
    text, is_free, price = prices
    item = records(
        replace(TWO_FORMATIONS, "<prix-total-TTC>0</prix-total-TTC>", f"<prix-total-TTC>{text}</prix-total-TTC>")
    )[0]
    assert (item.is_free, item.price) == (is_free, price)


def test_it_reads_lheo_2_2_in_latin_1() -> None:
    (item,) = records(LHEO_22)
    assert item.external_id == "AF-JARDIN-22-1"
    assert item.title_fr == "Jardinier paysagiste : entretien des espaces verts"
    assert "désherbage" in item.description_fr
    assert (item.formacodes, item.rome_codes) == (["21046"], ["A1203"])
    assert item.sessions[0].start == datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)
    assert item.organisation is not None
    assert item.organisation.siret == "21370261800017"


def test_a_file_without_namespace_reads_like_lheo_2_3() -> None:
    plain = replace(TWO_FORMATIONS, ' xmlns="http://lheo.gouv.fr/2.3"', "")
    assert [item.fingerprint() for item in records(plain)] == [item.fingerprint() for item in records(TWO_FORMATIONS)]


def test_moving_lines_around_changes_no_fingerprint() -> None:
    shifted = replace(TWO_FORMATIONS, "<offres>", "<offres>\n\n<!-- exported again -->\n\n")
    before, after = records(TWO_FORMATIONS), records(shifted)
    assert [item.line + 4 for item in before] == [item.line for item in after]
    assert [item.fingerprint() for item in before] == [item.fingerprint() for item in after]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("<prix-total-TTC>0</prix-total-TTC>", "<prix-total-TTC>gratuit</prix-total-TTC>", "prix-total-TTC", "gratuit"),
        ("<latitude>47,3941</latitude>", "<latitude>nord</latitude>", "latitude", "nord"),
        ("<debut>20260907</debut>", "<debut>2026-09-07</debut>", "debut", "YYYYMMDD"),
        ("<fin>20261218</fin>", "<fin>20261340</fin>", "fin", "20261340"),
    ],
)
def test_an_unreadable_value_rejects_its_action_only(old: str, new: str, field: str, words: str) -> None:
    items = parsed(replace(TWO_FORMATIONS, old, new))
    error = items[0]
    assert isinstance(error, RowError)
    assert (error.field, error.external_id) == (field, "AF-FLE-01-1")
    assert words in error.reason
    assert TWO_FORMATIONS.decode().splitlines()[error.line - 1].strip().startswith("<action")
    assert [type(item) for item in items[1:]] == [OpportunityRecord, OpportunityRecord]


def test_an_identifier_too_long_to_keep_rejects_its_action() -> None:
    items = parsed(replace(TWO_FORMATIONS, 'numero="AF-FLE-01-1"', f'numero="{"A" * 256}"'))
    assert isinstance(items[0], RowError)
    assert (items[0].field, items[0].reason) == ("numero", "The identifier (numero) is longer than 255 characters.")


def test_a_session_ending_before_it_starts_is_skipped_with_a_note() -> None:
    item = records(replace(TWO_FORMATIONS, "<fin>20261218</fin>", "<fin>20260101</fin>"))[0]
    assert item.sessions == []
    assert lheo.row_notes(item)[0] == "Session SE-FLE-01-A was skipped: it ends (20260101) before it starts (20260907)."


def test_a_text_longer_than_the_limit_rejects_the_action_naming_the_field() -> None:
    long_title = "Comptabilité " + "très " * 40
    items = parsed(replace(TWO_FORMATIONS, "Comptabilité : les fondamentaux", long_title), max_field_chars=100)
    errors = [item for item in items if isinstance(item, RowError)]
    assert [(error.external_id, error.field) for error in errors] == [
        ("AF-COMPTA-02-1", "intitule-formation"),
        ("F-COMPTA-02/2", "intitule-formation"),
    ]
    assert "100" in errors[0].reason


def test_a_formation_without_title_or_without_action_is_reported() -> None:
    untitled = replace(TWO_FORMATIONS, "<intitule-formation>Comptabilité : les fondamentaux</intitule-formation>", "")
    errors = [item for item in parsed(untitled) if isinstance(item, RowError)]
    assert {error.field for error in errors} == {"intitule-formation"}
    root = etree.fromstring(TWO_FORMATIONS)
    for action in root.findall(".//{http://lheo.gouv.fr/2.3}action"):
        action.getparent().remove(action)
    items = parsed(etree.tostring(root))
    assert [(item.field, item.external_id) for item in items if isinstance(item, RowError)] == [
        ("action", "F-FLE-01"),
        ("action", "F-COMPTA-02"),
    ]


def test_more_actions_than_allowed_rejects_the_file() -> None:
    with pytest.raises(FileRejected, match="3 training actions, more than the 2"):
        parsed(TWO_FORMATIONS, max_rows=2)


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (b'<offres xmlns="http://lheo.gouv.fr/2.3"/>', "root element is <offres>"),
        (b'<lheo xmlns="http://lheo.gouv.fr/1.0"><offres/></lheo>', "namespace http://lheo.gouv.fr/1.0"),
        (b'<events><event uid="1"/></events>', "not a LHÉO file"),
    ],
)
def test_xml_that_is_not_lheo_is_refused_with_a_reason(document: bytes, words: str) -> None:
    with pytest.raises(FileRejected, match=re.escape(words)):
        parsed(document)


# Safety --------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lheo [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10) for i in range(1, 10)
    )
    + b"]>\n<lheo>&lol9;</lheo>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lheo [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    b'<lheo xmlns="http://lheo.gouv.fr/2.3"><offres><formation><intitule-formation>&secret;</intitule-formation>'
    b"</formation></offres></lheo>"
)
EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE lheo SYSTEM "http://lheo.gouv.fr/2.3/lheo.dtd">\n<lheo/>'
PARAMETER_ENTITY = b'<?xml version="1.0"?>\n<!DOCTYPE lheo [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n<lheo/>'
QUADRATIC = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lheo [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]>\n<lheo>'
    + b"&a;" * 20_000
    + b"</lheo>"
)
UTF16_ENTITY = EXTERNAL_ENTITY.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY, QUADRATIC, UTF16_ENTITY],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity", "quadratic-blowup", "utf-16"],
)
def test_documents_declaring_a_doctype_are_refused(document: bytes) -> None:
    with pytest.raises(FileRejected) as rejected:
        parsed(document)
    assert "DOCTYPE" in rejected.value.reason
    assert "root:" not in rejected.value.reason


@pytest.mark.parametrize(
    ("document", "line"),
    [
        (b"formation;action\nCompta;1\n", 1),
        (b'{"offres": []}', 1),
        (b"", 1),
        (TWO_FORMATIONS[: len(TWO_FORMATIONS) // 2], None),
        (b"<lheo>\n<offres>\n<formation>\n</offres>\n</lheo>", 4),
    ],
    ids=["csv", "json", "empty", "truncated", "mismatched-tags"],
)
def test_what_is_not_xml_is_refused_with_the_line(document: bytes, line: int | None) -> None:
    with pytest.raises(FileRejected) as rejected:
        parsed(document)
    assert rejected.value.reason.startswith("This file is not valid XML: ")
    assert rejected.value.line is not None
    if line is not None:
        assert rejected.value.line == line


def test_a_deeply_nested_document_is_refused() -> None:
    with pytest.raises(FileRejected, match="not valid XML"):
        parsed(b"<lheo>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</lheo>")


def test_a_file_larger_than_the_limit_is_refused_before_parsing(settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(FileRejected, match=r"The file is .+, more than the .+ allowed\."):
        parsed(TWO_FORMATIONS)
    assert parse_xml(b"<lheo/>", max_bytes=1024).tag == "lheo"


# Writing -------------------------------------------------------------------------------------


def course(world: World, title: str, **fields: Any) -> Opportunity:
    values: dict[str, Any] = {"kind": Kind.COURSE, "title_fr": title, "title_en": ""}
    values.update(fields)
    return make_opportunity(world.org_a, **values)


def exported(document: bytes) -> dict[str, OpportunityRecord]:
    return {item.title_fr: item for item in records(document)}


@pytest.mark.django_db
def test_the_export_is_valid_lheo_2_3(world: World) -> None:
    topic = Topic.objects.create(code="accounting", name_fr="Comptabilité", name_en="Accounting", formacode="32663")
    course(world, "Comptabilité débutants", price=Decimal("120.50"), is_free=False).topics.add(topic)
    course(
        world, "Anglais en ligne", kind=Kind.ONLINE_COURSE, mode="online", online_url="https://x.test/en", venue=None
    )
    course(world, "Apprentissage boulangerie", kind=Kind.APPRENTICESHIP, age_min=16, age_max=29)
    world.org_a.siret, world.org_a.email, world.org_a.phone = "73282932000074", "a@a.test", "02 47 00 00 01"
    world.org_a.save()
    document = lheo_document(world.city)
    assert_valid(document)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


@pytest.mark.django_db
def test_it_exports_the_published_courses_of_the_city_only(world: World) -> None:
    course(world, "Cours publié")
    course(world, "Cours en ligne", kind=Kind.ONLINE_COURSE, mode="online", online_url="https://x.test/", venue=None)
    course(world, "Cours brouillon", status=Status.DRAFT)
    other = make_organisation(make_city("autreville"), "Ailleurs")
    make_opportunity(other, kind=Kind.COURSE, title_fr="Cours d'une autre ville")
    assert set(exported(lheo_document(world.city))) == {"Cours publié", "Cours en ligne"}
    assert world.published.kind == "workshop"  # workshops are events, not training offers


@pytest.mark.django_db
def test_given_listings_are_exported_if_published_in_the_city(world: World) -> None:
    chosen = Opportunity.objects.filter(pk__in=[world.published.pk, world.draft.pk])
    assert set(exported(lheo_document(world.city, chosen))) == {world.published.title_fr}


@pytest.mark.django_db
def test_export_then_import_keeps_titles_dates_formacodes_and_rome_codes(world: World) -> None:
    topic = Topic.objects.create(code="first-aid", name_fr="Secourisme", name_en="First aid", formacode="42826")
    by_topic = course(world, "Premiers secours")
    by_topic.topics.add(topic)
    imported = course(world, "Comptabilité : les fondamentaux")
    now = timezone.now()
    SourceRecord.objects.create(
        city=world.city, source="lheo:carif", external_id="AF-1", opportunity=imported, fingerprint="x",
        data={"formacodes": ["32663", "32667"], "rome_codes": ["M1203"], "extra": {"public_codes": ["81023"]}},
        imported_at=now, updated_at=now,
    )  # fmt: skip
    items = exported(lheo_document(world.city))
    assert (items["Premiers secours"].formacodes, items["Premiers secours"].rome_codes) == (["42826"], [])
    accounting = items["Comptabilité : les fondamentaux"]
    assert (accounting.formacodes, accounting.rome_codes) == (["32663", "32667"], ["M1203"])
    assert accounting.extra["public_codes"] == ["81023"]
    session = imported.sessions.get()
    assert [(s.start.date(), s.end.date()) for s in accounting.sessions] == [
        (session.start.astimezone(PARIS).date(), session.end.astimezone(PARIS).date())
    ]
    assert accounting.external_id == f"{world.city.slug}-action-{imported.pk}"
    assert accounting.url.endswith(f"/fr/opportunities/{imported.pk}/{imported.slug}/")


@pytest.mark.django_db
def test_a_course_without_sessions_has_unknown_dates_and_a_finished_one_is_left_out(world: World) -> None:
    undated = course(world, "Formation à la carte")
    undated.sessions.all().delete()
    finished = course(world, "Formation terminée")
    finished.sessions.update(start=timezone.now() - timedelta(days=30), end=timezone.now() - timedelta(days=29))
    document = lheo_document(world.city)
    assert_valid(document)
    assert b"<debut>00000000</debut>" in document
    assert b"<fin>99999999</fin>" in document
    items = exported(document)
    assert "Formation terminée" not in items
    assert items["Formation à la carte"].sessions == []


@pytest.mark.django_db
def test_a_recurring_series_is_one_lheo_session_from_first_to_last_day(world: World) -> None:
    weekly = course(world, "Atelier hebdomadaire de français")
    first = weekly.sessions.get()
    first.series_key = "weekly-fr"
    first.save()
    for week in range(1, 4):
        Session.objects.create(
            opportunity=weekly, start=first.start + timedelta(weeks=week), end=first.end + timedelta(weeks=week),
            series_key="weekly-fr",
        )  # fmt: skip
    item = exported(lheo_document(world.city))["Atelier hebdomadaire de français"]
    (session,) = item.sessions
    assert session.start.date() == first.start.astimezone(PARIS).date()
    assert session.end.date() == (first.end + timedelta(weeks=3)).astimezone(PARIS).date()


@pytest.mark.django_db
def test_texts_too_long_or_unfit_for_xml_still_give_a_valid_document(world: World) -> None:
    course(world, "Cours\x0b bavard", description_fr="Très long. " * 500, credential_fr="Certificat\x01 maison")
    world.org_a.phone = "02 47 00 00 00 poste 12345"  # 26 characters: LHÉO allows 25
    world.org_a.save()
    venue = world.org_a.venues.get()
    venue.address = "Bâtiment B, escalier 3, " * 12
    venue.postcode = "3700"
    venue.save()
    document = lheo_document(world.city)
    assert_valid(document)
    assert "Cours bavard" in exported(document)


@pytest.mark.django_db
def test_write_lheo_writes_the_file_and_counts_formations(world: World, tmp_path: Path) -> None:
    course(world, "Cours un")
    course(world, "Cours deux")
    target = tmp_path / "offres.xml"
    assert write_lheo(world.city, target) == 2
    assert_valid(target.read_bytes())
    assert registry.export("lheo", world.city, tmp_path) == 2  # a folder: lheo.xml in it
    assert target.read_bytes() == (tmp_path / "lheo.xml").read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lheo.xml", "offres.xml"]  # no temporary file left
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.django_db
def test_the_export_reads_a_fixed_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    for number in range(12):
        course(world, f"Cours {number}")
    with django_assert_max_num_queries(8):
        document = lheo_document(world.city)
    assert len(exported(document)) == 12


# End to end through the pipeline -------------------------------------------------------------


def import_lheo(city: City, content: bytes, *, dry_run: bool = False) -> Any:
    return run_import(city=city, format="lheo", content=content, by=None, dry_run=dry_run, target_status="published")


def catalogue_state() -> tuple[int, ...]:
    return (Opportunity.objects.count(), Session.objects.count(), SourceRecord.objects.count())


@pytest.mark.django_db
def test_importing_the_file_creates_courses_with_sessions_and_provenance(world: World) -> None:
    result = import_lheo(world.city, TWO_FORMATIONS)
    assert result.file_error is None, result.rows
    assert result.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    french = Opportunity.objects.get(source_records__external_id="AF-FLE-01-1")
    assert french.venue is not None
    assert (french.kind, french.is_free, french.venue.name) == ("course", True, "Maison des Rives")
    assert [block.code for block in french.building_blocks.all()] == ["inclusive-education"]
    assert [(s.start.astimezone(PARIS).date(), s.end.astimezone(PARIS).date()) for s in french.sessions.all()] == [
        (date(2026, 9, 7), date(2026, 12, 18))
    ]
    accounting = Opportunity.objects.get(source_records__external_id="AF-COMPTA-02-1")
    assert (accounting.price, accounting.organisation.name) == (Decimal("1250.00"), "Forma Centre")
    assert accounting.source_records.get().data["rome_codes"] == ["M1203", "12142"]
    online = Opportunity.objects.get(source_records__external_id="F-COMPTA-02/2")
    assert (online.mode, online.sessions.count()) == ("online", 0)


@pytest.mark.django_db
def test_reimporting_changes_nothing_and_a_newer_file_updates_what_changed(world: World) -> None:
    import_lheo(world.city, TWO_FORMATIONS)
    again = import_lheo(world.city, replace(TWO_FORMATIONS, "<offres>", "<offres>\n<!-- same offers -->"))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    newer = import_lheo(
        world.city,
        replace(TWO_FORMATIONS, "<prix-total-TTC>390</prix-total-TTC>", "<prix-total-TTC>350</prix-total-TTC>"),
    )
    assert newer.counts == {"created": 0, "updated": 1, "unchanged": 2, "rejected": 0}
    assert Opportunity.objects.get(source_records__external_id="F-COMPTA-02/2").price == Decimal("350.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "document", [EXTERNAL_ENTITY, BILLION_LAUGHS, TWO_FORMATIONS[:2000]], ids=["xxe", "bomb", "cut"]
)
def test_a_refused_file_leaves_the_database_unchanged(world: World, document: bytes) -> None:
    before = catalogue_state()
    result = import_lheo(world.city, document)
    assert result.file_error
    assert not result.committed
    assert catalogue_state() == before


@pytest.mark.django_db
def test_a_file_with_an_unreadable_row_writes_nothing(world: World) -> None:
    before = catalogue_state()
    result = import_lheo(
        world.city, replace(TWO_FORMATIONS, "<latitude>47,3941</latitude>", "<latitude>nord</latitude>")
    )
    assert result.counts["rejected"] == 1
    assert not result.committed
    (row,) = [row for row in result.rows if row["outcome"] == "rejected"]
    assert row["errors"][0]["field"] == "latitude"
    assert "nord" in row["errors"][0]["reason"]
    assert catalogue_state() == before


@pytest.mark.django_db
def test_an_exported_catalogue_imports_into_another_city(world: World) -> None:
    course(world, "Comptabilité pour associations", price=Decimal("80"), is_free=False)
    course(
        world, "Anglais en ligne", kind=Kind.ONLINE_COURSE, mode="online", online_url="https://x.test/en", venue=None
    )
    elsewhere = make_city("ailleurs")
    result = import_lheo(elsewhere, lheo_document(world.city))
    assert result.counts["created"] == 2, result.rows
    titles = set(Opportunity.objects.filter(city=elsewhere).values_list("title_fr", flat=True))
    assert titles == {"Comptabilité pour associations", "Anglais en ligne"}
    again = import_lheo(elsewhere, lheo_document(world.city))
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}

"""The import pipeline, apart from any file format: matching, validation, all-or-nothing writes."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from learningcity.catalogue.models import Opportunity, Status, Venue
from learningcity.enrolment.models import Registration
from learningcity.interop import services
from learningcity.interop.models import ImportJob, JobStatus, SourceRecord
from learningcity.interop.pipeline import run_import
from tests.factories import World
from tests.interop.conftest import database_state, run_worker

pytestmark = pytest.mark.django_db

PARIS = "+01:00"


def item(identifier: str, **fields: Any) -> dict[str, Any]:
    """One record of the test format: a workshop at a new place unless told otherwise."""
    values: dict[str, Any] = {
        "id": identifier,
        "title_fr": f"Atelier {identifier}",
        "description_fr": "On apprend ensemble.",
        "age_min": 10,
        "venue": {"name": "Maison des Lilas", "address": "3 rue des Lilas", "latitude": 47.40, "longitude": 0.70},
        "sessions": [[f"2026-12-10T18:00:00{PARIS}", f"2026-12-10T20:00:00{PARIS}"]],
    }
    values.update(fields)
    return values


def content(*items: dict[str, Any]) -> bytes:
    return json.dumps(list(items)).encode()


def test_a_dry_run_says_what_would_happen_and_writes_nothing(world: World, records_format: str) -> None:
    before = database_state()
    result = run_import(
        city=world.city,
        format=records_format,
        content=content(item("a1"), item("a2"), item("a3", venue=None, mode="online", online_url="https://x.test/")),
        organisation=world.org_a,
        by=world.users["provider_staff"],
    )
    assert result.file_error is None
    assert result.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert [row["line"] for row in result.rows] == [1, 2, 3]
    assert not result.committed
    assert database_state() == before


def test_commit_creates_drafts_with_sessions_venue_and_provenance(world: World, records_format: str) -> None:
    venues_before = Venue.objects.count()
    result = run_import(
        city=world.city,
        format=records_format,
        content=content(item("a1"), item("a2", formacodes=["15234"], rome_codes=["K2111"], url="https://src.test/a2")),
        organisation=world.org_a,
        by=world.users["provider_staff"],
        dry_run=False,
    )
    assert result.committed
    imported = Opportunity.objects.filter(source_records__external_id__in=["a1", "a2"]).order_by("title_fr")
    assert [o.title_fr for o in imported] == ["Atelier a1", "Atelier a2"]
    assert {o.status for o in imported} == {Status.DRAFT}
    assert {o.organisation_id for o in imported} == {world.org_a.pk}
    # Both rows name the same new place: one venue is made, not two.
    assert Venue.objects.count() == venues_before + 1
    assert imported[0].venue_id == imported[1].venue_id
    session = imported[0].sessions.get()
    assert session.start.isoformat() == "2026-12-10T17:00:00+00:00"
    kept = SourceRecord.objects.get(external_id="a2")
    assert kept.data["formacodes"] == ["15234"]
    assert kept.data["rome_codes"] == ["K2111"]
    assert kept.data["url"] == "https://src.test/a2"
    assert imported[0].languages.filter(code="fr").exists()
    assert imported[0].building_blocks.exists()


def test_reimporting_the_same_file_changes_nothing(world: World, records_format: str) -> None:
    file = content(item("a1"), item("a2"))
    run_import(city=world.city, format=records_format, content=file, organisation=world.org_a, dry_run=False)
    stamps = list(Opportunity.objects.order_by("pk").values_list("updated_at", flat=True))
    before = database_state()
    again = run_import(city=world.city, format=records_format, content=file, organisation=world.org_a, dry_run=False)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert database_state() == before
    assert list(Opportunity.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_a_newer_file_updates_what_changed_and_keeps_booked_sessions(world: World, records_format: str) -> None:
    run_import(
        city=world.city,
        format=records_format,
        content=content(item("a1"), item("a2")),
        organisation=world.org_a,
        dry_run=False,
        target_status="published",
    )
    listing = Opportunity.objects.get(source_records__external_id="a1")
    booked = listing.sessions.get()
    resident = world.users["resident"]
    assert resident is not None
    Registration.objects.create(session=booked, user=resident)
    newer = item(
        "a1",
        title_fr="Atelier a1 (nouvelle formule)",
        sessions=[[f"2026-12-17T18:00:00{PARIS}", f"2026-12-17T20:00:00{PARIS}"]],
    )
    result = run_import(
        city=world.city,
        format=records_format,
        content=content(newer, item("a2")),
        organisation=world.org_a,
        dry_run=False,
    )
    assert result.counts == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    listing.refresh_from_db()
    assert listing.title_fr == "Atelier a1 (nouvelle formule)"
    assert listing.status == Status.PUBLISHED  # an update keeps the listing where it was
    starts = sorted(s.start.day for s in listing.sessions.all())
    assert starts == [10, 17]  # the old session has a registration: it stays
    assert Registration.objects.filter(session=booked).exists()


def test_rejected_rows_block_the_commit_unless_skipped(world: World, records_format: str) -> None:
    file = content(
        item("ok"),
        {"id": "broken", "error": "start"},
        item("ages", age_min=30, age_max=20),
        item("ok"),
        item("nowhere", venue={"name": "Un lieu inconnu"}),
    )
    before = database_state()
    result = run_import(city=world.city, format=records_format, content=file, organisation=world.org_a, dry_run=False)
    assert not result.committed
    assert database_state() == before
    rejected = {row["line"]: row["errors"] for row in result.rows if row["outcome"] == "rejected"}
    assert set(rejected) == {2, 3, 4, 5}
    assert rejected[2][0]["field"] == "start"
    assert rejected[3][0]["field"] == "age_max"
    assert "line 1" in rejected[4][0]["reason"]  # the same identifier twice
    assert rejected[5][0]["field"] == "venue"
    assert "coordinates" in rejected[5][0]["reason"]
    skipped = run_import(
        city=world.city,
        format=records_format,
        content=file,
        organisation=world.org_a,
        dry_run=False,
        skip_rejected=True,
    )
    assert skipped.committed
    assert skipped.counts["created"] == 1
    assert Opportunity.objects.filter(source_records__external_id="ok").count() == 1


def test_files_that_cannot_be_read_are_refused_whole(world: World, records_format: str, settings: Any) -> None:
    assert run_import(city=world.city, format=records_format, content=b"{not json", organisation=world.org_a).file_error
    assert run_import(city=world.city, format=records_format, content=b"  ", organisation=world.org_a).file_error
    settings.IMPORT_MAX_BYTES = 50
    too_big = run_import(city=world.city, format=records_format, content=content(item("a1")), organisation=world.org_a)
    assert "limit" in (too_big.file_error or "")


def test_who_may_import_what(world: World, records_format: str) -> None:
    file = content(item("a1"))
    for role in ("resident", "other_provider_staff"):
        with pytest.raises(PermissionDenied):
            run_import(
                city=world.city, format=records_format, content=file, organisation=world.org_a, by=world.users[role]
            )
    with pytest.raises(PermissionDenied):
        run_import(
            city=world.city,
            format=records_format,
            content=file,
            organisation=world.org_a,
            by=world.users["provider_staff"],
            target_status="published",
        )
    published = run_import(
        city=world.city,
        format=records_format,
        content=file,
        organisation=world.org_a,
        by=world.users["coordinator"],
        target_status="published",
        dry_run=False,
    )
    assert published.committed
    assert Opportunity.objects.get(source_records__external_id="a1").status == Status.PUBLISHED


def test_coordinator_imports_match_providers_and_venues(world: World, records_format: str) -> None:
    world.org_b.siret = "73282932000074"
    world.org_b.save()
    existing_venue = world.org_a.venues.get()
    file = content(
        item("p1", organisation={"name": "Musee b (ancien nom)", "siret": "732 829 320 00074"}),
        item(
            "p2",
            organisation={"name": "Médiathèque A"},
            venue={"name": "Mediatheque A venue", "latitude": 47.3901, "longitude": 0.6901},
        ),
        item("p3", organisation={"name": "Les Petits Débrouillards", "external_id": "org-7"}),
        item("p4"),
    )
    result = run_import(
        city=world.city,
        format=records_format,
        content=file,
        by=world.users["coordinator"],
        dry_run=False,
        skip_rejected=True,
    )
    assert result.counts["created"] == 3
    rejected = [row for row in result.rows if row["outcome"] == "rejected"]
    assert [row["errors"][0]["field"] for row in rejected] == ["organisation"]
    assert Opportunity.objects.get(source_records__external_id="p1").organisation == world.org_b
    second = Opportunity.objects.get(source_records__external_id="p2")
    assert second.organisation == world.org_a
    assert second.venue == existing_venue  # same name, 13 m away
    newcomer = Opportunity.objects.get(source_records__external_id="p3").organisation
    assert newcomer.name == "Les Petits Débrouillards"
    assert newcomer.city == world.city


def test_new_venues_get_their_district_from_the_boundaries(world: World, records_format: str) -> None:
    district = world.city.districts.get(code="02")
    district.boundary = {
        "type": "Polygon",
        "coordinates": [[[0.69, 47.39], [0.71, 47.39], [0.71, 47.41], [0.69, 47.41], [0.69, 47.39]]],
    }
    district.save()
    run_import(
        city=world.city, format=records_format, content=content(item("a1")), organisation=world.org_a, dry_run=False
    )
    assert Venue.objects.get(name="Maison des Lilas").district == district


def test_published_imports_are_found_by_search(world: World, records_format: str, client: Any) -> None:
    run_import(
        city=world.city,
        format=records_format,
        content=content(item("s1", title_fr="Initiation à la calligraphie")),
        organisation=world.org_a,
        target_status="published",
        dry_run=False,
    )
    page = client.get(reverse("search:search"), {"q": "calligraphie"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Initiation à la calligraphie" in page.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_is_checked_then_committed_by_the_worker(records_format: str) -> None:
    from tests.factories import make_world

    world = make_world()
    staff = world.users["provider_staff"]
    job = services.job_create(
        city=world.city,
        by=staff,
        format_name=records_format,
        filename="offres.json",
        content=content(item("a1"), item("a2")),
        organisation=world.org_a,
    )
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    assert job.counts["created"] == 2
    assert not Opportunity.objects.filter(source_records__isnull=False).exists()
    services.job_commit(job, by=staff)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.content == b"" or bytes(job.content) == b""
    assert Opportunity.objects.filter(source_records__job=job).count() == 2


def test_job_pages_across_roles(world: World, client_for: Any, records_format: str) -> None:
    job = ImportJob.objects.create(
        city=world.city,
        organisation=world.org_a,
        created_by=world.users["provider_staff"],
        format="ics",
        source="ics:x",
        filename="agenda.ics",
        content=b"x",
        size=1,
        status=JobStatus.CHECKED,
        counts={"created": 1, "updated": 0, "unchanged": 0, "rejected": 0},
        report=[
            {
                "line": 1,
                "external_id": "u1",
                "outcome": "created",
                "title": "Atelier",
                "errors": [],
                "opportunity_id": None,
            }
        ],
    )
    expected = {
        "anonymous": 302,
        "resident": 403,
        "other_resident": 403,
        "provider_staff": 200,
        "other_provider_staff": 403,
        "coordinator": 200,
    }
    for role, status in expected.items():
        client = client_for(role)
        for name in ("interop:job", "interop:job-status", "interop:job-report"):
            response = client.get(reverse(name, args=[job.pk]))
            assert response.status_code == status, (role, name)
        imports_page = client.get(reverse("interop:imports"))
        assert imports_page.status_code == {"resident": 403, "other_resident": 403}.get(
            role, 302 if role == "anonymous" else 200
        )
    other = client_for("other_provider_staff").post(reverse("interop:job-commit", args=[job.pk]))
    assert other.status_code == 403
    listing = client_for("provider_staff").get(reverse("interop:imports")).content.decode()
    assert "agenda.ics" in listing
    assert "agenda.ics" not in client_for("other_provider_staff").get(reverse("interop:imports")).content.decode()


def test_upload_refuses_a_bad_file_with_a_clear_message(world: World, client_for: Any, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    client = client_for("provider_staff")
    with translation.override("en"):
        url = reverse("interop:imports")
    empty = client.post(
        url,
        {
            "file": SimpleUploadedFile("x.ics", b""),
            "format": "ics",
            "organisation": world.org_a.pk,
            "target_status": "draft",
        },
    )
    assert empty.status_code == 400
    assert "empty" in empty.content.decode()
    other = client.post(
        url,
        {
            "file": SimpleUploadedFile("x.ics", b"BEGIN:VCALENDAR"),
            "format": "ics",
            "organisation": world.org_b.pk,
            "target_status": "draft",
        },
    )
    assert other.status_code == 400
    publish = client.post(
        url,
        {
            "file": SimpleUploadedFile("x.ics", b"BEGIN:VCALENDAR"),
            "format": "ics",
            "organisation": world.org_a.pk,
            "target_status": "published",
        },
    )
    assert publish.status_code == 400
    assert not ImportJob.objects.exists()


def test_a_rejected_row_in_a_late_chunk_undoes_the_chunks_already_written(
    world: World, records_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from learningcity.interop import pipeline

    monkeypatch.setattr(pipeline, "CHUNK", 2)  # five rows: three chunks, the last one bad
    before = database_state()
    file = content(item("c1"), item("c2"), item("c3"), item("c4"), item("c5", age_min=50, age_max=10))
    result = run_import(city=world.city, format=records_format, content=file, organisation=world.org_a, dry_run=False)
    assert not result.committed
    assert result.counts == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 1}
    assert all(row["opportunity_id"] is None for row in result.rows)
    assert database_state() == before
    skipped = run_import(
        city=world.city,
        format=records_format,
        content=file,
        organisation=world.org_a,
        dry_run=False,
        skip_rejected=True,
    )
    assert skipped.committed
    assert Opportunity.objects.filter(source_records__external_id__in=["c1", "c2", "c3", "c4"]).count() == 4
    assert len({row["opportunity_id"] for row in skipped.rows if row["outcome"] == "created"}) == 4


def search_index(city_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The city's search entries and texts, without the generation that numbers each change."""
    from learningcity.search.models import SearchEntry, SearchText

    fields = [field.attname for field in SearchEntry._meta.concrete_fields if field.attname != "generation"]
    entries = list(SearchEntry.objects.filter(city_id=city_id).order_by("pk").values_list(*fields))
    texts = list(
        SearchText.objects.filter(entry__city_id=city_id).order_by("pk").values_list("pk", "title_terms", "body_terms")
    )
    return entries, texts


def test_published_imports_are_indexed_as_a_rebuild_from_the_database_would_index_them(
    world: World, records_format: str
) -> None:
    from learningcity.catalogue.models import Topic
    from learningcity.search import indexing

    parent = Topic.objects.create(code="arts", name_fr="Arts", name_en="Arts")
    Topic.objects.create(code="painting", name_fr="Peinture", name_en="Painting", parent=parent)
    district = world.city.districts.get(code="02")
    district.boundary = {
        "type": "Polygon",
        "coordinates": [[[0.69, 47.39], [0.71, 47.39], [0.71, 47.41], [0.69, 47.41], [0.69, 47.39]]],
    }
    district.save()
    entries_before = len(search_index(world.city.pk)[0])
    file = content(
        item("i1", topics=["painting"], audiences=["families", "seniors"], languages=["fr", "en"], capacity=12),
        item(
            "i2",
            title_en="Chess club",
            price=4.5,
            building_blocks=["workplace"],
            venue={"name": "Salle des fêtes", "latitude": 47.45, "longitude": 0.75, "step_free_access": True},
            sessions=[
                [f"2026-12-10T08:00:00{PARIS}", f"2026-12-10T09:00:00{PARIS}"],
                [f"2027-01-14T18:30:00{PARIS}", f"2027-01-14T20:00:00{PARIS}"],
            ],
        ),
        item("i3", venue=None, mode="online", online_url="https://x.test/", sessions=[]),
    )
    result = run_import(
        city=world.city,
        format=records_format,
        content=file,
        organisation=world.org_a,
        target_status="published",
        dry_run=False,
    )
    assert result.counts["created"] == 3
    from_the_import = search_index(world.city.pk)
    assert len(from_the_import[0]) == entries_before + 3

    indexing.rebuild(world.city)

    assert search_index(world.city.pk) == from_the_import


def test_draft_imports_add_nothing_to_the_search_index(world: World, records_format: str) -> None:
    before = search_index(world.city.pk)

    run_import(
        city=world.city, format=records_format, content=content(item("d1")), organisation=world.org_a, dry_run=False
    )

    assert search_index(world.city.pk) == before


def test_a_file_refused_part_way_reports_no_rows(world: World, records_format: str, settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 2  # the pipeline refuses the third record, after reading two

    result = run_import(
        city=world.city, format=records_format, content=content(item("r1"), item("r2"), item("r3")), dry_run=False,
        organisation=world.org_a,
    )  # fmt: skip

    assert "more than 2 rows" in (result.file_error or "")
    assert (result.rows, sum(result.counts.values())) == ([], 0)
    assert not result.committed


@pytest.mark.parametrize(
    "values",
    [
        {"title_fr": "", "title_en": ""},
        {"age_min": 30, "age_max": 20},
        {"age_max": 500},
        {"is_free": True, "price": Decimal("5")},
        {"is_free": False, "price": None},
        {"is_free": False, "price": Decimal("5.123")},
        {"price": Decimal("123456789")},
        {"kind": "juggling"},
        {"mode": "online", "online_url": ""},
        {"mode": "online", "online_url": "not a link"},
        {"title_fr": "x" * 201, "credential_fr": "y" * 300},
        {"capacity": -1},
        {"reduced_price": Decimal("-2")},
        {},
    ],
)
@pytest.mark.parametrize("venue_id", [None, 0])
def test_rows_are_checked_with_the_messages_of_the_catalogues_full_clean(
    world: World, values: dict[str, Any], venue_id: int | None
) -> None:
    from learningcity.interop import pipeline

    listing = {
        **dict.fromkeys(("title_fr", "title_en", "description_fr", "description_en"), ""),
        **dict.fromkeys(("online_url", "credential_fr", "credential_en"), ""),
        "title_fr": "Atelier",
        "kind": "workshop",
        "mode": "on_site",
        "age_min": 0,
        "age_max": 120,
        "is_free": True,
        "price": None,
        "reduced_price": None,
        "capacity": None,
        "registration_required": False,
        **values,
    }
    opportunity = Opportunity(city=world.city, organisation=world.org_a, venue_id=venue_id, **listing)
    try:
        opportunity.full_clean(
            exclude=["city", "organisation", "venue"], validate_unique=False, validate_constraints=False
        )
        expected: list[tuple[str, str]] = []
    except ValidationError as error:
        expected = [(name, " ".join(messages)) for name, messages in error.message_dict.items()]
    checker = pipeline._Checker()

    for _twice in range(2):  # the second time from what the checker remembers
        assert checker.problems(dict(listing), venue_id=venue_id) == expected


def test_large_files_are_parsed_in_a_second_process_with_the_same_outcome(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from django.utils import translation

    from learningcity.interop.formats import aside

    export = (Path(__file__).parent / "fixtures" / "openagenda_events.json").read_bytes()
    bad_event = json.dumps([{"uid": "x1", "title_fr": "Atelier", "age_min": "douze"}]).encode()

    def outcomes() -> list[tuple[Any, ...]]:
        found = []
        for file, language in ((export, "en"), (export[:-40], "en"), (bad_event, "fr")):
            with translation.override(language):
                result = run_import(city=world.city, format="openagenda", content=file, by=world.users["coordinator"])
            found.append((result.file_error, result.counts, result.rows))
        return found

    here = outcomes()
    monkeypatch.setattr(aside, "ASIDE_FROM_BYTES", 0)
    assert aside.worth_it(len(export))

    assert outcomes() == here
    assert "not valid JSON" in (here[1][0] or "")
    assert "entier" in here[2][2][0]["errors"][0]["reason"]  # the child speaks the importer's language

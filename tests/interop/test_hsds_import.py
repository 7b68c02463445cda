"""HSDS files through the import pipeline: created, unchanged on re-import, updated, refused whole; and round trip."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from learningcity.catalogue.models import Opportunity
from learningcity.interop.exports.hsds import write_hsds
from learningcity.interop.pipeline import run_import
from tests.factories import World, make_city
from tests.interop.conftest import database_state
from tests.interop.test_hsds_api import make_catalogue
from tests.interop.test_hsds_schemas import EXAMPLES

FIXTURE = Path(__file__).parent / "fixtures" / "hsds_services.json"
PARIS = ZoneInfo("Europe/Paris")


def import_hsds(world: World, content: bytes, *, dry_run: bool = False, city: Any = None) -> Any:
    return run_import(
        city=city or world.city,
        format="hsds",
        content=content,
        by=world.users["coordinator"] if city is None else None,
        target_status="published",
        dry_run=dry_run,
    )


def local_starts(opportunity: Opportunity) -> list[str]:
    return [f"{s.start.astimezone(PARIS):%Y-%m-%d %H:%M}" for s in opportunity.sessions.order_by("start")]


def test_a_file_is_imported_then_reimporting_it_changes_nothing(world: World) -> None:
    first = import_hsds(world, FIXTURE.read_bytes())

    assert first.file_error is None, first.file_error
    assert first.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}, first.rows
    workshop = Opportunity.objects.get(source_records__external_id="5f0c6f4e-9f7a-4a43-9a4b-3c2d1e0f1a01")
    assert (workshop.title_fr, workshop.title_en, workshop.mode, workshop.is_free) == (
        "Atelier numérique", "Digital skills workshop", "on_site", True,
    )  # fmt: skip
    assert (workshop.organisation.name, workshop.organisation.siret) == ("Médiathèque des Rives", "73282932000074")
    assert workshop.venue is not None
    assert (workshop.venue.name, workshop.venue.address, workshop.venue.postcode) == (
        "Médiathèque des Rives", "12 quai des Rives", "37000",
    )  # fmt: skip
    assert (workshop.venue.step_free_access, workshop.venue.hearing_loop) == (True, True)
    assert local_starts(workshop) == ["2026-03-17 18:00", "2026-03-24 18:00", "2026-03-31 18:00", "2026-04-07 18:00"]
    assert [block.code for block in workshop.building_blocks.all()] == ["families-communities"]
    assert [language.code for language in workshop.languages.all()] == ["fr"]
    english = Opportunity.objects.get(title_fr="Anglais en ligne")
    assert (english.mode, english.online_url, english.venue) == ("online", "https://visio.example/anglais", None)
    assert (english.price, english.reduced_price, english.status) == (Decimal(40), Decimal(20), "published")
    before = database_state()

    again = import_hsds(world, FIXTURE.read_bytes())

    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert database_state() == before


def test_a_newer_file_updates_what_changed(world: World) -> None:
    import_hsds(world, FIXTURE.read_bytes())
    before = database_state()
    newer = json.loads(FIXTURE.read_text(encoding="utf-8"))
    newer[1]["name"] = "Anglais en ligne, niveau 2"
    newer[1]["schedules"][0] |= {"valid_from": "2026-05-19", "valid_to": "2026-05-19"}

    result = import_hsds(world, json.dumps(newer).encode())

    assert result.counts == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    english = Opportunity.objects.get(source_records__external_id=newer[1]["id"])
    assert (english.title_fr, local_starts(english)) == ("Anglais en ligne, niveau 2", ["2026-05-19 10:00"])
    assert database_state() == before


def test_a_dry_run_reports_each_service_and_writes_nothing(world: World) -> None:
    before = database_state()

    result = import_hsds(world, FIXTURE.read_bytes(), dry_run=True)

    assert (result.counts["created"], result.committed) == (2, False)
    assert [row["title"] for row in result.rows] == ["Atelier numérique", "Anglais en ligne"]
    assert database_state() == before


def test_a_service_it_cannot_read_blocks_the_file_and_the_database_is_unchanged(world: World) -> None:
    before = database_state()
    broken = json.loads(FIXTURE.read_text(encoding="utf-8"))
    broken[1]["cost_options"][0]["currency"] = "GBP"

    with translation.override("en"):
        result = import_hsds(world, json.dumps(broken).encode())
        truncated = import_hsds(world, FIXTURE.read_bytes()[:-40])

    assert not result.committed
    [rejected] = [row for row in result.rows if row["outcome"] == "rejected"]
    assert (rejected["line"], rejected["external_id"]) == (2, broken[1]["id"])
    assert rejected["errors"] == [
        {"field": "cost_options[0].currency", "reason": "Prices must be in euros (EUR); this one is in GBP."}
    ]
    assert truncated.file_error is not None
    assert "not valid JSON" in truncated.file_error
    assert database_state() == before


def test_the_official_example_is_imported_once_in_euros_and_on_the_map(world: World) -> None:
    service = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))
    service["cost_options"][0]["currency"] = "EUR"
    location = service["service_at_locations"][0]["location"]
    as_published = import_hsds(world, json.dumps(service).encode())
    assert as_published.counts["rejected"] == 1
    fields = [error["field"] for error in as_published.rows[0]["errors"]]
    assert fields == ["venue", "languages"], "a latitude of 100 is not on Earth, and Urdu is not offered here"
    location |= {"latitude": 47.3941, "longitude": 0.6848}
    service["languages"][0]["code"] = "en"

    result = import_hsds(world, json.dumps(service).encode())

    assert result.counts["created"] == 1, result.rows
    counselling = Opportunity.objects.get(pk=result.opportunity_ids[0])
    assert (counselling.title_fr, counselling.age_min, counselling.price) == ("Community Counselling", 12, Decimal(35))
    assert counselling.organisation.name == "Example Organization Inc."
    assert counselling.venue is not None
    assert counselling.venue.name == "MyCity Civic Center"


def test_what_is_exported_is_imported_again_the_same(world: World, tmp_path: Path) -> None:
    catalogue = make_catalogue(world)
    write_hsds(world.city, tmp_path)
    content = (tmp_path / "services.json").read_bytes()
    elsewhere = make_city("roundtrip")

    result = import_hsds(world, content, city=elsewhere)

    assert result.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}, result.rows
    for original in [world.published, catalogue.paid]:
        copy = Opportunity.objects.get(city=elsewhere, title_fr=original.title_fr)
        assert (copy.title_en, copy.organisation.name) == (original.title_en, original.organisation.name)
        assert copy.venue is not None
        assert original.venue is not None
        assert (copy.venue.name, copy.venue.address) == (original.venue.name, original.venue.address)
        assert (copy.venue.latitude, copy.venue.longitude) == (original.venue.latitude, original.venue.longitude)
        seconds = [(s.start.replace(microsecond=0), s.end.replace(microsecond=0)) for s in original.sessions.all()]
        assert [(s.start, s.end) for s in copy.sessions.order_by("start")] == sorted(seconds), (
            "HSDS times are to the second"
        )
        assert (copy.mode, copy.online_url, copy.is_free, copy.price) == (
            original.mode, original.online_url, original.is_free, original.price,
        )  # fmt: skip
        assert sorted(t.code for t in copy.topics.all()) == sorted(t.code for t in original.topics.all())
    assert len(local_starts(catalogue.paid)) == 6
    assert {datetime.fromisoformat(s).hour for s in local_starts(catalogue.paid)} == {
        catalogue.paid.sessions.first().start.astimezone(PARIS).hour  # type: ignore[union-attr]
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rejected_file_leaves_nothing_behind_even_outside_a_test_transaction(world: World) -> None:
    before = database_state()
    service = json.loads((EXAMPLES / "service_full.json").read_text(encoding="utf-8"))

    result = import_hsds(world, json.dumps([json.loads(FIXTURE.read_text())[0], service]).encode())

    assert (result.counts["rejected"], result.committed) == (1, False)
    assert database_state() == before

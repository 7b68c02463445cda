"""Declared learning: evidence files checked by content, clear field errors, nothing written on bad input,
edits and removal, and the endorsement by the provider asked (and only them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.passport.models import EntryKind, LearningEntry
from tests.factories import World
from tests.passport.test_record import PDF_BYTES, declared, person

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    settings.PASSPORT_EVIDENCE_MAX_BYTES = 2048
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def form(**fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Pottery", "setting": "informal", "description": "Bowls and cups",
        "provider_name": "My aunt", "started_on": "2025-01-10", "ended_on": "2025-02-10",
    }  # fmt: skip
    values.update(fields)
    return {key: value for key, value in values.items() if value is not None}


def test_it_adds_declared_learning_with_evidence_and_asks_for_endorsement(
    world: World, client_for: Callable[[str], Client], media: Path
) -> None:
    evidence = SimpleUploadedFile("certificate.pdf", PDF_BYTES)
    data = form(evidence_file=evidence, endorsement_requested_from=world.org_a.pk, evidence_url="example.org/pots")
    response = client_for("resident").post(reverse("passport:entry-add"), data)
    assert response.status_code == 302
    entry = LearningEntry.objects.get(title="Pottery")
    assert entry.kind == EntryKind.DECLARED
    assert entry.setting == "informal"
    assert entry.family_member is None
    assert entry.started_on == date(2025, 1, 10)
    assert entry.endorsement_requested_from == world.org_a
    assert entry.evidence_url == "https://example.org/pots"
    assert entry.evidence_file.name.endswith(".pdf")
    assert "certificate" not in entry.evidence_file.name
    served = client_for("resident").get(reverse("passport:evidence", args=[entry.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served.getvalue() == PDF_BYTES
    assert client_for("provider_staff").get(reverse("passport:evidence", args=[entry.pk])).status_code == 200
    assert client_for("other_provider_staff").get(reverse("passport:evidence", args=[entry.pk])).status_code == 404


BAD_INPUT = [
    ("too big", {"evidence_file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 4096)}, "evidence_file",
     "the largest accepted is 2.0"),
    ("not a PDF or image", {"evidence_file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 program")}, "evidence_file",
     "Send a PDF or an image"),
    ("name says another type", {"evidence_file": SimpleUploadedFile("photo.jpg", PDF_BYTES)}, "evidence_file",
     "ends in .jpg but it is a PDF file"),
    ("end before start", {"started_on": "2025-03-01", "ended_on": "2025-02-01"}, "ended_on",
     "The end comes before the start."),
    ("in the future", {"ended_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "ended_on",
     "this date is in the future"),
    ("not a date", {"started_on": "31/02/2025"}, "started_on", "Enter a valid date."),
    ("no title", {"title": ""}, "title", "This field is required."),
    ("bad link", {"evidence_url": "not a link"}, "evidence_url", "Enter a valid URL."),
]  # fmt: skip


@pytest.mark.parametrize(("name", "changes", "field", "message"), BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_bad_input_gets_a_clear_error_on_its_field_and_nothing_is_written(
    world: World, client_for: Callable[[str], Client], media: Path, name: str, changes: dict[str, object], field: str,
    message: str,
) -> None:  # fmt: skip
    with translation.override("en"):
        response = client_for("resident").post(reverse("passport:entry-add"), form(**changes))
        errors = {key: [str(error) for error in value] for key, value in response.context["form"].errors.items()}
    assert response.status_code == 400, name
    assert field in errors, errors
    assert message in " ".join(errors[field]), errors
    page = response.content.decode()
    assert 'class="errorlist-summary"' in page
    assert f'href="#id_{field}"' in page
    assert not LearningEntry.objects.exists()
    assert stored_files(media) == []


def test_every_error_shows_at_once(world: World, client_for: Callable[[str], Client], media: Path) -> None:
    data = form(started_on="2025-03-01", ended_on="2025-02-01",
                evidence_file=SimpleUploadedFile("notes.txt", b"just text"))  # fmt: skip
    with translation.override("en"):
        response = client_for("resident").post(reverse("passport:entry-add"), data)
    assert set(response.context["form"].errors) == {"ended_on", "evidence_file"}
    assert stored_files(media) == []


def test_it_edits_declared_learning_and_replaces_the_evidence(
    world: World, client_for: Callable[[str], Client], media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    entry = declared(person(world), evidence_file=ContentFile(PDF_BYTES, "old.pdf"))
    old = Path(entry.evidence_file.path)
    with translation.override("en"):
        url = reverse("passport:entry-edit", args=[entry.pk])
        page = client_for("resident").get(url).content.decode()
    assert 'value="Pottery"' in page
    assert "Remove the file sent before" in page
    data = form(title="Stoneware", evidence_file=SimpleUploadedFile("new.png", PNG_BYTES))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("resident").post(url, data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Stoneware"
    assert entry.evidence_file.name.endswith(".png")
    assert not old.exists()
    assert len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client_for("resident").post(url, form(title="Stoneware", remove_evidence="on"))
    entry.refresh_from_db()
    assert not entry.evidence_file
    assert stored_files(media) == []


def test_attendance_and_achievements_cannot_be_edited_or_removed_one_by_one(
    world: World, client_for: Callable[[str], Client]
) -> None:
    resident = person(world)
    attended = LearningEntry.objects.create(user=resident, kind=EntryKind.ATTENDED, title="Workshop")
    client = client_for("resident")
    assert client.get(reverse("passport:entry-edit", args=[attended.pk])).status_code == 404
    assert client.post(reverse("passport:entry-delete", args=[attended.pk])).status_code == 404
    assert LearningEntry.objects.filter(pk=attended.pk).exists()


def test_removing_declared_learning_deletes_its_file(
    world: World, client_for: Callable[[str], Client], media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    entry = declared(person(world), evidence_file=ContentFile(PDF_BYTES, "e.pdf"))
    with translation.override("en"):
        confirm = client_for("resident").get(reverse("passport:entry-delete", args=[entry.pk])).content.decode()
    assert "Remove “Pottery” from the record?" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("resident").post(reverse("passport:entry-delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not LearningEntry.objects.filter(pk=entry.pk).exists()
    assert stored_files(media) == []


def test_only_the_provider_asked_endorses_and_the_record_says_so(
    world: World, client_for: Callable[[str], Client]
) -> None:
    entry = declared(person(world), endorsement_requested_from=world.org_a)
    with translation.override("en"):
        queue = client_for("provider_staff").get(reverse("passport:endorsements")).content.decode()
        other_queue = client_for("other_provider_staff").get(reverse("passport:endorsements")).content.decode()
    assert "Pottery" in queue
    assert "Alice" in queue
    assert "Pottery" not in other_queue
    assert "Nothing to endorse." in other_queue
    decide = reverse("passport:endorsement-decide", args=[entry.pk])
    assert client_for("other_provider_staff").post(decide, {"decision": "endorse"}).status_code == 404
    assert client_for("provider_staff").post(decide, {"decision": "endorse"}).status_code == 302
    entry.refresh_from_db()
    assert entry.endorsed_by == world.org_a
    assert entry.endorsed_at is not None
    with translation.override("en"):
        page = client_for("resident").get(reverse("passport:record")).content.decode()
    assert f"Endorsed by {world.org_a.name} on" in page.replace("&#x27;", "'")
    assert client_for("provider_staff").post(decide, {"decision": "endorse"}).status_code == 404  # answered


def test_declining_clears_the_request(world: World, client_for: Callable[[str], Client]) -> None:
    entry = declared(person(world), endorsement_requested_from=world.org_a)
    client_for("provider_staff").post(reverse("passport:endorsement-decide", args=[entry.pk]), {"decision": "decline"})
    entry.refresh_from_db()
    assert entry.endorsement_requested_from is None
    assert entry.endorsed_by is None
    assert client_for("provider_staff").get(reverse("passport:evidence", args=[entry.pk])).status_code == 404


def test_changing_endorsed_learning_drops_the_endorsement(world: World, client_for: Callable[[str], Client]) -> None:
    entry = declared(person(world), endorsement_requested_from=world.org_a, endorsed_by=world.org_a,
                     endorsed_at=timezone.now())  # fmt: skip
    url = reverse("passport:entry-edit", args=[entry.pk])
    unchanged = form(description="", provider_name="", started_on=None, ended_on=None,
                     endorsement_requested_from=world.org_a.pk)  # fmt: skip
    client_for("resident").post(url, unchanged)
    entry.refresh_from_db()
    assert entry.endorsed_by == world.org_a  # saving without a change keeps it
    client_for("resident").post(url, {**unchanged, "title": "Porcelain"})
    entry.refresh_from_db()
    assert entry.endorsed_by is None
    assert entry.endorsement_requested_from == world.org_a

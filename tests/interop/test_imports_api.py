"""The imports API: upload, poll the check, read the report, commit; across the six roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from learningcity.catalogue.models import Opportunity, Status
from learningcity.interop.models import ImportJob
from tests.factories import World
from tests.interop.conftest import run_worker

CALENDAR = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//Imports API//FR\r
BEGIN:VEVENT\r
UID:api-1@test\r
DTSTAMP:20261101T090000Z\r
DTSTART;TZID=Europe/Paris:20261210T180000\r
DTEND;TZID=Europe/Paris:20261210T200000\r
SUMMARY:Atelier de couture\r
LOCATION:M\xc3\xa9diath\xc3\xa8que A venue\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:api-2@test\r
DTSTAMP:20261101T090000Z\r
DTSTART;TZID=Europe/Paris:20261211T180000\r
DTEND;TZID=Europe/Paris:20261211T200000\r
SUMMARY:Club de lecture\r
LOCATION:M\xc3\xa9diath\xc3\xa8que A venue\r
END:VEVENT\r
END:VCALENDAR\r
"""


def upload(client: Client, organisation_id: int, **fields: Any) -> Any:
    data = {"file": SimpleUploadedFile("agenda.ics", CALENDAR), "organisation_id": organisation_id, **fields}
    return client.post("/api/v1/imports", data)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upload_check_report_and_commit() -> None:
    from tests.factories import make_world

    world = make_world()
    client = Client(enforce_csrf_checks=False)
    staff = world.users["provider_staff"]
    assert staff is not None
    client.force_login(staff)
    created = upload(client, world.org_a.pk)
    assert created.status_code == 202, created.content
    job = created.json()
    assert job["format"] == "ics"  # recognised from the file
    assert job["status"] == "queued"
    run_worker()
    checked = client.get(f"/api/v1/imports/{job['id']}").json()
    assert checked["status"] == "checked"
    assert checked["counts"]["created"] == 2
    assert {row["title"] for row in checked["rows"]} == {"Atelier de couture", "Club de lecture"}
    assert not Opportunity.objects.filter(title_fr="Atelier de couture").exists()
    committed = client.post(f"/api/v1/imports/{job['id']}/commit", {}, content_type="application/json")
    assert committed.status_code == 202
    run_worker()
    done = client.get(f"/api/v1/imports/{job['id']}", {"outcome": "created", "limit": "1"}).json()
    assert done["status"] == "done"
    assert done["rows_total"] == 2
    assert len(done["rows"]) == 1
    listing = Opportunity.objects.get(title_fr="Atelier de couture")
    assert listing.status == Status.DRAFT
    assert listing.venue == world.org_a.venues.get()
    again = client.post(f"/api/v1/imports/{job['id']}/commit", {}, content_type="application/json")
    assert again.status_code == 409


@pytest.mark.django_db
def test_bad_uploads_get_a_clear_error(world: World) -> None:
    client = Client()
    staff = world.users["provider_staff"]
    assert staff is not None
    client.force_login(staff)
    unknown = client.post("/api/v1/imports", {"file": SimpleUploadedFile("notes.bin", b"\x00\x01\x02")})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"][0]["field"] == "format"
    elsewhere = upload(client, 999_999)
    assert elsewhere.status_code == 400
    assert elsewhere.json()["error"]["details"][0]["field"] == "organisation_id"
    publish = upload(client, world.org_a.pk, target_status="published")
    assert publish.status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "upload_status", "read_status"),
    [
        ("anonymous", 401, 401),
        ("resident", 403, 403),
        ("other_resident", 403, 403),
        ("provider_staff", 202, 200),
        ("other_provider_staff", 403, 403),
        ("coordinator", 202, 200),
    ],
)
def test_who_may_upload_and_read_an_import(
    world: World, client_for: Any, role: str, upload_status: int, read_status: int
) -> None:
    job = ImportJob.objects.create(
        city=world.city, organisation=world.org_a, format="ics", source="ics:a", filename="a.ics", content=b"x", size=1
    )
    client = client_for(role)
    assert upload(client, world.org_a.pk).status_code == upload_status
    assert client.get(f"/api/v1/imports/{job.pk}").status_code == read_status
    commit = client.post(f"/api/v1/imports/{job.pk}/commit", {}, content_type="application/json")
    assert commit.status_code == (409 if read_status == 200 else read_status)

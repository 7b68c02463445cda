"""`learningcity backup` and `restore`: a round trip keeps the city, and bad archives are refused."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.backup import backup, restore
from learningcity.catalogue.models import Opportunity, Organisation, Session, Venue
from learningcity.enrolment.models import Registration
from learningcity.enrolment.services import registration_create
from learningcity.passport import services as passport_services
from learningcity.passport import verification
from learningcity.passport.models import Achievement, Award
from tests.factories import World, make_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def city_with_everything(media: Path) -> World:
    """The personas' city, a registration, an award with a badge image, and one more uploaded file."""
    world = make_world()
    User.objects.update(email_verified_at=timezone.now())
    world.users["resident"].refresh_from_db()  # type: ignore[union-attr]
    Opportunity.objects.filter(pk=world.published.pk).update(registration_required=True, capacity=10)
    registration_create(session=Session.objects.get(opportunity=world.published), by=world.users["resident"])
    achievement = Achievement.objects.create(
        city=world.city, organisation=world.org_a, name_fr="Atelier", name_en="Workshop",
        description_fr="Bases.", description_en="Basics.", criteria_fr="Venir", criteria_en="Come",
    )  # fmt: skip
    achievement.image.save("badge.png", ContentFile(PNG))
    holder = passport_services.Holder(user=world.users["other_resident"])
    passport_services.award(achievement, holder, by=None, method="hand")
    (media / "imports").mkdir(parents=True)
    (media / "imports" / "list.csv").write_text("title\nAquarelle\n")
    return world


def state(media: Path) -> dict[str, Any]:
    """What a user of the city would notice, in comparable form."""
    return {
        "opportunities": list(Opportunity.objects.order_by("pk").values_list("pk", "title_fr", "status")),
        "sessions": list(Session.objects.order_by("pk").values_list("pk", "opportunity_id", "start", "end")),
        "organisations": list(Organisation.objects.order_by("pk").values_list("pk", "name")),
        "venues": list(Venue.objects.order_by("pk").values_list("pk", "name", "organisation_id")),
        "registrations": list(Registration.objects.order_by("pk").values_list("pk", "session_id", "status")),
        "awards": [(award.uuid, verification.verify(award.jwt).outcome) for award in Award.objects.order_by("pk")],
        "files": {path.relative_to(media).as_posix(): path.read_bytes() for path in media.rglob("*") if path.is_file()},
    }


def run(command: Any, *arguments: str) -> Any:
    return CliRunner().invoke(command, list(arguments), catch_exceptions=False)


def test_it_restores_the_city_and_its_files_as_they_were(media: Path, tmp_path: Path) -> None:
    city_with_everything(media)
    before = state(media)
    assert [outcome for _uuid, outcome in before["awards"]] == ["valid"]
    archive = tmp_path / "city.backup"

    result = run(backup, "--output", str(archive))
    assert result.exit_code == 0, result.output
    assert "PASSPORT_KEY_ENCRYPTION_KEYS" in result.output  # the warning about keys kept apart

    call_command("flush", interactive=False, verbosity=0)
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    (media / "stray.txt").write_text("written after the backup")
    assert Opportunity.objects.count() == 0

    result = run(restore, str(archive))
    assert result.exit_code == 0, result.output
    assert state(media) == before
    # The issuers' keys came back too: a new award can be signed, and it verifies.
    new = passport_services.award(
        Achievement.objects.get(), passport_services.Holder(user=make_holder()), by=None, method="hand"
    )
    assert verification.verify(new.jwt).outcome == "valid"


def make_holder() -> Any:
    from tests.factories import make_user

    return make_user("new@resident.test")


def test_it_refuses_to_overwrite_a_database_with_data_without_force(media: Path, tmp_path: Path) -> None:
    city_with_everything(media)
    archive = tmp_path / "city.backup"
    run(backup, "--output", str(archive))
    Opportunity.objects.filter(status="published").update(title_fr="Changé après la sauvegarde")

    result = CliRunner().invoke(restore, [str(archive)])

    assert result.exit_code == 1
    assert "not empty; use --force" in result.output
    assert Opportunity.objects.filter(title_fr="Changé après la sauvegarde").exists()
    assert run(restore, str(archive), "--force").exit_code == 0
    assert not Opportunity.objects.filter(title_fr="Changé après la sauvegarde").exists()


def rewrite(archive: Path, change: Any) -> None:
    """Rewrite the archive's members through `change(name, data) -> data`."""
    with tarfile.open(archive) as source:
        files = [member for member in source.getmembers() if member.isfile()]
        members = [(member.name, source.extractfile(member).read()) for member in files]  # type: ignore[union-attr]
    with tarfile.open(archive, "w") as target:
        for name, data in members:
            data = change(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))


def corrupt_a_file(name: str, data: bytes) -> bytes:
    return data + b"!" if name.endswith(".csv") else data


def other_engine(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["engine"] = "oracle"
    return json.dumps(manifest).encode()


def newer_version(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["migrations"].append(["catalogue", "9999_from_the_future"])
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (corrupt_a_file, "does not match its checksum"),
        (other_engine, "This backup is of a oracle database"),
        (newer_version, "newer version of learningcity"),
    ],
    ids=["corrupted", "other engine", "newer version"],
)
def test_it_refuses_a_bad_archive_and_changes_nothing(media: Path, tmp_path: Path, change: Any, message: str) -> None:
    city_with_everything(media)
    archive = tmp_path / "city.backup"
    run(backup, "--output", str(archive))
    rewrite(archive, change)
    Opportunity.objects.update(title_fr="Après")
    before = state(media)

    result = CliRunner().invoke(restore, [str(archive), "--force"])

    assert result.exit_code == 1
    assert message in result.output
    assert state(media) == before


def test_it_refuses_a_truncated_archive(media: Path, tmp_path: Path) -> None:
    city_with_everything(media)
    archive = tmp_path / "city.backup"
    run(backup, "--output", str(archive))
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    result = CliRunner().invoke(restore, [str(archive), "--force"])

    assert result.exit_code == 1
    assert "cannot be read" in result.output or "does not match its manifest" in result.output


def test_the_archive_is_readable_by_its_owner_only(media: Path, tmp_path: Path) -> None:
    city_with_everything(media)
    archive = tmp_path / "city.backup"
    run(backup, "--output", str(archive))
    assert archive.stat().st_mode & 0o777 == 0o600


def test_it_refuses_an_archive_with_a_link_or_an_unnamed_file_before_writing_anything(
    media: Path, tmp_path: Path
) -> None:
    city_with_everything(media)
    archive = tmp_path / "city.backup"
    run(backup, "--output", str(archive))
    with tarfile.open(archive, "a") as appended:
        link = tarfile.TarInfo("media/escape")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        appended.addfile(link)
    before = state(media)

    result = CliRunner().invoke(restore, [str(archive), "--force"])

    assert result.exit_code == 1
    assert "its manifest does not name as a file: media/escape" in result.output
    assert state(media) == before

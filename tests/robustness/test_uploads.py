"""Uploads over their limits are refused naming the limit; a disk that fills during an upload gives a
clear 507, and leaves no partial file and no row (a real 1 MiB tmpfs, mounted for the test)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.passport.models import LearningEntry
from tests.factories import World
from tests.passport.test_record import PDF_BYTES

pytestmark = pytest.mark.django_db

ENTRY = {"title": "Pottery", "setting": "informal", "description": "Bowls", "provider_name": "My aunt",
         "started_on": "2025-01-10", "ended_on": "2025-02-10"}  # fmt: skip


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB filesystem (tmpfs); skipped where the sandbox may not mount one."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True)  # noqa: S603, S607
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.decode().strip()}); needs root")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)  # noqa: S603, S607


def files_in(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_it_says_the_disk_is_full_and_keeps_nothing_when_evidence_fills_it(
    world: World, client_for: Callable[[str], Client], small_disk: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = small_disk
    evidence = SimpleUploadedFile("certificate.pdf", PDF_BYTES + b"0" * (1536 * 1024))  # 1.5 MiB, under its limit

    with translation.override("en"):
        address = reverse("passport:entry-add")
    response = client_for("resident").post(address, {**ENTRY, "evidence_file": evidence})

    assert response.status_code == 507
    assert "no room left" in response.content.decode()
    assert not LearningEntry.objects.filter(title="Pottery").exists()
    assert files_in(small_disk) == [], "no partial file"


def test_it_says_the_disk_is_full_when_the_upload_cannot_even_be_received(
    world: World, client_for: Callable[[str], Client], small_disk: Path, settings: Any
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = small_disk
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # bigger uploads are spooled to the (full) temporary folder
    evidence = SimpleUploadedFile("certificate.pdf", PDF_BYTES + b"0" * (1536 * 1024))

    response = client_for("resident").post(reverse("passport:entry-add"), {**ENTRY, "evidence_file": evidence})

    assert response.status_code == 507
    assert not LearningEntry.objects.exists()
    assert files_in(small_disk) == []


def test_it_refuses_evidence_over_the_limit_naming_it(
    world: World, client_for: Callable[[str], Client], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.PASSPORT_EVIDENCE_MAX_BYTES = 2048
    evidence = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 4096)

    with translation.override("en"):
        response = client_for("resident").post(reverse("passport:entry-add"), {**ENTRY, "evidence_file": evidence})

    assert response.status_code == 400
    assert "the largest accepted is 2.0" in response.content.decode()
    assert files_in(tmp_path) == []

"""`learningcity import`, as an operator runs it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from learningcity.catalogue.models import Opportunity, Status
from learningcity.cli import main
from tests.factories import World

pytestmark = pytest.mark.django_db

HEADINGS = "Identifiant;Titre;Date de début;Date de fin;Lieu;Latitude;Longitude;Âge min\n"


def write(path: Path, *rows: str) -> Path:
    path.write_text(HEADINGS + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_dry_run_then_import_then_again(world: World, tmp_path: Path) -> None:
    file = write(
        tmp_path / "offres.csv",
        "C1;Atelier vélo;10/12/2026 18:00;10/12/2026 20:00;Garage solidaire;47,395;0,695;12",
        "C2;Repair café;12/12/2026 14:00;12/12/2026 17:00;Garage solidaire;47,395;0,695;",
    )
    command = ["import", "--format", "csv", "--organisation", str(world.org_a.pk), "--status", "published"]
    dry = CliRunner().invoke(main, [*command, "--dry-run", str(file)])
    assert dry.exit_code == 0, dry.output
    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in dry.output
    assert "Dry run: nothing was written." in dry.output
    assert not Opportunity.objects.filter(title_fr="Atelier vélo").exists()

    real = CliRunner().invoke(main, [*command, str(file)])
    assert real.exit_code == 0, real.output
    listing = Opportunity.objects.get(title_fr="Atelier vélo")
    assert listing.status == Status.PUBLISHED
    assert listing.age_min == 12
    assert listing.sessions.get().start.isoformat() == "2026-12-10T17:00:00+00:00"

    again = CliRunner().invoke(main, [*command, str(file)])
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in again.output


def test_rejected_rows_write_nothing_and_say_where(world: World, tmp_path: Path) -> None:
    file = write(
        tmp_path / "offres.csv",
        "C1;Atelier vélo;10/12/2026 18:00;10/12/2026 20:00;Garage solidaire;47,395;0,695;12",
        "C2;Repair café;le 12 décembre;12/12/2026 17:00;Garage solidaire;47,395;0,695;",
    )
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(
        main, ["import", "--format", "csv", "--organisation", str(world.org_a.pk), "--report", str(report), str(file)]
    )
    assert result.exit_code == 1
    assert "line 3" in result.output
    assert "nothing was written" in result.output
    assert not Opportunity.objects.filter(title_fr="Atelier vélo").exists()
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(row["line"], row["outcome"]) for row in rows] == [("2", "created"), ("3", "rejected")]

    skipped = CliRunner().invoke(
        main, ["import", "--format", "csv", "--organisation", str(world.org_a.pk), "--skip-rejected", str(file)]
    )
    assert skipped.exit_code == 0, skipped.output
    assert Opportunity.objects.filter(title_fr="Atelier vélo").exists()


def test_unreadable_files_and_wrong_options_fail_cleanly(world: World, tmp_path: Path) -> None:
    garbage = tmp_path / "agenda.json"
    garbage.write_bytes(b'[{"uid": "1", "title_fr": "x"')
    result = CliRunner().invoke(main, ["import", "--format", "openagenda", str(garbage)])
    assert result.exit_code == 1
    assert "Nothing was written" in result.output
    assert "Traceback" not in result.output
    elsewhere = CliRunner().invoke(main, ["import", "--format", "ics", "--organisation", "999999", str(garbage)])
    assert elsewhere.exit_code == 1
    assert "No organisation 999999" in elsewhere.output
    wrong = CliRunner().invoke(main, ["import", "--format", "pdf", str(garbage)])
    assert wrong.exit_code == 2


def test_an_import_drops_the_public_pages_kept_for_visitors_but_a_dry_run_does_not(
    world: World, tmp_path: Path
) -> None:
    from learningcity.public_cache import catalogue_version

    file = write(tmp_path / "offres.csv", "C1;Atelier vélo;10/12/2026 18:00;10/12/2026 20:00;Garage;47,395;0,695;12")
    command = ["import", "--format", "csv", "--organisation", str(world.org_a.pk), "--status", "published"]
    kept = catalogue_version()
    assert CliRunner().invoke(main, [*command, "--dry-run", str(file)]).exit_code == 0
    assert catalogue_version() == kept
    assert CliRunner().invoke(main, [*command, str(file)]).exit_code == 0
    assert catalogue_version() != kept

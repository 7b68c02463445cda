"""The progress report: a PDF or HTML document a coordinator could send, from the page or the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client

from learningcity.cli import main
from tests.conftest import ROLES
from tests.factories import World


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_gives_the_report_only_to_coordinators(
    world: World, client_for: Callable[[str], Client], role_index: int
) -> None:
    expected = [302, 403, 403, 403, 403, 200][role_index]
    assert client_for(ROLES[role_index]).get("/en/coordinate/indicators/report.html").status_code == expected


def test_it_writes_a_pdf_and_an_html_report(world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    pdf, html = tmp_path / "report.pdf", tmp_path / "report.html"
    result = runner.invoke(main, ["report", "--year", "2026", "--output", str(pdf), "--city", "testville"])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    result = runner.invoke(main, ["report", "--year", "2026", "--format", "html", "--language", "en",
                                  "--output", str(html), "--city", "testville"])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert page.count("<h3>") == 12
    assert "Inclusive learning in the education system" in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", ""), "the report loads nothing from anywhere"


def test_it_serves_the_pdf_in_the_pages_language(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").get("/fr/coordinate/indicators/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client_for("coordinator").get("/fr/coordinate/indicators/report.docx").status_code == 404


def test_it_refuses_a_report_year_out_of_range(world: World) -> None:
    result = CliRunner().invoke(main, ["report", "--year", "1850", "--output", "x.pdf"])
    assert result.exit_code == 2
    assert "--year" in result.output


def test_it_reports_the_years_learning_festival(world: World) -> None:
    from learningcity.monitoring.report import report_html
    from tests.festival.conftest import make_programme

    programme = make_programme(world)
    year = programme.festival.starts_on.year
    page = report_html(world.city, year, "en")
    assert "Learning festival: Learning fair" in page
    assert "By district of the event" in page
    assert "By age band of the people registered" in page
    assert "Learning festival:" not in report_html(world.city, year - 1, "en"), "no festival that year, no section"

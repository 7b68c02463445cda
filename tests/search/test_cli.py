"""`learningcity search`: rebuild the index and search from the command line, as an operator does."""

from __future__ import annotations

from click.testing import CliRunner

from learningcity.catalogue.models import Opportunity
from learningcity.cli import main
from learningcity.search.models import SearchEntry
from tests.search.conftest import Catalogue


def test_rebuild_restores_a_lost_index(catalogue: Catalogue) -> None:
    SearchEntry.objects.all().delete()
    result = CliRunner().invoke(main, ["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "8 published listings" in result.output
    assert SearchEntry.objects.count() == Opportunity.objects.filter(status="published").count()


def test_query_prints_what_the_page_would_show(catalogue: Catalogue) -> None:
    result = CliRunner().invoke(main, ["search", "query", "q=theatre&age=30", "--city", "testville"])
    assert result.exit_code == 0, result.output
    assert "1 results" in result.output
    assert "Théâtre d'improvisation" in result.output


def test_query_reports_bad_parameters_by_name(catalogue: Catalogue) -> None:
    result = CliRunner().invoke(main, ["search", "query", "radius=900&near_district=01", "--city", "testville"])
    assert result.exit_code == 1
    assert "radius" in result.output


def test_query_says_when_a_spelling_was_fixed(catalogue: Catalogue) -> None:
    result = CliRunner().invoke(main, ["search", "query", "q=aqarelle", "--city", "testville"])
    assert result.exit_code == 0, result.output
    assert "Showing results for: aquarelle" in result.output

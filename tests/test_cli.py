"""The `learningcity` command, as an operator uses it."""

from __future__ import annotations

from click.testing import CliRunner

from learningcity.cli import main


def test_it_lists_every_operator_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in [
        "demo",
        "demo-city",
        "serve",
        "worker",
        "migrate",
        "openapi",
        "manage",
        "backup",
        "restore",
        "privacy",
        "api-token",
    ]:
        assert f"  {command} " in result.output


def test_it_confirms_the_committed_openapi_document_is_current(db: None) -> None:
    result = CliRunner().invoke(main, ["openapi", "--check", "--output", "docs/openapi.json"])
    assert result.exit_code == 0, result.output


def test_it_reports_a_stale_openapi_document_clearly(db: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stale = tmp_path / "openapi.json"
    stale.write_text("{}")
    result = CliRunner().invoke(main, ["openapi", "--check", "--output", str(stale)])
    assert result.exit_code == 1
    assert "out of date" in result.output


def test_it_refuses_nonsense_options() -> None:
    result = CliRunner().invoke(main, ["demo-city", "--size", "0"])
    assert result.exit_code == 2
    assert "--size" in result.output

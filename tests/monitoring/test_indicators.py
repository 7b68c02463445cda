"""A city's indicators under UNESCO's framework: defaults installed, statistics imported all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.test import Client

from learningcity.cli import main
from learningcity.monitoring.models import CityIndicator, StatisticValue
from learningcity.monitoring.services import indicators_install, statistics_import
from tests.factories import World


def statistic_code(world: World) -> str:
    return str(CityIndicator.objects.filter(city=world.city, source="statistic").values_list("code", flat=True)[0])


def test_it_installs_every_sub_area_once(world: World) -> None:
    added = indicators_install(city=world.city)
    assert added >= 30
    assert len(set(CityIndicator.objects.filter(city=world.city).values_list("sub_area", flat=True))) == 12
    assert indicators_install(city=world.city) == 0, "installing again adds nothing"


def test_it_imports_statistics_and_replaces_them_with_newer_files(world: World) -> None:
    indicators_install(city=world.city)
    code = statistic_code(world)
    assert statistics_import(
        city=world.city, csv_text=f"indicator;area;year;value;source\n{code};Testville;2024;11,5;INSEE\n"
    ) == (1, 0)
    assert statistics_import(
        city=world.city, csv_text=f"indicator,area,year,value,source\n{code},Testville,2024,12,INSEE 2\n"
    ) == (0, 1)
    value = StatisticValue.objects.get()
    assert (value.value, value.source) == (12.0, "INSEE 2")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("indicator,area,year,value,source\n{code},Testville,2O24,1,X\n", "line 2"),
        ("indicator,area,year,value,source\n{code},Testville,2024,1,X\nno-such-indicator,Testville,2024,1,X\n",
         "no-such-indicator"),
        ("area,year,value\nTestville,2024,1\n", "source"),
    ],
)  # fmt: skip
def test_it_imports_nothing_from_a_file_with_a_bad_row(world: World, body: str, message: str) -> None:
    indicators_install(city=world.city)
    with pytest.raises(ValidationError, match=message):
        statistics_import(city=world.city, csv_text=body.format(code=statistic_code(world)))
    assert not StatisticValue.objects.exists()


def test_it_offers_the_same_through_the_command_line(world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["install-indicators", "--city", "testville"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "stats.csv"
    path.write_text(f"indicator,area,year,value,source\n{statistic_code(world)},Testville,2023,7.5,Eurostat\n")
    result = runner.invoke(main, ["import-statistics", str(path), "--city", "testville"])
    assert result.exit_code == 0, result.output
    assert "1 values created" in result.output
    path.write_text("indicator,area,year,value,source\nbogus,Testville,2023,x,Eurostat\n")
    result = runner.invoke(main, ["import-statistics", str(path), "--city", "testville"])
    assert result.exit_code == 1
    assert StatisticValue.objects.count() == 1


def test_it_lets_coordinators_retire_indicators_of_their_city_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    indicators_install(city=world.city)
    indicator = CityIndicator.objects.filter(city=world.city).first()
    assert indicator is not None
    client = client_for("coordinator")
    assert client.get(f"/en/admin/monitoring/cityindicator/{indicator.pk}/change/").status_code == 200
    assert client_for("provider_staff").get("/en/admin/monitoring/cityindicator/").status_code == 302

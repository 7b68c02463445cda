"""Each indicator's trend over the years and its gap to target, on the dashboard and in the report."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration
from learningcity.monitoring.report import report_html
from learningcity.monitoring.services import indicators_install, statistics_import
from tests.factories import World, make_user

THIS_YEAR = timezone.localdate().year


def import_neet(world: World, values: list[float]) -> None:
    """Young people NEET (lower is better, target 10) for the last len(values) years, oldest first."""
    lines = [f"neet-young-people,Testville,{THIS_YEAR - len(values) + 1 + i},{value},INSEE"
             for i, value in enumerate(values)]  # fmt: skip
    statistics_import(city=world.city, csv_text="indicator,area,year,value,source\n" + "\n".join(lines) + "\n")


def take_part(world: World, year: int, people: int) -> None:
    """`people` residents who attended a session of the published offer in June of `year`."""
    start = timezone.make_aware(datetime(year, 6, 10, 18))
    session = Session.objects.create(opportunity=world.published, start=start, end=start + timedelta(hours=2))
    for number in range(people):
        user = make_user(f"learner{year}-{number}@resident.test", year_of_birth=1980, sex="F")
        Registration.objects.create(user=user, session=session, attended=True)


def row_of(response: Any, code: str) -> dict[str, Any]:
    rows = [row for section in response.context["sections"] for sub in section["subs"] for row in sub["rows"]]
    return next(row for row in rows if row["indicator"].code == code)


def test_it_draws_a_lower_is_better_trend_and_its_gap_to_target(
    world: World, client_for: Callable[[str], Client]
) -> None:
    indicators_install(city=world.city)
    import_neet(world, [16.0, 14.0, 12.5])
    response = client_for("coordinator").get("/en/coordinate/indicators/")
    row = row_of(response, "neet-young-people")
    assert row["points"] == [(THIS_YEAR - 2, 16.0), (THIS_YEAR - 1, 14.0), (THIS_YEAR, 12.5)]
    assert row["movement"].improving is True, "a fall is progress when lower is better"
    page = response.content.decode()
    svg = re.search(r'<svg[^>]*aria-labelledby="trend-neet-young-people-title[^"]*"[^>]*>.*?</svg>', page, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert f"Trend of “Young people not in employment, education or training”, {THIS_YEAR - 2}–{THIS_YEAR}" in page
    assert f"Down 3.5 since {THIS_YEAR - 2}: progress. (Lower is better.)" in page
    assert "2.5 above the target of 10 (lower is better)." in page
    assert re.search(rf"<th scope=\"row\">{THIS_YEAR - 1}</th><td class=\"number\">14</td>", page), "the data table"


def test_it_computes_past_years_from_registrations(world: World, client_for: Callable[[str], Client]) -> None:
    take_part(world, THIS_YEAR - 1, 12)
    take_part(world, THIS_YEAR, 30)
    response = client_for("coordinator").get("/en/coordinate/indicators/")
    points = row_of(response, "participation-rate")["points"]
    assert points == [(THIS_YEAR - 1, pytest.approx(0.12)), (THIS_YEAR, pytest.approx(0.30))], "per 100 of 10,000"
    page = response.content.decode()
    assert 'aria-labelledby="trend-participation-rate-title' in page
    assert "below the target of 15." in page, "higher is better: the gap is below the target"
    offers = row_of(response, "free-offers")
    assert offers["trend"] is None, "offers are counted as they are today: no history is drawn"
    assert offers["gap"] is not None
    assert offers["gap"].met is True


def test_it_puts_the_same_charts_in_the_report(world: World) -> None:
    indicators_install(city=world.city)
    import_neet(world, [9.0, 11.0])
    page = report_html(world.city, THIS_YEAR, "en")
    assert 'aria-labelledby="trend-neet-young-people-title' in page
    assert f"Up 2 since {THIS_YEAR - 1}: moving away from the target. (Lower is better.)" in page
    assert "1 above the target of 10 (lower is better)." in page
    french = report_html(world.city, THIS_YEAR, "fr")
    assert "Jeunes ni en emploi" in french
    assert 'aria-labelledby="trend-neet-young-people-title' in french

"""The coordinator's indicator dashboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import ROLES
from tests.factories import World

URL = "/en/coordinate/indicators/"


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_shows_indicators_only_to_coordinators(
    world: World, client_for: Callable[[str], Client], role_index: int
) -> None:
    assert client_for(ROLES[role_index]).get(URL).status_code == [302, 403, 403, 403, 403, 200][role_index]


def test_it_lists_all_twelve_sub_areas_with_values_from_the_catalogue(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("coordinator").get(URL, {"year": "nonsense"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<h3>") == 12
    assert "Inclusive learning in the education system" in page
    rows = [row for section in response.context["sections"] for sub in section["subs"] for row in sub["rows"]]
    free = next(row for row in rows if row["indicator"].code == "free-offers")
    assert free["value"] == pytest.approx(100.0), "the one published offer is free"


def test_it_feeds_the_walk_to_a_free_offer_from_the_learning_deserts(world: World) -> None:
    from learningcity.catalogue.models import District, Venue
    from learningcity.monitoring.indicator_tables import free_offer_access

    for code, west in [("01", 0.68), ("02", 0.70)]:
        ring = [[west, 47.38], [west + 0.02, 47.38], [west + 0.02, 47.395], [west, 47.395], [west, 47.38]]
        District.objects.filter(city=world.city, code=code).update(boundary={"type": "Polygon", "coordinates": [ring]})
    Venue.objects.filter(city=world.city).update(latitude=47.387, longitude=0.69)  # in district 01
    table = free_offer_access(world.city).groupby("district")[["population", "population_within"]].sum()
    population, within = table["population"].to_dict(), table["population_within"].to_dict()
    assert population == pytest.approx({"01": 5000, "02": 5000})
    assert within["02"] < within["01"], "the district without the venue is further from a free offer"


def test_it_shows_who_is_not_reached_without_small_groups(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").get(URL)
    assert "Who is not reached" in response.content.decode()
    rows = response.context["not_reached"]
    assert all(row["people"] is None or row["people"] >= 10 for row in rows), "no group under 10 is published"


def test_it_says_which_method_choices_move_the_ranking(client_for: Callable[[str], Client], world: World) -> None:
    import pandas as pd

    from analytics.indicators import load_framework
    from learningcity.monitoring.dashboard import district_index

    framework = load_framework()
    codes = ["free-offers", "step-free-offers", "family-offers", "senior-offers"]
    cells = pd.DataFrame(
        [{"indicator": code, "district": f"D{unit}", "value": float((unit * (3 + k)) % 17 + k)}
         for k, code in enumerate(codes) for unit in range(8)]
    )  # fmt: skip
    summary, used, drivers = district_index(framework, cells, runs=50)
    assert summary is not None
    assert sorted(used) == sorted(codes)
    assert drivers is not None
    assert set(drivers.index) >= {"normalisation", "aggregation", "weights"}
    assert ((drivers["ST"] >= -0.05) & (drivers["ST"] <= 1.5)).all()

"""Coordinators add, edit, retire and restore their city's indicators; nobody else can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from learningcity.accounts.services import coordinator_appoint
from learningcity.monitoring.models import CityIndicator, StatisticValue
from learningcity.monitoring.services import indicators_install, statistics_import
from tests.conftest import ROLES
from tests.factories import World, make_city, make_user

LIST = "/en/coordinate/indicators/manage/"
ADD = "/en/coordinate/indicators/manage/new/"


def valid(**changes: Any) -> dict[str, Any]:
    """A complete, valid new indicator as the form posts it."""
    data: dict[str, Any] = {
        "code": "evening-offers", "sub_area": "2.1", "name_fr": "Offres gratuites du soir",
        "name_en": "Free evening offers", "definition_fr": "Part des offres gratuites.",
        "definition_en": "Share of offers that are free.", "unit": "percent", "direction": "higher",
        "source": "platform", "computed_like": "free-offers", "breakdowns": ["district", "year"],
        "target": "50", "goalpost_low": "0", "goalpost_high": "100",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def first_indicator(world: World, **filters: Any) -> CityIndicator:
    indicators_install(city=world.city)
    found = CityIndicator.objects.filter(city=world.city, **filters).first()
    assert found is not None
    return found


# (name, method, url, data) -> expected status per role (anonymous ... coordinator).
MATRIX: list[tuple[str, str, Callable[[World], str], dict[str, Any], list[int]]] = [
    ("list", "get", lambda w: LIST, {}, [302, 403, 403, 403, 403, 200]),
    ("add form", "get", lambda w: ADD, {}, [302, 403, 403, 403, 403, 200]),
    ("add", "post", lambda w: ADD, valid(), [302, 403, 403, 403, 403, 302]),
    ("edit form", "get", lambda w: reverse("monitoring:indicator-edit", args=[first_indicator(w).pk]), {},
     [302, 403, 403, 403, 403, 200]),
    ("retire", "post", lambda w: reverse("monitoring:indicator-retire", args=[first_indicator(w).pk]), {},
     [302, 403, 403, 403, 403, 302]),
    ("restore", "post", lambda w: reverse("monitoring:indicator-restore", args=[first_indicator(w).pk]), {},
     [302, 403, 403, 403, 403, 302]),
    ("install", "post", lambda w: reverse("monitoring:indicator-install"), {}, [302, 403, 403, 403, 403, 302]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "method", "url", "data", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_lets_only_the_citys_coordinators_manage_indicators(
    world: World, client_for: Callable[[str], Client], name: str, method: str, url: Callable[[World], str],
    data: dict[str, Any], expected: list[int], role_index: int,
) -> None:  # fmt: skip
    indicators_install(city=world.city)
    before = list(CityIndicator.objects.values_list("code", "retired").order_by("code"))
    response = getattr(client_for(ROLES[role_index]), method)(url(world), data)
    assert response.status_code == expected[role_index], f"{name} as {ROLES[role_index]}"
    if expected[role_index] != 302 or ROLES[role_index] == "anonymous":
        assert list(CityIndicator.objects.values_list("code", "retired").order_by("code")) == before


def test_it_lets_an_admin_manage_indicators(world: World) -> None:
    admin = make_user("admin@city.test", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    assert client.post(ADD, valid()).status_code == 302
    assert CityIndicator.objects.filter(city=world.city, code="evening-offers").exists()


def test_it_hides_another_citys_indicators_from_a_coordinator(
    world: World, client_for: Callable[[str], Client]
) -> None:
    other = make_city("otherville")
    indicators_install(city=other)
    foreign = CityIndicator.objects.filter(city=other).first()
    assert foreign is not None
    client = client_for("coordinator")
    assert client.get(reverse("monitoring:indicator-edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("monitoring:indicator-retire", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert not foreign.retired
    # A coordinator of the other city only cannot manage this (the instance's) city.
    outsider = coordinator_appoint(user=make_user("coord@other.test"), city=other)
    client = Client()
    client.force_login(outsider)
    assert client.get(LIST).status_code == 403


def test_it_lists_indicators_by_area_and_sub_area(world: World, client_for: Callable[[str], Client]) -> None:
    client = client_for("coordinator")
    assert "Install the default indicators" in client.get(LIST).content.decode()
    response = client.post(reverse("monitoring:indicator-install"), follow=True)
    page = response.content.decode()
    assert "default indicators added" in page
    assert page.count('<h2 id="area-') == 3
    assert "2.1 Inclusive learning in the education system" in page
    assert "Residents who took part" in page


def test_it_adds_an_indicator_that_the_dashboard_computes(world: World, client_for: Callable[[str], Client]) -> None:
    indicators_install(city=world.city)
    client = client_for("coordinator")
    response = client.post(ADD, valid())
    assert response.status_code == 302
    added = CityIndicator.objects.get(city=world.city, code="evening-offers")
    assert (added.method, added.parameters, added.breakdowns) == (
        "offer_share",
        {"column": "is_free"},
        ["district", "year"],
    )
    dashboard = client.get("/en/coordinate/indicators/")
    rows = [row for section in dashboard.context["sections"] for sub in section["subs"] for row in sub["rows"]]
    row = next(row for row in rows if row["indicator"].code == "evening-offers")
    assert row["value"] == pytest.approx(100.0), "the one published offer is free"
    assert "Free evening offers" in dashboard.content.decode()
    assert "Offres gratuites du soir" in client.get("/fr/coordinate/indicators/").content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"goalpost_low": "80", "goalpost_high": "20"}, "goalpost_high", "upper goalpost must be above"),
        ({"name_en": ""}, "name_en", "This field is required"),
        ({"definition_fr": "  "}, "definition_fr", "This field is required"),
        ({"code": "Not A Slug!"}, "code", "valid"),
        ({"code": "free-offers"}, "code", "already has an indicator with this code"),
        ({"computed_like": ""}, "computed_like", "Choose how the platform computes"),
        ({"breakdowns": ["age_band"]}, "breakdowns", "cannot be broken down by: Age band"),
        ({"source": "survey", "computed_like": ""}, None, None),
        ({"source": "survey"}, "computed_like", "Only indicators computed from the platform"),
        ({"source": "statistic", "computed_like": "", "breakdowns": ["sex"]}, "breakdowns", "district and year only"),
        ({"target": ""}, "target", "This field is required"),
        ({"target": "lots"}, "target", "Enter a number"),
        ({"unit": "furlongs"}, "unit", "Select a valid choice"),
        ({"sub_area": "9.9"}, "sub_area", "Select a valid choice"),
        ({"direction": "sideways"}, "direction", "Select a valid choice"),
    ],
)
def test_it_explains_each_wrong_field_and_writes_nothing(
    world: World, client_for: Callable[[str], Client], changes: dict[str, Any], field: str | None, message: str | None
) -> None:
    indicators_install(city=world.city)
    before = CityIndicator.objects.count()
    response = client_for("coordinator").post(ADD, valid(**changes))
    if field is None:
        assert response.status_code == 302, "a survey needs no computation"
        assert CityIndicator.objects.get(code="evening-offers").method == "statistic"
        return
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.content.decode()
    errors = response.context["form"].errors
    assert field in errors, errors
    assert str(message) in " ".join(errors[field])
    assert CityIndicator.objects.count() == before


def test_it_edits_an_indicator_but_never_its_code(world: World, client_for: Callable[[str], Client]) -> None:
    indicator = first_indicator(world, code="participation-rate")
    url = reverse("monitoring:indicator-edit", args=[indicator.pk])
    client = client_for("coordinator")
    form = client.get(url).context["form"]
    assert form.initial["computed_like"] == "participation-rate"
    data = {**{key: form.initial.get(key) for key in form.fields}, "code": "renamed", "target": "25",
            "name_en": "Residents who took part in learning"}  # fmt: skip
    data = {key: value for key, value in data.items() if value is not None}
    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.code, indicator.target, indicator.name_en) == (
        "participation-rate",
        25.0,
        "Residents who took part in learning",
    )
    assert indicator.method == "residents_reached"
    assert indicator.parameters == {"attended": True}


def test_it_retires_an_indicator_from_everything_published_and_restores_it(
    world: World, client_for: Callable[[str], Client], client: Client
) -> None:
    indicator = first_indicator(world, code="free-offers")
    statistic = CityIndicator.objects.get(city=world.city, code="neet-young-people")
    statistics_import(
        city=world.city, csv_text="indicator,area,year,value,source\nneet-young-people,Testville,2024,9,INSEE\n"
    )
    coordinator = client_for("coordinator")
    retire = reverse("monitoring:indicator-retire", args=[indicator.pk])
    assert "retired" in coordinator.post(retire, follow=True).content.decode()
    coordinator.post(reverse("monitoring:indicator-retire", args=[statistic.pk]))

    assert "Free offers" not in coordinator.get("/en/coordinate/indicators/").content.decode()
    assert "Free offers" not in client.get("/en/key-figures/").content.decode()
    assert "\nfree-offers," not in client.get("/en/key-figures.csv").content.decode()
    assert "Free offers" not in coordinator.get("/en/coordinate/indicators/report.html").content.decode()
    assert StatisticValue.objects.filter(indicator=statistic).exists(), "its history is kept"
    listing = coordinator.get(LIST).content.decode()
    assert "Restore free-offers" in listing

    coordinator.post(reverse("monitoring:indicator-restore", args=[indicator.pk]))
    assert "Free offers" in coordinator.get("/en/coordinate/indicators/").content.decode()
    assert "Free offers" in client.get("/en/key-figures/").content.decode()

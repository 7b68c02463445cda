"""What residents search for: counted without names, shown to coordinators only once asked often enough."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.catalogue.models import City
from learningcity.search import demand
from learningcity.search.models import QueryStatistic
from tests.factories import World, make_city


def url() -> str:
    with translation.override("en"):
        return reverse("search:demand")


def asked(city: City, query: str, *, searches: int, empty: int = 0, days_ago: int = 0) -> None:
    day = timezone.localdate() - timedelta(days=days_ago)
    QueryStatistic.objects.create(city=city, day=day, query=query, searches=searches, empty=empty)


@pytest.fixture
def statistics(world: World) -> World:
    city = world.city
    asked(city, "theatre", searches=5, days_ago=1)
    asked(city, "theatre", searches=4, empty=1, days_ago=10)
    asked(city, "poterie", searches=2, empty=2, days_ago=2)
    asked(city, "poterie", searches=1, empty=1, days_ago=3)
    asked(city, "rare words", searches=2, empty=2, days_ago=1)
    asked(city, "long ago", searches=50, empty=50, days_ago=200)
    asked(make_city("elsewhere"), "elsewhere only", searches=40, empty=40)
    return world


def test_it_counts_searches_without_recording_who_or_personal_data(world: World) -> None:
    demand.record_search(city=world.city, text="Théâtre  d'IMPRO", total=0)
    demand.record_search(city=world.city, text="theatre d'impro", total=4)
    demand.record_search(city=world.city, text="alice@example.org", total=0)
    demand.record_search(city=world.city, text="06 12 34 56 78", total=0)
    demand.flush()
    [statistic] = QueryStatistic.objects.all()
    assert (statistic.query, statistic.searches, statistic.empty) == ("theatre d impro", 2, 1)


def test_it_adds_up_a_period_and_hides_rare_queries(statistics: World) -> None:
    today = timezone.localdate()
    queries = demand.query_demand(city=statistics.city, start=today - timedelta(days=89), end=today)
    assert queries == [demand.QueryDemand("theatre", 9, 1), demand.QueryDemand("poterie", 3, 3)]
    assert demand.unmet_demand(queries) == [demand.QueryDemand("poterie", 3, 3), demand.QueryDemand("theatre", 9, 1)]


def test_it_shows_the_coordinator_the_last_90_days_by_default(
    statistics: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("coordinator").get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "theatre" in page
    assert "poterie" in page
    assert "rare words" not in page, "asked fewer than 3 times"
    assert "long ago" not in page, "outside the period"
    assert "elsewhere only" not in page, "another city"
    assert page.index("Searches that found nothing") < page.index("poterie") < page.index("Most frequent searches")


def test_it_shows_a_chosen_period(statistics: World, client_for: Callable[[str], Client]) -> None:
    today = timezone.localdate()
    start = (today - timedelta(days=365)).isoformat()
    page = client_for("coordinator").get(url(), {"date_from": start, "date_to": today.isoformat()}).content.decode()
    assert "long ago" in page
    page = client_for("coordinator").get(url(), {"date_from": today.isoformat()}).content.decode()
    assert "theatre" not in page
    assert "No query was asked often enough" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "on or after the start date"),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "at most three years"),
        ({"date_from": "yesterday"}, "Enter a valid date"),
    ],
)
def test_it_explains_an_invalid_period_and_shows_the_default(
    statistics: World, client_for: Callable[[str], Client], params: dict[str, str], message: str
) -> None:
    response = client_for("coordinator").get(url(), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "the last 90 days are shown" in page
    assert "theatre" in page


def test_it_downloads_the_queries_shown_as_csv(statistics: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("coordinator").get(url(), {"download": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    today = timezone.localdate()
    start = (today - timedelta(days=89)).isoformat()
    assert rows == [
        ["query", "searches", "found_nothing", "date_from", "date_to"],
        ["theatre", "9", "1", start, today.isoformat()],
        ["poterie", "3", "3", start, today.isoformat()],
    ]


@pytest.mark.parametrize("role", ["resident", "provider_staff"])
def test_it_is_not_for_residents_or_providers(
    statistics: World, client_for: Callable[[str], Client], role: str
) -> None:
    assert client_for(role).get(url(), {"download": "csv"}).status_code == 403


def test_searches_counted_in_memory_show_on_the_coordinators_page_at_once(
    world: World, client_for: Callable[[str], Client], settings: object
) -> None:
    for _search in range(3):
        Client().get("/en/search/", {"q": "Céramique raku"})
    assert not QueryStatistic.objects.exists(), "written together a few seconds later, not one by one"
    page = client_for("coordinator").get(url()).content.decode()
    assert "ceramique raku" in page
    assert QueryStatistic.objects.get().searches == 3


def test_each_search_is_written_at_once_when_the_delay_is_zero(world: World, settings: object) -> None:
    settings.SEARCH_DEMAND_FLUSH_SECONDS = 0  # type: ignore[attr-defined]
    demand.record_search(city=world.city, text="poterie", total=0)
    assert QueryStatistic.objects.values_list("query", "searches", "empty").get() == ("poterie", 1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counts_waiting_in_memory_are_written_by_themselves(world: World, settings: object) -> None:
    settings.SEARCH_DEMAND_FLUSH_SECONDS = 1  # type: ignore[attr-defined]
    demand.record_search(city=world.city, text="reliure", total=2)
    demand.record_search(city=world.city, text="Reliure", total=0)
    for _attempt in range(100):  # written by a timer thread about a second later (no request needed)
        if QueryStatistic.objects.exists():
            break
        time.sleep(0.1)
    assert QueryStatistic.objects.values_list("query", "searches", "empty").get() == ("reliure", 2, 1)

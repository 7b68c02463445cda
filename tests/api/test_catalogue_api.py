"""The read API: what it shows, to whom, its errors and its committed OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import ROLES
from tests.factories import World, make_opportunity

ROOT = Path(__file__).resolve().parents[2]

# The API is public open data: every persona sees the same thing, and never an unpublished listing.
PUBLIC_ENDPOINTS: list[tuple[str, Callable[[World], str]]] = [
    ("opportunities", lambda w: "/api/v1/opportunities"),
    ("opportunity", lambda w: f"/api/v1/opportunities/{w.published.pk}"),
    ("sessions", lambda w: "/api/v1/sessions"),
    ("organisations", lambda w: "/api/v1/organisations"),
    ("organisation", lambda w: f"/api/v1/organisations/{w.org_a.pk}"),
    ("venues", lambda w: "/api/v1/venues"),
    ("districts", lambda w: "/api/v1/districts"),
    ("building blocks", lambda w: "/api/v1/building-blocks"),
    ("topics", lambda w: "/api/v1/topics"),
    ("openapi", lambda w: "/api/v1/openapi.json"),
]


@pytest.mark.parametrize(("name", "url"), PUBLIC_ENDPOINTS, ids=[row[0] for row in PUBLIC_ENDPOINTS])
@pytest.mark.parametrize("role", ROLES)
def test_it_serves_open_data_to_every_persona(
    world: World, client_for: Callable[[str], Client], name: str, url: Callable[[World], str], role: str
) -> None:
    response = client_for(role).get(url(world))
    assert response.status_code == 200, name
    assert "Brouillon" not in response.content.decode(), "unpublished listings never reach the API"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["draft", "pending", "other_draft"])
def test_it_hides_unpublished_opportunities_from_everyone(
    world: World, client_for: Callable[[str], Client], role: str, which: str
) -> None:
    opportunity = getattr(world, which)
    response = client_for(role).get(f"/api/v1/opportunities/{opportunity.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_lists_published_opportunities_in_both_languages(world: World, client: Client) -> None:
    data = client.get("/api/v1/opportunities").json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["title"] == {"fr": "Atelier d'aquarelle", "en": "Watercolour workshop"}
    assert item["building_blocks"] == ["culture-of-learning"]
    assert item["audience"]["age_min"] == 8
    assert item["url"].endswith(f"/opportunities/{world.published.pk}/atelier-daquarelle/")


def test_it_filters_by_age_and_cost(world: World, client: Client) -> None:
    make_opportunity(
        world.org_b,
        title_fr="Éveil musical",
        title_en="Music for toddlers",
        age_min=0,
        age_max=3,
        is_free=False,
        price="12.00",
    )
    assert client.get("/api/v1/opportunities?age=2").json()["count"] == 1
    assert client.get("/api/v1/opportunities?age=70").json()["count"] == 1
    assert client.get("/api/v1/opportunities?free=true").json()["count"] == 1
    assert client.get("/api/v1/opportunities").json()["count"] == 2


def test_it_paginates_with_limit_and_offset(world: World, client: Client) -> None:
    for index in range(5):
        make_opportunity(world.org_a, title_fr=f"Atelier {index}", title_en=f"Workshop {index}")
    page = client.get("/api/v1/opportunities?limit=2&offset=2").json()
    assert page["count"] == 6
    assert len(page["results"]) == 2
    assert (page["limit"], page["offset"]) == (2, 2)


def test_it_lists_a_page_in_a_fixed_number_of_queries(world: World, client: Client) -> None:
    for index in range(10):
        make_opportunity(world.org_a, title_fr=f"Atelier {index}", title_en=f"Workshop {index}")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/opportunities?limit=2")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/opportunities?limit=11")
    assert len(many) == len(few), "the number of queries must not grow with the page size (N+1)"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("age=-1", "age"),
        ("age=abc", "age"),
        ("limit=1000", "limit"),
        ("limit=0", "limit"),
        ("kind=spaceflight", "kind"),
        ("mode=teleport", "mode"),
        ("text=" + "x" * 300, "text"),
    ],
)
def test_it_rejects_bad_input_with_one_error_shape(world: World, client: Client, query: str, field: str) -> None:
    response = client.get(f"/api/v1/opportunities?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["code"] == "invalid_request"
    assert [detail["field"] for detail in error["details"]] == [field]


def test_it_rejects_a_bad_date_clearly(world: World, client: Client) -> None:
    response = client.get("/api/v1/sessions?starts_after=yesterday")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "starts_after"


def test_it_answers_unknown_ids_with_the_error_shape(world: World, client: Client) -> None:
    for url in ["/api/v1/opportunities/999999", "/api/v1/venues/999999", "/api/v1/districts/999999"]:
        response = client.get(url)
        assert response.status_code == 404
        assert set(response.json()["error"]) == {"status", "code", "message", "details"}


def test_it_reports_district_population(world: World, client: Client) -> None:
    districts = client.get("/api/v1/districts").json()["results"]
    assert [d["population"] for d in districts] == [5000, 5000]


def test_it_serves_the_committed_openapi_document(db: None, client: Client) -> None:
    served = client.get("/api/v1/openapi.json").json()
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert served == committed, "docs/openapi.json is stale: run `learningcity openapi` and commit it"

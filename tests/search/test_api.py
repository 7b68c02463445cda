"""The search API: parameters that combine, facet counts, bad input, and the committed OpenAPI document."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.utils import timezone

from learningcity.catalogue.models import Language, Session, Topic, Venue
from learningcity.search import demand
from learningcity.search.models import QueryStatistic
from tests.factories import World, make_opportunity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_world(world: World) -> World:
    """Three published opportunities: watercolour (free, Centre), theatre (paid, Les Rives), coding (online)."""
    rives = world.city.districts.get(code="02")
    far = Venue.objects.create(
        city=world.city, organisation=world.org_b, name="Théâtre des Rives", address="2 quai", latitude=47.50,
        longitude=0.69, district=rives,
    )  # fmt: skip
    theatre = make_opportunity(
        world.org_b, title_fr="Cours de théâtre", title_en="Theatre class", description_fr="Jouer sur scène.",
        description_en="Act on stage.", kind="course", is_free=False, price=Decimal("12.00"), age_min=12, age_max=18,
        venue=far,
    )  # fmt: skip
    theatre.languages.set([Language.objects.get(code="en")])
    coding = make_opportunity(
        world.org_b, title_fr="Programmer en Python", title_en="Programming in Python", kind="online_course",
        description_fr="Apprendre à coder.", description_en="Learn to code.", mode="online", venue=None,
        online_url="https://example.org/python",
    )  # fmt: skip
    coding.topics.set([Topic.objects.create(code="numerique", name_fr="Numérique", name_en="Digital")])
    return world


def get(client: Client, **params: Any) -> Any:
    return client.get("/api/v1/search", params, HTTP_ACCEPT_LANGUAGE="en")


def titles(response: Any) -> set[str]:
    return {item["title"]["en"] for item in response.json()["results"]}


def facet(response: Any, name: str) -> dict[str, int]:
    return {value["value"]: value["count"] for value in response.json()["facets"][name]}


def test_it_browses_everything_published_without_words(small_world: World, client: Client) -> None:
    response = get(client)
    assert response.status_code == 200
    data = response.json()
    assert (data["total"], data["page"], data["pages"]) == (3, 1, 1)
    assert titles(response) == {"Watercolour workshop", "Theatre class", "Programming in Python"}
    assert data["corrected_query"] is None


def test_it_gives_each_result_in_both_languages_as_the_catalogue_api_does(small_world: World, client: Client) -> None:
    item = next(i for i in get(client, q="théâtre").json()["results"])
    catalogue = client.get(f"/api/v1/opportunities/{item['id']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert item["title"] == {"fr": "Cours de théâtre", "en": "Theatre class"}
    assert {key: catalogue[key] for key in item if key != "distance_km"} == {
        key: value for key, value in item.items() if key != "distance_km"
    }
    assert item["distance_km"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "theatre"}, {"Theatre class"}),
        ({"q": "aquarelle"}, {"Watercolour workshop"}),
        ({"free": "true"}, {"Watercolour workshop", "Programming in Python"}),
        ({"free": "true", "mode": "online"}, {"Programming in Python"}),
        ({"age": "15", "max_price": "20"}, {"Watercolour workshop", "Theatre class", "Programming in Python"}),
        ({"age": "15", "max_price": "10"}, {"Watercolour workshop", "Programming in Python"}),
        ({"age": "40", "kind": ["course", "workshop"]}, {"Watercolour workshop"}),
        ({"kind": ["course", "workshop"]}, {"Watercolour workshop", "Theatre class"}),
        ({"language": "en"}, {"Theatre class"}),
        ({"district": "02"}, {"Theatre class"}),
        ({"topic": "numerique"}, {"Programming in Python"}),
        ({"block": "culture-of-learning", "q": "python"}, {"Programming in Python"}),
        ({"access": "step_free_access"}, {"Watercolour workshop"}),
        ({"near": "47.39,0.69", "radius": "5"}, {"Watercolour workshop"}),
        ({"near": "47.39,0.69", "radius": "20"}, {"Watercolour workshop", "Theatre class"}),
        ({"near_district": "02", "radius": "1"}, {"Theatre class"}),
        ({"q": "theatre", "free": "true"}, set()),
    ],
)
def test_it_combines_parameters(small_world: World, client: Client, params: dict[str, Any], expected: set[str]) -> None:
    response = get(client, **params)
    assert response.status_code == 200, response.content
    assert titles(response) == expected
    assert response.json()["total"] == len(expected)


def test_it_sorts_by_distance_and_gives_it(small_world: World, client: Client) -> None:
    response = get(client, near="47.39,0.69", radius="20", sort="distance")
    results = response.json()["results"]
    assert [item["title"]["en"] for item in results] == ["Watercolour workshop", "Theatre class"]
    assert results[0]["distance_km"] == pytest.approx(0, abs=0.01)
    assert results[1]["distance_km"] == pytest.approx(12.2, abs=0.2)


def test_it_searches_near_a_venue_of_the_city(small_world: World, client: Client) -> None:
    venue = Venue.objects.get(name="Théâtre des Rives")
    assert titles(get(client, near_venue=str(venue.pk), radius="2")) == {"Theatre class"}


def test_it_counts_each_facet_value_under_the_other_filters(small_world: World, client: Client) -> None:
    everything = get(client)
    assert facet(everything, "kinds") == {"workshop": 1, "course": 1, "online_course": 1}
    assert facet(everything, "price") == {"free": 2}
    assert facet(everything, "districts") == {"01": 1, "02": 1}
    assert facet(everything, "modes") == {"on_site": 2, "online": 1}
    assert facet(everything, "languages") == {"fr": 2, "en": 1}
    assert facet(everything, "topics") == {"numerique": 1}

    courses = get(client, kind="course")
    assert courses.json()["total"] == 1
    # A chosen value of an either-or filter keeps the others' counts, so a resident can switch.
    assert facet(courses, "kinds") == {"workshop": 1, "course": 1, "online_course": 1}
    assert [value["value"] for value in courses.json()["facets"]["kinds"] if value["selected"]] == ["course"]
    assert facet(courses, "price") == {}, "no free course: the value is not offered"
    assert facet(courses, "districts") == {"02": 1}


def test_it_labels_facet_values_in_the_language_asked(small_world: World, client: Client) -> None:
    english = get(client).json()["facets"]["districts"]
    french = client.get("/api/v1/search", HTTP_ACCEPT_LANGUAGE="fr").json()["facets"]
    assert {value["label"] for value in english} == {"Centre", "Les Rives"}
    assert {value["label"] for value in french["price"]} == {"Gratuit"}
    assert {value["label"] for value in get(client).json()["facets"]["price"]} == {"Free"}


def test_it_corrects_a_small_typo(small_world: World, client: Client) -> None:
    data = get(client, q="watercolur").json()
    assert data["total"] == 1
    assert data["corrected_query"] == "watercolour"


def test_it_hides_what_is_not_published_or_only_in_the_past(small_world: World, client: Client) -> None:
    past = make_opportunity(small_world.org_a, title_fr="Conférence passée", title_en="Past talk", kind="talk")
    gone = timezone.now() - timedelta(days=10)
    Session.objects.filter(opportunity=past).update(start=gone, end=gone + timedelta(hours=1))
    from learningcity.search import indexing

    indexing.reindex([past.pk])
    assert "Past talk" not in titles(get(client))
    assert "Past talk" in titles(get(client, past="true"))
    assert not {"Draft A", "Pending A", "Draft B"} & titles(get(client, past="true"))


def test_it_pages_results_and_keeps_the_total(small_world: World, client: Client) -> None:
    for number in range(20):
        make_opportunity(small_world.org_a, title_fr=f"Atelier {number}", title_en=f"Workshop {number}")
    first, second = get(client), get(client, page="2")
    assert first.json()["pages"] == second.json()["pages"] == 2
    assert (len(first.json()["results"]), len(second.json()["results"])) == (20, 3)
    assert not {i["id"] for i in first.json()["results"]} & {i["id"] for i in second.json()["results"]}


def test_it_records_text_searches_on_the_first_page_only(small_world: World, client: Client) -> None:
    get(client, q="Théâtre")
    get(client, q="théâtre", free="true")
    get(client, kind="course")
    get(client, q="theatre", page="2")
    demand.flush()  # counts wait in memory a few seconds (SEARCH_DEMAND_FLUSH_SECONDS)
    [statistic] = QueryStatistic.objects.all()
    assert (statistic.query, statistic.searches, statistic.empty) == ("theatre", 2, 1)


def test_it_completes_titles_in_the_language_asked(small_world: World, client: Client) -> None:
    english = client.get("/api/v1/search/suggest", {"q": "thea"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"suggestions": ["Theatre class"]}
    french = client.get("/api/v1/search/suggest", {"q": "thea", "language": "fr"}).json()
    assert french == {"suggestions": ["Cours de théâtre"]}
    assert client.get("/api/v1/search/suggest", {"q": "t"}).json() == {"suggestions": []}


# Bad input: (parameters, the parameter named in the error, words of the message).
BAD_INPUT: list[Any] = [
    ({"q": "a" * 201}, "q", "200"),
    ({"q": " ".join(f"word{n}" for n in range(11))}, "q", "at most 10"),
    ({"q": "théâtre\x00"}, "q", "Null characters"),
    ({"near": "north"}, "near", "latitude,longitude"),
    ({"near": "91,0"}, "near", "-90 to 90"),
    ({"near": "1,2,3"}, "near", "latitude,longitude"),
    ({"near": "47.39,0.69", "radius": "0"}, "radius", "0.1"),
    ({"near": "47.39,0.69", "radius": "51"}, "radius", "50"),
    ({"near": "47.39,0.69", "radius": "ten"}, "radius", "number"),
    ({"radius": "2"}, "radius", "Choose a place"),
    ({"sort": "distance"}, "sort", "Choose a place"),
    ({"near": "47.39,0.69", "near_district": "01"}, None, "one place"),
    ({"near_venue": "999999"}, "near_venue", "no such place"),
    ({"kind": "knitting"}, "kind", "'workshop'"),
    ({"block": "nonsense"}, "block", "nonsense"),
    ({"topic": "nonsense"}, "topic", "nonsense"),
    ({"district": "99"}, "district", "99"),
    ({"day": "someday"}, "day", "'mon'"),
    ({"language": "xx"}, "language", "xx"),
    ({"age": "-1"}, "age", "0"),
    ({"age": "old"}, "age", "integer"),
    ({"max_price": "-5"}, "max_price", "0"),
    ({"date_from": "2026-13-01"}, "date_from", "date"),
    ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to", "on or after"),
    ({"page": "0"}, "page", "1"),
    ({"page": "two"}, "page", "integer"),
    ({"page": "501"}, "page", "500"),
    ({"page": "2"}, "page", "only 1 page"),
]


@pytest.mark.parametrize(("params", "field", "words"), BAD_INPUT)
def test_it_refuses_bad_input_with_a_clear_message(
    small_world: World, client: Client, params: dict[str, Any], field: str | None, words: str
) -> None:
    response = get(client, **params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    [detail] = [detail for detail in error["details"] if detail["field"] == field]
    assert words in detail["message"]


@pytest.mark.parametrize(
    "text",
    [
        '"théâtre',
        "théâtre*",
        "NEAR(théâtre, cours)",
        "-théâtre",
        "(théâtre) cours",
        "cours:théâtre",
        "théâtre\x1b\u200b",
    ],
)
def test_it_reads_search_syntax_as_plain_words(small_world: World, client: Client, text: str) -> None:
    response = get(client, q=text)
    assert response.status_code == 200, response.content
    assert "Theatre class" in titles(response)


@pytest.mark.parametrize("text", ["*", "-", ":", "()", '"', "NEAR", "OR", "\x07", "'; DROP TABLE x; --"])
def test_it_never_fails_on_syntax_alone(small_world: World, client: Client, text: str) -> None:
    assert get(client, q=text).status_code == 200


def committed_schema(name: str) -> dict[str, Any]:
    """A JSON Schema for one component of the committed OpenAPI document (3.1: JSON Schema 2020-12)."""
    document = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "theatre"}, {"near": "47.39,0.69", "radius": "20", "sort": "distance"}, {"q": "watercolur"}],
)
def test_its_answers_match_the_committed_openapi_document(
    small_world: World, client: Client, params: dict[str, Any]
) -> None:
    response = get(client, **params)
    jsonschema.validate(response.json(), committed_schema("SearchResponseSchema"))


def test_its_errors_match_the_committed_openapi_document(small_world: World, client: Client) -> None:
    jsonschema.validate(get(client, page="9").json(), committed_schema("ErrorSchema"))


def test_the_committed_document_describes_every_search_parameter(db: None) -> None:
    from learningcity.search.forms import SearchForm

    document = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert set(parameters) == set(SearchForm.base_fields)
    assert parameters["kind"]["schema"]["type"] == "array"
    assert all(parameters[name].get("description") for name in parameters)

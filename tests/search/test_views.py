"""The public search page as a resident without JavaScript sees it, and the suggestions endpoint."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from learningcity import env
from learningcity.search import demand
from learningcity.search.models import QueryStatistic
from tests.conftest import ROLES
from tests.factories import World, make_opportunity
from tests.search.conftest import Catalogue, local_moment, next_weekday, reschedule

JUNK = [
    'NEAR * - ( ) : "',
    '"unbalanced',
    "a OR b AND NOT c",
    "title:x",
    "*",
    "-",
    "()",
    "\x01\x7f\u200b theatre",
    "%_'; --",
]


def page(client: Client, language: str = "en", **params: Any) -> Any:
    return client.get(f"/{language}/search/", params)


def text(response: Any) -> str:
    """The page as text a person reads (tags removed, entities decoded, spaces collapsed)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def result_titles(response: Any) -> list[str]:
    body = response.content.decode()
    return [html.unescape(title) for title in re.findall(r'id="result-\d+-link"[^>]*>([^<]+)</a>', body)]


def test_it_browses_everything_coming_up_when_nothing_is_asked(catalogue: Catalogue, client: Client) -> None:
    response = page(client)
    assert response.status_code == 200
    shown = result_titles(response)
    assert "Improv theatre" in shown
    assert "Art history online" in shown
    assert "Theatre: last season" not in shown, "past-only opportunities are left out unless asked"
    assert "Draft theatre" not in shown
    assert f"{len(shown)} results" in text(response)
    assert "soonest first" in text(response)


def test_it_finds_by_text_in_french_and_in_english(catalogue: Catalogue, client: Client) -> None:
    french = page(client, "fr", q="theatre")
    assert '<html lang="fr">' in french.content.decode()
    assert result_titles(french) == ["Théâtre d'improvisation"]
    english = page(client, "en", q="aquarelle")
    assert result_titles(english) == ["Watercolour workshop"]


def test_it_marks_a_title_shown_in_the_other_language(catalogue: Catalogue, client: Client) -> None:
    body = page(client, "fr", q="landscapes").content.decode()
    assert f'id="result-{catalogue.painting_en.pk}-link" href="/fr/opportunities/' in body
    assert re.search(rf'id="result-{catalogue.painting_en.pk}-link"[^>]* lang="en">Painting landscapes<', body)
    english = page(client, "en", q="landscapes").content.decode()
    assert not re.search(rf'id="result-{catalogue.painting_en.pk}-link"[^>]* lang=', english)


def test_it_combines_filters(catalogue: Catalogue, client: Client) -> None:
    assert result_titles(page(client, time="evening")) == ["English conversation"]
    assert "English conversation" not in result_titles(page(client, time="evening", age="6"))
    seventy = result_titles(page(client, age="70", free="on"))
    assert "Gentle yoga" in seventy
    assert "Introduction to Python programming" not in seventy, "not free"
    afternoon_courses = page(client, kind=["course", "club"], time="afternoon", max_price="50")
    assert set(result_titles(afternoon_courses)) == {"Improv theatre", "Introduction to Python programming"}
    assert result_titles(page(client, kind=["course", "club"], time="afternoon", max_price="30")) == ["Improv theatre"]


def test_it_shows_live_counts_beside_each_filter_value(catalogue: Catalogue, client: Client) -> None:
    body = text(page(client, q="theatre"))
    assert "Course (1)" in body
    assert "Free (1)" in body
    assert "Evening (from 6 pm) (1)" not in body, "values with no result under the other filters are left out"
    grouped = text(page(client, kind="course"))
    assert "Workshop (" in grouped, "another kind stays offered with its own count once one is chosen"


def test_it_searches_near_a_district_within_a_radius_and_says_how_far(catalogue: Catalogue, client: Client) -> None:
    near = page(client, near_district="01", radius="2", sort="distance")
    shown = result_titles(near)
    assert "Improv theatre" in shown
    assert "Painting landscapes" not in shown, "its venue is about 10 km away"
    assert "Art history online" not in shown
    assert "0.0 km away" in text(near)
    wider = result_titles(page(client, near_district="01", radius="20"))
    assert "Painting landscapes" in wider


def test_it_shows_the_next_session_in_the_city_time_zone(catalogue: Catalogue, client: Client) -> None:
    start = local_moment(next_weekday(2), 19)
    body = page(client, q="conversation").content.decode()
    assert f'<time datetime="{start.isoformat()}">' in body
    assert ", 19:00</time>" in body


def test_it_keeps_every_filter_in_the_pagination_links(catalogue: Catalogue, client: Client) -> None:
    for number in range(25):
        make_opportunity(catalogue.library, title_fr=f"Reliure {number}", title_en=f"Bookbinding {number}")
    first = page(client, q="bookbinding", age="30", free="on", mode="on_site")
    assert "Page 1 of 2" in text(first)
    assert len(result_titles(first)) == 20
    next_link = html.unescape(re.search(r'href="([^"]+)" rel="next"', first.content.decode())[1])  # type: ignore[index]
    asked = parse_qs(urlsplit(next_link).query)
    assert asked == {"q": ["bookbinding"], "age": ["30"], "free": ["on"], "mode": ["on_site"], "page": ["2"]}
    second = client.get("/en/search/" + next_link)
    assert second.status_code == 200
    assert "Page 2 of 2" in text(second)
    assert set(result_titles(first)) | set(result_titles(second)) == {f"Bookbinding {number}" for number in range(25)}
    previous = html.unescape(re.search(r'href="([^"]+)" rel="prev"', second.content.decode())[1])  # type: ignore[index]
    assert parse_qs(urlsplit(previous).query)["page"] == ["1"]


def test_it_offers_the_first_page_past_the_last_one(catalogue: Catalogue, client: Client) -> None:
    response = page(client, q="theatre", page="7")
    assert response.status_code == 200
    assert "There is no page 7 of these results." in text(response)
    assert 'href="?q=theatre&amp;page=1"' in response.content.decode()


def test_it_shows_chosen_filters_as_removable_chips(catalogue: Catalogue, client: Client) -> None:
    body = page(client, q="yoga", age="70", kind=["course", "club"]).content.decode()
    chips = {
        html.unescape(re.sub(r"<[^>]+>", "", label)).replace("Remove filter: ", "").rstrip("×").strip(): href
        for href, label in re.findall(r'<a class="chip" href="([^"]+)"[^>]*>(.*?)</a>', body)
    }
    assert set(chips) == {"“yoga”", "Age 70", "Course", "Club"}
    assert parse_qs(urlsplit(html.unescape(chips["Course"])).query) == {"q": ["yoga"], "age": ["70"], "kind": ["club"]}
    assert parse_qs(urlsplit(html.unescape(chips["“yoga”"])).query) == {"age": ["70"], "kind": ["course", "club"]}
    assert "Remove all filters" in body


def test_it_drops_the_radius_and_distance_sort_with_the_place(catalogue: Catalogue, client: Client) -> None:
    body = page(client, near_district="01", radius="2", sort="distance").content.decode()
    href = html.unescape(re.search(r'<a class="chip" href="([^"]+)"[^>]*><span[^>]*>[^<]*</span>Near Centre', body)[1])  # type: ignore[index]
    assert client.get("/en/search/" + href).status_code == 200
    assert "radius" not in href
    assert "distance" not in href


def test_it_says_which_spelling_it_searched_instead(catalogue: Catalogue, client: Client) -> None:
    response = page(client, q="improvisatoin")
    assert response.status_code == 200
    assert "Théâtre d'improvisation" in result_titles(page(client, "fr", q="improvisatoin"))
    assert "Nothing matches “improvisatoin”. Showing results for “improvisation”." in text(response)


def test_it_explains_when_nothing_matches(catalogue: Catalogue, client: Client) -> None:
    response = page(client, q="zzzz qqqq")
    assert response.status_code == 200
    assert "0 results" in text(response)
    assert "Nothing matches this search." in text(response)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"age": "-4"}, "age", "Ensure this value is greater than or equal to 0."),
        ({"age": "old"}, "age", "Enter a whole number."),
        ({"kind": "banana"}, "kind", "Select a valid choice. banana is not one of the available choices."),
        ({"radius": "2"}, "radius", "Choose a place to search around."),
        ({"near_district": "01", "radius": "500"}, "radius", "Ensure this value is less than or equal to 50."),
        ({"date_from": "2030-05-10", "date_to": "2030-05-01"}, "date_to", "The end date must be on or after"),
        ({"q": "word " * 100}, "q", "at most 200 characters"),
        ({"q": "\x00theatre"}, "q", "Null characters are not allowed."),
    ],
)
def test_it_answers_400_with_the_message_next_to_the_field(
    catalogue: Catalogue, client: Client, params: dict[str, str], field: str, message: str
) -> None:
    response = page(client, **params)
    assert response.status_code == 400
    body = response.content.decode()
    error = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', body, re.S)
    assert error, f"no message next to {field}"
    assert message in html.unescape(error[1])
    assert "There is a problem with this search" in text(response)
    assert f'href="#{"group-" if field == "kind" else "id_"}{field}"' in body, "the summary links to the field"


def test_it_keeps_what_was_typed_when_the_form_is_invalid(catalogue: Catalogue, client: Client) -> None:
    body = page(client, q="yoga", age="-4", kind="course", time="evening").content.decode()
    assert re.search(r'<input type="number" name="age" value="-4"[^>]*aria-invalid="true"', body)
    assert 'name="q" id="id_q" value="yoga"' in body
    assert re.search(r'name="kind" value="course" id="id_kind_course" checked', body)
    assert re.search(r'name="time" value="evening" id="id_time_evening" checked', body)


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_never_fails_on_search_syntax(catalogue: Catalogue, client: Client, junk: str, language: str) -> None:
    response = page(client, language, q=junk, time="evening")
    assert response.status_code == 200
    assert "results" in text(response) or "résultat" in text(response)


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page": "99999999999999999999"}, {"near": "91,0"}, {"near": "x"}, {"near_venue": "999999"},
     {"sort": "nonsense"}, {"max_price": "1e309"}, {"date_from": "2030-02-30"}, {"day": "funday"}],
)  # fmt: skip
def test_it_refuses_bad_parameters_without_failing(
    catalogue: Catalogue, client: Client, params: dict[str, str]
) -> None:
    response = page(client, **params)
    assert response.status_code == 400
    assert "There is a problem with this search" in text(response)


def test_it_counts_text_searches_on_their_first_page_only(catalogue: Catalogue, client: Client) -> None:
    page(client, q="theatre")
    page(client, q="theatre", page="2")
    page(client)
    page(client, q="zzzz qqqq")
    demand.flush()  # counts wait in memory a few seconds (SEARCH_DEMAND_FLUSH_SECONDS)
    counted = dict(QueryStatistic.objects.values_list("query", "searches"))
    assert counted == {"theatre": 1, "zzzz qqqq": 1}
    assert QueryStatistic.objects.get(query="zzzz qqqq").empty == 1


def test_it_returns_only_the_page_body_to_the_script(catalogue: Catalogue, client: Client) -> None:
    response = client.get("/en/search/", {"q": "theatre"}, HTTP_X_SEARCH_PARTIAL="1")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="search-results"' in body
    assert 'data-status="1 result"' in body
    assert "X-Search-Partial" in response["Vary"]
    invalid = client.get("/en/search/", {"age": "-1"}, HTTP_X_SEARCH_PARTIAL="1")
    assert invalid.status_code == 400
    assert "<html" not in invalid.content.decode()


def test_it_gives_the_map_the_places_of_the_page(catalogue: Catalogue, client: Client) -> None:
    body = page(client, near_district="01", radius="30").content.decode()
    data = json.loads(re.search(r'<script id="search-map-data" type="application/json">(.*?)</script>', body, re.S)[1])  # type: ignore[index]
    titles = {point["title"] for point in data["points"]}
    assert "Painting landscapes" in titles
    assert "Art history online" not in titles, "online: no place"
    assert data["near"]["radius_km"] == 30
    assert data["tiles"] == ""
    assert 'aria-hidden="true"' in body


def test_it_uses_the_configured_map_tiles(catalogue: Catalogue, client: Client, settings: Any) -> None:
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example contributors"
    body = page(client, q="theatre").content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in body
    assert "© Example contributors" in body


def test_it_suggests_titles_as_one_types(catalogue: Catalogue, client: Client) -> None:
    english = client.get("/en/search/suggest/", {"q": "improv th"})
    assert english.status_code == 200
    assert english.json() == {"suggestions": ["Improv theatre"]}
    french = client.get("/fr/search/suggest/", {"q": "aquar"})
    assert french.json() == {"suggestions": ["Atelier d'aquarelle"]}
    assert client.get("/fr/search/suggest/", {"q": "brouillon"}).json() == {"suggestions": []}


@pytest.mark.parametrize("junk", [*JUNK, "", "a", "x" * 5000])
def test_it_suggests_nothing_rather_than_failing(catalogue: Catalogue, client: Client, junk: str) -> None:
    response = client.get("/en/search/suggest/", {"q": junk})
    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)


def test_it_is_reached_from_the_home_page_and_the_navigation(catalogue: Catalogue, client: Client) -> None:
    home = client.get("/en/").content.decode()
    assert '<form method="get" action="/en/search/" class="search-box" role="search">' in home
    assert re.search(r'<a href="/en/search/">Search</a>', home)
    search = page(client).content.decode()
    assert '<a href="/en/search/" aria-current="page">Search</a>' in search


@pytest.mark.parametrize("role", ROLES)
def test_it_is_public_and_shows_only_published_opportunities(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)
    for language in ("fr", "en"):
        response = page(client, language)
        assert response.status_code == 200
        shown = result_titles(response)
        assert shown == [world.published.title_fr if language == "fr" else world.published.title_en]
    for hidden in ("Draft A", "Pending A", "Draft B"):
        assert result_titles(page(client, q=hidden.split()[0])) == []
    assert client.get("/en/search/suggest/", {"q": "dra"}).json() == {"suggestions": []}


def test_it_hides_an_opportunity_once_its_sessions_are_over(world: World, client: Client) -> None:
    reschedule(world.published, timezone.now() - timedelta(days=2))
    assert result_titles(page(client)) == []
    assert result_titles(page(client, past="on")) == ["Watercolour workshop"]


@pytest.mark.parametrize(
    "value", ["tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/tile.png", "ftp://x/{z}/{x}/{y}"]
)
def test_it_refuses_a_tile_url_the_map_cannot_use(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("MAP_TILE_URL", value)
    with pytest.raises(env.ConfigurationError, match="MAP_TILE_URL"):
        env.env_tile_url("MAP_TILE_URL")
    monkeypatch.setenv("MAP_TILE_URL", "https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert env.env_tile_url("MAP_TILE_URL") == "https://{s}.tiles.example.org/{z}/{x}/{y}.png"

"""Anonymous visitors' public pages and searches served from the public cache, and never stale or personal."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from learningcity import public_cache
from learningcity.catalogue import services
from learningcity.catalogue.models import Opportunity, Status
from learningcity.enrolment import services as enrolment
from learningcity.enrolment.models import Registration
from learningcity.search import demand
from learningcity.search.models import QueryStatistic
from tests.enrolment.conftest import bookable, verified
from tests.factories import World


def opportunity_page(world: World, language: str = "en") -> str:
    return f"/{language}/opportunities/{world.published.pk}/"


def retitle_quietly(opportunity: Opportunity, title: str) -> None:
    """Change a title behind the application's back (no signal): only an uncached page can show it."""
    Opportunity.objects.filter(pk=opportunity.pk).update(title_en=title, title_fr=title)


def test_it_serves_a_kept_page_to_a_second_anonymous_visitor(world: World) -> None:
    first = Client().get(opportunity_page(world))
    assert first.status_code == 200
    retitle_quietly(world.published, "Quietly renamed")
    second = Client().get(opportunity_page(world))
    assert second.status_code == 200
    assert second.content == first.content
    assert "Quietly renamed" not in second.content.decode()


def test_it_serves_a_page_kept_by_another_process(world: World) -> None:
    Client().get(opportunity_page(world))
    public_cache.forget_all()  # this process's memory is empty, as another process's would be
    retitle_quietly(world.published, "Quietly renamed")
    assert "Quietly renamed" not in Client().get(opportunity_page(world)).content.decode()


def test_it_waits_for_the_answer_another_process_is_making_instead_of_making_it_too(world: World) -> None:
    path = opportunity_page(world)
    key = public_cache._key(RequestFactory().get(path))
    assert key is not None
    holding, made = threading.Event(), threading.Event()

    def another_process() -> None:  # holds the machine-wide lock of the key while it "builds" the answer
        with public_cache._machine_lock(key):
            holding.set()
            time.sleep(0.3)
            entry = public_cache.Entry(time.time() + 60, 200, (("Content-Type", "text/html"),), b"made elsewhere", ())
            public_cache._shared_put(key, entry)
            made.set()

    builder = threading.Thread(target=another_process)
    builder.start()
    holding.wait(timeout=10)
    response = Client().get(path)
    builder.join()
    assert made.is_set()
    assert response.content == b"made elsewhere"


def test_it_answers_head_from_a_kept_page(world: World) -> None:
    Client().get(opportunity_page(world))
    retitle_quietly(world.published, "Quietly renamed")
    response = Client().head(opportunity_page(world))
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("role", ["resident", "provider_staff", "coordinator"])
def test_it_never_serves_a_kept_page_to_a_logged_in_visitor(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    Client().get(opportunity_page(world))
    retitle_quietly(world.published, "Quietly renamed")
    assert "Quietly renamed" in client_for(role).get(opportunity_page(world)).content.decode()


def test_it_never_keeps_a_logged_in_visitors_page(world: World, client_for: Callable[[str], Client]) -> None:
    personal = client_for("resident").get(opportunity_page(world)).content.decode()
    assert "Log out" in personal
    retitle_quietly(world.published, "Quietly renamed")
    anonymous = Client().get(opportunity_page(world)).content.decode()
    assert "Quietly renamed" in anonymous
    assert "Log out" not in anonymous


def test_it_shows_a_title_change_at_once(world: World) -> None:
    Client().get(opportunity_page(world))
    Client().get("/api/v1/search", {"q": "watercolour"})
    services.opportunity_update(
        opportunity=world.published, by=world.users["provider_staff"], fields={"title_en": "Oil painting"}, relations={}
    )
    assert "Oil painting" in Client().get(opportunity_page(world)).content.decode()
    results = Client().get("/api/v1/search", {"q": "painting"}).json()["results"]
    assert [result["id"] for result in results] == [world.published.pk]


def test_it_shows_a_withdrawn_or_newly_published_listing_at_once(world: World) -> None:
    assert Client().get(opportunity_page(world)).status_code == 200
    listed = {result["id"] for result in Client().get("/api/v1/search").json()["results"]}
    assert world.pending.pk not in listed
    services.opportunity_archive(opportunity=world.published, by=world.users["coordinator"])
    services.opportunity_publish(opportunity=world.pending, by=world.users["coordinator"])
    assert Client().get(opportunity_page(world)).status_code == 404
    listed = {result["id"] for result in Client().get("/api/v1/search").json()["results"]}
    assert world.pending.pk in listed
    assert world.published.pk not in listed


class SetsACookie:
    """A middleware that sets a cookie on answers to requests asking for one (as a view could)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "X-Set-Cookie" in request.headers:
            response.set_cookie("chosen", "yes")
        return response


def test_it_does_not_keep_an_answer_that_sets_a_cookie(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_public_cache.SetsACookie"]
    assert "chosen" in Client().get(opportunity_page(world), HTTP_X_SET_COOKIE="1").cookies
    retitle_quietly(world.published, "Quietly renamed")
    assert "Quietly renamed" in Client().get(opportunity_page(world)).content.decode()


def test_it_keeps_each_language_apart(world: World) -> None:
    english = Client().get("/api/v1/search", HTTP_ACCEPT_LANGUAGE="en")
    french = Client().get("/api/v1/search", HTTP_ACCEPT_LANGUAGE="fr")
    assert (english["Content-Language"], french["Content-Language"]) == ("en", "fr")
    assert Client().get("/en/search/", HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "en", "the address decides"
    assert "a learning city" in Client().get("/en/").content.decode()
    assert "a learning city" not in Client().get("/fr/").content.decode()


def test_it_keeps_the_easy_reading_mode_apart(world: World) -> None:
    Client().get(opportunity_page(world))
    easy = Client()
    easy.cookies["reading_mode"] = "easy"
    assert 'class="easy-read"' in easy.get(opportunity_page(world)).content.decode()


@pytest.mark.parametrize("path", ["/en/search/", "/api/v1/search"])
def test_it_still_counts_every_search_served_from_the_cache(world: World, path: str) -> None:
    for _visitor in range(3):
        assert Client().get(path, {"q": "Aquarelle"}).status_code == 200
    demand.flush()  # counts wait in memory a few seconds (SEARCH_DEMAND_FLUSH_SECONDS)
    [statistic] = QueryStatistic.objects.all()
    assert (statistic.query, statistic.searches) == ("aquarelle", 3)


def test_it_keeps_no_draft_nor_error(world: World, client_for: Callable[[str], Client]) -> None:
    draft = f"/en/opportunities/{world.draft.pk}/"
    assert Client().get(draft).status_code == 404
    world.draft.status = Status.PUBLISHED
    world.draft.save()
    assert Client().get(draft).status_code == 200


def test_pages_carry_no_per_visitor_token_and_easy_reading_needs_none(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/en/")
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert not page.cookies
    response = client.post("/reading-mode", {"mode": "easy", "next": "/en/"})
    assert response.status_code == 302
    assert response.cookies["reading_mode"].value == "easy"


def test_it_can_be_turned_off(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_CACHE_SECONDS = 0
    Client().get(opportunity_page(world))
    retitle_quietly(world.published, "Quietly renamed")
    assert "Quietly renamed" in Client().get(opportunity_page(world)).content.decode()


def test_it_shows_changes_made_without_signals_once_the_kept_answer_expires(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_CACHE_SECONDS = 1
    Client().get(opportunity_page(world))
    retitle_quietly(world.published, "Quietly renamed")  # as an import writes in bulk
    assert "Quietly renamed" not in Client().get(opportunity_page(world)).content.decode()
    time.sleep(1.1)
    assert "Quietly renamed" in Client().get(opportunity_page(world)).content.decode()


def test_it_keeps_a_feed_as_long_as_its_view_allows(world: World) -> None:
    feed = f"/en/calendars/organisations/{world.org_a.pk}.ics"
    response = Client().get(feed)
    assert "max-age=900" in response["Cache-Control"]
    [entry] = [entry for entry in public_cache._memory._entries.values() if entry.body == response.content]
    # 15 minutes, less the random share that spreads expiries (LIFETIME_SPREAD): always far above PUBLIC_CACHE_SECONDS
    assert 900 * (1 - public_cache.LIFETIME_SPREAD) - 5 < entry.expires - time.time() <= 900


def test_answers_made_together_expire_spread_over_the_last_part_of_their_lifetime(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_CACHE_SECONDS = 400
    request = RequestFactory().get("/en/search/?q=cooking")
    request.resolver_match = None
    entries = [public_cache._entry(request, HttpResponse(b"results"), made=time.time()) for _ in range(200)]
    lifetimes = [entry.expires - time.time() for entry in entries]
    assert all(300 - 1 < lifetime <= 400 for lifetime in lifetimes)
    assert max(lifetimes) - min(lifetimes) > 60, "not all in the same second"


def test_it_serves_a_kept_calendar_feed_and_renews_it_with_the_catalogue(world: World) -> None:
    feed = f"/en/calendars/opportunities/{world.published.pk}.ics"
    first = Client().get(feed)
    assert first.status_code == 200
    assert b"Watercolour workshop" in first.content
    retitle_quietly(world.published, "Quietly renamed")
    assert Client().get(feed).content == first.content
    services.opportunity_update(
        opportunity=world.published, by=world.users["provider_staff"], fields={"title_en": "Oil painting"}, relations={}
    )
    assert b"Oil painting" in Client().get(feed).content


def test_it_shows_a_cancelled_session_at_once(world: World) -> None:
    session = world.published.sessions.get()
    before = Client().get(opportunity_page(world)).content
    enrolment.session_cancel(session=session, by=world.users["provider_staff"], reason="Speaker ill")
    assert Client().get(opportunity_page(world)).content != before


def test_the_home_page_counts_follow_the_catalogue(world: World, client_for: Callable[[str], Client]) -> None:
    resident = client_for("resident")
    assert "1 opportunity" in resident.get("/en/").content.decode()
    services.opportunity_publish(opportunity=world.pending, by=world.users["coordinator"])
    assert "2 opportunities" in resident.get("/en/").content.decode()


@pytest.mark.django_db
def test_a_kept_calendar_still_answers_not_modified_to_a_client_that_has_it(world: World, client: Client) -> None:
    from django.urls import reverse
    from django.utils import translation

    with translation.override("en"):
        feed = reverse("calendars:opportunity", args=[world.published.pk])
    first = client.get(feed)
    assert first.status_code == 200
    kept = Client().get(feed, HTTP_IF_NONE_MATCH=first["ETag"])  # served from the public cache now
    assert kept.status_code == 304
    assert kept.content == b""


def test_a_session_becoming_full_shows_at_once_on_its_page(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    session = bookable(world, capacity=2)
    page = f"/en/opportunities/{session.opportunity_id}/"
    assert "2 places left" in Client().get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment.registration_create(session=session, by=verified(world.users["resident"]))
    assert "2 places left" in Client().get(page).content.decode(), "a count may lag (PUBLIC_CACHE_SECONDS)"
    with django_capture_on_commit_callbacks(execute=True):
        enrolment.registration_create(session=session, by=verified(world.users["other_resident"]))
    assert "Full" in Client().get(page).content.decode(), "full: never shown as having room"
    [mine] = Registration.objects.filter(user=world.users["other_resident"])
    with django_capture_on_commit_callbacks(execute=True):
        enrolment.registration_cancel(registration=mine, by=world.users["other_resident"])
    assert "1 place left" in Client().get(page).content.decode(), "room again: shown at once"


def test_a_kept_answer_carries_the_same_security_headers(world: World) -> None:
    first = Client().get(opportunity_page(world))
    kept = Client().get(opportunity_page(world))
    assert kept["X-Public-Cache"] == "hit"
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        assert kept[header] == first[header]


def test_an_api_answer_kept_for_one_origin_is_not_served_to_another(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example"]
    settings.CORS_ALLOW_ALL_ORIGINS = False
    partner = {"Origin": "https://partner.example"}
    assert Client().get("/api/v1/search", {"q": "aquarelle"}, headers=partner)["Access-Control-Allow-Origin"] == (
        "https://partner.example"
    )
    stranger = Client().get("/api/v1/search", {"q": "aquarelle"}, HTTP_ORIGIN="https://stranger.example")
    assert "Access-Control-Allow-Origin" not in stranger
    again = Client().get("/api/v1/search", {"q": "aquarelle"}, headers=partner)
    assert again["X-Public-Cache"] == "hit"
    assert again["Access-Control-Allow-Origin"] == "https://partner.example"

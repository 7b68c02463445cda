"""What residents, providers and coordinators see and do on the catalogue pages."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.catalogue.models import Opportunity, Status
from tests.factories import World


def test_it_shows_french_by_default_and_english_on_request(world: World, client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/")
    french = client.get(response["Location"]).content.decode()
    assert '<html lang="fr">' in french
    english = client.get("/en/opportunities/").content.decode()
    assert '<html lang="en">' in english
    assert "Watercolour workshop" in english


def test_it_switches_language_and_keeps_the_page(world: World, client: Client) -> None:
    detail = f"/fr/opportunities/{world.published.pk}/"
    response = client.get(reverse("switch-language"), {"lang": "en", "next": detail})
    assert response.status_code == 302
    assert response["Location"] == f"/en/opportunities/{world.published.pk}/"
    assert client.cookies["django_language"].value == "en"


def test_it_refuses_an_unknown_language_or_a_foreign_redirect(world: World, client: Client) -> None:
    assert client.get(reverse("switch-language"), {"lang": "xx", "next": "/"}).status_code == 400
    response = client.get(reverse("switch-language"), {"lang": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/en/"


def test_it_filters_the_list_and_keeps_filters_across_pages(world: World, client: Client) -> None:
    with translation.override("en"):
        url = reverse("catalogue:opportunity-list")
    response = client.get(url, {"q": "watercolour", "age": "70"})
    assert "Watercolour workshop" in response.content.decode()
    assert "Watercolour workshop" not in client.get(url, {"age": "5"}).content.decode()


def test_it_ignores_invalid_filters_with_a_message(world: World, client: Client) -> None:
    response = client.get("/en/opportunities/", {"age": "-4"})
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()


def test_it_embeds_schema_org_json_ld(world: World, client: Client) -> None:
    page = client.get(f"/en/opportunities/{world.published.pk}/").content.decode()
    start = page.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["@type"] == "Event"
    assert data["location"][0]["@type"] == "Place"
    assert data["offers"][0]["price"] == "0"
    assert data["audience"]["suggestedMinAge"] == 8


def test_it_keeps_script_tags_out_of_json_ld(world: World, client: Client) -> None:
    Opportunity.objects.filter(pk=world.published.pk).update(title_en="</script><script>alert(1)</script>")
    page = client.get(f"/en/opportunities/{world.published.pk}/").content.decode()
    assert "<script>alert(1)" not in page


def test_it_lets_a_provider_create_a_draft_and_reports_bad_fields(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("provider_staff")
    url = f"/en/provider/organisations/{world.org_a.pk}/new/"
    count = Opportunity.objects.count()
    bad = client.post(
        url,
        {
            "title_fr": "",
            "title_en": "",
            "kind": "workshop",
            "age_min": "40",
            "age_max": "20",
            "mode": "on_site",
            "is_free": "on",
        },
    )
    assert bad.status_code == 200
    assert "Please correct the fields marked below." in bad.content.decode()
    assert Opportunity.objects.count() == count, "nothing half-written"
    good = client.post(url, {
        "title_fr": "Initiation au tricot", "title_en": "Knitting for beginners", "kind": "workshop",
        "building_blocks": [1], "languages": ["fr"], "age_min": "10", "age_max": "120", "mode": "on_site",
        "venue": world.org_a.venues.first().pk, "is_free": "on",  # type: ignore[union-attr]
    })  # fmt: skip
    created = Opportunity.objects.get(title_en="Knitting for beginners")
    assert good.status_code == 302
    assert created.status == Status.DRAFT
    assert created.organisation == world.org_a


def test_it_refuses_a_venue_of_another_city(world: World, client_for: Callable[[str], Client]) -> None:
    from tests.factories import make_city, make_organisation

    elsewhere = make_organisation(make_city("elsewhere"), "Ailleurs")
    response = client_for("provider_staff").post(f"/en/provider/organisations/{world.org_a.pk}/new/", {
        "title_fr": "X", "kind": "workshop", "building_blocks": [1], "languages": ["fr"], "age_min": "1",
        "age_max": "99", "mode": "on_site", "venue": elsewhere.venues.first().pk, "is_free": "on",  # type: ignore[union-attr]
    })  # fmt: skip
    assert response.status_code == 200
    assert not Opportunity.objects.filter(title_fr="X").exists()


def test_it_adds_a_weekly_series_of_sessions(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("provider_staff").post(f"/en/provider/opportunities/{world.draft.pk}/sessions/", {
        "date": "2030-01-07", "start_time": "18:00", "end_time": "20:00", "repeat": "WEEKLY", "occurrences": "10",
    })  # fmt: skip
    assert response.status_code == 302
    assert world.draft.sessions.count() == 11


def test_it_reports_a_session_ending_before_it_starts(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("provider_staff").post(f"/en/provider/opportunities/{world.draft.pk}/sessions/", {
        "date": "2030-01-07", "start_time": "18:00", "end_time": "17:00",
    })  # fmt: skip
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert world.draft.sessions.count() == 1


def test_it_serves_a_web_app_manifest(client: Client) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_it_remembers_the_easy_reading_mode(world: World, client: Client) -> None:
    client.post("/reading-mode", {"mode": "easy", "next": "/en/"})
    assert 'class="easy-read"' in client.get("/en/").content.decode()
    client.post("/reading-mode", {"mode": "standard", "next": "/en/"})
    assert 'class="easy-read"' not in client.get("/en/").content.decode()

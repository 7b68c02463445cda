"""schema.org JSON-LD on every public page, in French and English, safe from titles that try to end the script."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from learningcity.catalogue.models import City, Opportunity, Organisation, Venue
from learningcity.festival.models import Festival, Submission, SubmissionStatus
from tests.factories import World

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
LANGUAGES = ["fr", "en"]
NASTY = '</script><script>alert("pwned")</script><!--'


@pytest.fixture
def festival(world: World) -> Festival:
    first = timezone.localdate() + timedelta(days=2)
    festival = Festival.objects.create(
        city=world.city, slug="learning-fair", name_fr="Fête du savoir", name_en="Learning fair", starts_on=first,
        ends_on=first + timedelta(days=6), call_opens_on=first - timedelta(days=30), call_closes_on=first,
    )  # fmt: skip
    Submission.objects.create(
        festival=festival, opportunity=world.published, status=SubmissionStatus.ACCEPTED, decided_at=timezone.now()
    )
    return festival


def body(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def documents(page: str) -> list[dict[str, Any]]:
    """Every JSON-LD document of a page, parsed (each must be valid JSON)."""
    return [json.loads(text) for text in SCRIPT.findall(page)]


def texts(value: object) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in texts(item)] if isinstance(value, list) else []


def one(client: Client, url: str) -> dict[str, Any]:
    found = documents(body(client, url))
    assert len(found) == 1, url
    assert found[0]["@context"] == "https://schema.org"
    return found[0]


def page_urls(world: World, festival: Festival, language: str) -> dict[str, str]:
    venue = world.org_a.venues.get()
    return {
        "home": f"/{language}/",
        "list": f"/{language}/opportunities/",
        "detail": f"/{language}/opportunities/{world.published.pk}/",
        "organisation": f"/{language}/organisations/{world.org_a.pk}/",
        "venue": f"/{language}/venues/{venue.pk}/",
        "search": f"/{language}/search/",
        "festivals": f"/{language}/festival/",
        "programme": f"/{language}/festival/{festival.slug}/",
        "key-figures": f"/{language}/key-figures/",
    }


EXPECTED_TYPES = {
    "list": "ItemList", "detail": "Event", "organisation": "Library", "venue": "Place", "search": "ItemList",
    "festivals": "ItemList", "programme": "Festival", "key-figures": "Dataset",
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_describes_every_public_page(world: World, festival: Festival, client: Client, language: str) -> None:
    urls = page_urls(world, festival, language)
    home = one(client, urls["home"])
    assert {node["@type"] for node in home["@graph"]} == {"WebSite", "GovernmentOrganization"}
    for page, expected in EXPECTED_TYPES.items():
        assert one(client, urls[page])["@type"] == expected, page


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_offers_the_site_search_and_the_city_on_the_home_page(world: World, client: Client, language: str) -> None:
    graph = {node["@type"]: node for node in one(client, f"/{language}/")["@graph"]}
    site, city = graph["WebSite"], graph["GovernmentOrganization"]
    assert site["inLanguage"] == language
    assert site["url"] == f"http://testserver/{language}/"
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == f"http://testserver/{language}/search/?q={{search_term_string}}"
    assert action["query-input"] == "required name=search_term_string"
    assert site["publisher"] == {"@id": city["@id"]}
    assert city["areaServed"]["@type"] == "City"
    assert city["areaServed"]["name"] == "Testville"
    assert city["areaServed"]["geo"]["latitude"] == pytest.approx(47.39)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_lists_the_listings_shown_and_only_those(world: World, client: Client, language: str) -> None:
    title = {"fr": "Atelier d'aquarelle", "en": "Watercolour workshop"}[language]
    for url in [f"/{language}/opportunities/", f"/{language}/search/"]:
        data = one(client, url)
        assert data["numberOfItems"] == 1
        (item,) = data["itemListElement"]
        assert item["position"] == 1
        assert item["name"] == title
        assert item["url"].startswith(f"http://testserver/{language}/opportunities/{world.published.pk}/")


def test_it_describes_an_organisation_with_its_venues(world: World, client: Client) -> None:
    Organisation.objects.filter(pk=world.org_a.pk).update(
        type="university", siret="73282932000074", website="https://mediatheque.test", email="contact@a.test"
    )
    data = one(client, f"/en/organisations/{world.org_a.pk}/")
    venue = world.org_a.venues.get()
    assert data["@type"] == "CollegeOrUniversity"
    assert (data["name"], data["email"], data["sameAs"]) == (
        "Médiathèque A",
        "contact@a.test",
        ["https://mediatheque.test"],
    )
    assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "SIRET", "value": "73282932000074"}
    assert data["location"][0]["url"] == f"http://testserver/en/venues/{venue.pk}/"
    assert data["location"][0]["geo"]["longitude"] == pytest.approx(0.69)


def test_it_describes_a_venue_as_a_place_with_its_accessibility(world: World, client: Client) -> None:
    venue = world.org_a.venues.get()
    Venue.objects.filter(pk=venue.pk).update(opening_hours="Mo-Fr 09:00-18:00", hearing_loop=True)
    data = one(client, f"/fr/venues/{venue.pk}/")
    assert data["address"]["streetAddress"] == "1 rue de la Paix"
    assert data["containedInPlace"] == {"@type": "AdministrativeArea", "name": "Centre"}
    assert data["openingHours"] == "Mo-Fr 09:00-18:00"
    assert {feature["name"] for feature in data["amenityFeature"]} == {"accès de plain-pied", "boucle magnétique"}
    assert all(feature["value"] is True for feature in data["amenityFeature"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_lists_the_festivals(world: World, festival: Festival, client: Client, language: str) -> None:
    data = one(client, f"/{language}/festival/")
    (item,) = data["itemListElement"]
    assert item["item"]["@type"] == "Festival"
    assert item["item"]["name"] == {"fr": "Fête du savoir", "en": "Learning fair"}[language]
    assert item["item"]["url"] == f"http://testserver/{language}/festival/learning-fair/"
    assert item["item"]["startDate"] == festival.starts_on.isoformat()


def test_it_describes_the_key_figures_as_a_dataset(world: World, client: Client) -> None:
    data = one(client, "/en/key-figures/")
    assert data["name"].startswith("Testville in figures, ")
    assert {download["encodingFormat"] for download in data["distribution"]} == {"text/csv", "application/json"}
    assert data["distribution"][0]["contentUrl"].startswith("http://testserver/en/key-figures.csv?year=")


def test_it_keeps_hostile_names_inside_the_json(world: World, festival: Festival, client: Client) -> None:
    City.objects.filter(pk=world.city.pk).update(name=NASTY)
    Organisation.objects.filter(pk=world.org_a.pk).update(name=NASTY, description_en=NASTY)
    Venue.objects.filter(organisation=world.org_a).update(name=NASTY, opening_hours=NASTY)
    Opportunity.objects.filter(pk=world.published.pk).update(title_fr=NASTY, title_en=NASTY)
    Festival.objects.filter(pk=festival.pk).update(name_fr=NASTY, name_en=NASTY, theme_en=NASTY)
    for language in LANGUAGES:
        for page, url in page_urls(world, festival, language).items():
            html = body(client, url)
            assert '<script>alert("pwned")' not in html, page
            assert NASTY in set(texts(documents(html))), page

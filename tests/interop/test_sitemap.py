"""The sitemap: every public page in French and English with its alternates, split into files of 50,000."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from learningcity.festival.models import Festival
from learningcity.interop import sitemap
from tests.conftest import ROLES
from tests.factories import World

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def site_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE


@pytest.fixture
def festival(world: World) -> Festival:
    first = timezone.localdate() + timedelta(days=10)
    return Festival.objects.create(
        city=world.city, slug="learning-fair", name_fr="Fête du savoir", name_en="Learning fair", starts_on=first,
        ends_on=first + timedelta(days=6), call_opens_on=first - timedelta(days=30), call_closes_on=first,
    )  # fmt: skip


def parse(client: Client, url: str) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own document)


def urls(root: ElementTree.Element) -> dict[str, ElementTree.Element]:
    return {element.findtext("sm:loc", namespaces=NS) or "": element for element in root.findall("sm:url", NS)}


def all_urls(client: Client) -> dict[str, ElementTree.Element]:
    index = parse(client, "/sitemap.xml")
    found: dict[str, ElementTree.Element] = {}
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        found.update(urls(parse(client, (loc.text or "").removeprefix(SITE))))
    return found


def test_it_serves_an_index_of_sitemap_files(world: World, client: Client) -> None:
    index = parse(client, "/sitemap.xml")
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)] == [f"{SITE}/sitemap-1.xml"]


def test_it_lists_published_listings_in_both_languages_and_never_drafts(world: World, client: Client) -> None:
    found = all_urls(client)
    pk = world.published.pk
    assert f"{SITE}/fr/opportunities/{pk}/atelier-daquarelle/" in found
    assert f"{SITE}/en/opportunities/{pk}/watercolour-workshop/" in found
    for hidden in [world.draft, world.pending, world.other_draft]:
        assert not [url for url in found if f"/opportunities/{hidden.pk}/" in url]


def test_it_names_every_translation_of_each_page(world: World, client: Client) -> None:
    found = all_urls(client)
    english = found[f"{SITE}/en/opportunities/{world.published.pk}/watercolour-workshop/"]
    links = english.findall("xhtml:link", NS)
    alternates = {link.get("hreflang"): link.get("href") for link in links if link.get("rel") == "alternate"}
    assert alternates == {
        "fr": f"{SITE}/fr/opportunities/{world.published.pk}/atelier-daquarelle/",
        "en": f"{SITE}/en/opportunities/{world.published.pk}/watercolour-workshop/",
    }
    lastmod = datetime.fromisoformat(english.findtext("sm:lastmod", namespaces=NS) or "")
    assert lastmod == world.published.updated_at.replace(microsecond=0)


def test_it_lists_the_public_pages_organisations_venues_and_festivals(
    world: World, festival: Festival, client: Client
) -> None:
    found = all_urls(client)
    venue = world.org_a.venues.get()
    for language in ["fr", "en"]:
        for path in ["/", "/opportunities/", "/search/", "/festival/", "/key-figures/",
                     f"/organisations/{world.org_a.pk}/", f"/organisations/{world.org_b.pk}/",
                     f"/venues/{venue.pk}/", f"/festival/{festival.slug}/"]:  # fmt: skip
            assert f"{SITE}/{language}{path}" in found, path
    assert not [url for url in found if "/provider/" in url or "/review/" in url or "/accounts/" in url]


def test_it_splits_large_sites_into_files(world: World, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    everything = all_urls(client)
    monkeypatch.setattr(sitemap, "MAX_URLS", 6)  # three items (each in two languages) per file
    index = parse(client, "/sitemap.xml")
    files = [(loc.text or "").removeprefix(SITE) for loc in index.findall("sm:sitemap/sm:loc", NS)]
    items = len(everything) // 2
    assert files == [f"/sitemap-{number}.xml" for number in range(1, -(-items // 3) + 1)]
    pieces = [urls(parse(client, file)) for file in files]
    assert all(len(piece) <= 6 for piece in pieces)
    assert sum(len(piece) for piece in pieces) == len(everything)
    assert set().union(*pieces) == set(everything)
    assert client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_it_keeps_an_empty_site_valid(db: None, client: Client) -> None:
    found = all_urls(client)
    assert f"{SITE}/fr/" in found


@pytest.mark.parametrize("role", ROLES)
def test_it_shows_everyone_the_same_public_sitemap(
    world: World, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)
    assert client.get("/sitemap.xml").content == Client().get("/sitemap.xml").content
    assert client.get("/sitemap-1.xml").content == Client().get("/sitemap-1.xml").content
    assert client.post("/sitemap.xml").status_code == 405

"""Large public feeds (organisation, district, festival) are kept for anonymous readers; edits show at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from learningcity.catalogue.models import District
from tests.calendars.helpers import parse
from tests.factories import World

pytestmark = pytest.mark.django_db


def url(name: str, *args: object, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"calendars:{name}", args=args)


def test_it_serves_a_district_feed_again_without_building_it(world: World, client: Client) -> None:
    centre = District.objects.get(city=world.city, code="01")
    feed = url("district", world.city.slug, centre.code)
    first = client.get(feed)
    with CaptureQueriesContext(connection) as again:
        second = client.get(feed)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert not any("catalogue_session" in query["sql"] for query in again.captured_queries)


def test_it_keeps_each_language_apart(world: World, client: Client) -> None:
    english = parse(client.get(url("organisation", world.org_a.pk, language="en")))
    french = parse(client.get(url("organisation", world.org_a.pk, language="fr")))
    assert [str(event["SUMMARY"]) for event in english.events] == ["Watercolour workshop"]
    assert [str(event["SUMMARY"]) for event in french.events] == ["Atelier d'aquarelle"]


def test_it_still_answers_not_found_for_an_unknown_organisation(client: Client) -> None:
    assert client.get(url("organisation", 999_999)).status_code == 404


def test_it_shows_an_opportunitys_edit_in_its_own_feed_at_once(world: World, client: Client) -> None:
    feed = url("opportunity", world.published.pk)
    client.get(feed)
    world.published.title_en = "Ink drawing"
    world.published.save()
    assert "Ink drawing" in client.get(feed).content.decode()

"""The "Add to calendar" block of an opportunity's page."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse
from django.utils import translation

from learningcity.catalogue.models import Status
from tests.calendars.helpers import PARIS, parse
from tests.factories import World


def page(client: Client, world: World, language: str = "en") -> str:
    with translation.override(language):
        path = reverse("catalogue:opportunity", args=[world.published.pk])
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str) -> str:
    match = re.search(r'<section class="add-to-calendar".*?</section>', html, re.S)
    assert match, "the block is on the page"
    return match.group(0)


def test_it_offers_a_file_and_google_and_outlook_links_for_each_session(world: World, client: Client) -> None:
    session = world.published.sessions.get()
    block = section(page(client, world))

    assert '<h2 id="add-to-calendar-title">Add to your calendar</h2>' in block
    local = session.start.astimezone(PARIS)
    when = f"{local:%A} {local.day} {local:%B %Y, %H:%M}"
    for name in ("Calendar file (.ics)", "Google Calendar", "Outlook.com"):
        assert f'{name}<span class="visually-hidden">, {when}</span></a>' in block, f"{name} names its date"
    ics = re.search(r'href="([^"]+)" type="text/calendar" download', block)
    assert ics
    assert ics.group(1) == f"/en/calendars/sessions/{session.pk}.ics"
    assert len(parse(client.get(ics.group(1))).events) == 1


def test_it_gives_the_session_in_utc_to_google_and_outlook(world: World, client: Client) -> None:
    session = world.published.sessions.get()
    block = section(page(client, world)).replace("&amp;", "&")

    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', block)
    outlook = re.search(r'href="(https://outlook\.live\.com/[^"]+)"', block)
    assert google
    assert outlook
    google_query = parse_qs(urlsplit(google.group(1)).query)
    assert google_query["text"] == ["Watercolour workshop"]
    assert google_query["dates"] == [f"{session.start:%Y%m%dT%H%M%SZ}/{session.end:%Y%m%dT%H%M%SZ}"]
    assert google_query["location"] == ["Médiathèque A venue, 1 rue de la Paix"]
    outlook_query = parse_qs(urlsplit(outlook.group(1)).query)
    assert outlook_query["rru"] == ["addevent"]
    assert outlook_query["subject"] == ["Watercolour workshop"]
    assert outlook_query["startdt"] == [f"{session.start:%Y-%m-%dT%H:%M:%SZ}"]
    assert outlook_query["enddt"] == [f"{session.end:%Y-%m-%dT%H:%M:%SZ}"]


def test_it_links_the_feeds_of_the_listing_its_provider_and_its_district(world: World, client: Client) -> None:
    block = section(page(client, world, "fr"))

    assert f'href="/fr/calendars/opportunities/{world.published.pk}.ics"' in block
    assert f'href="/fr/calendars/organisations/{world.org_a.pk}.ics"' in block
    assert f'href="/fr/calendars/cities/{world.city.slug}/districts/01.ics"' in block


def test_it_offers_nothing_to_add_for_a_listing_that_is_not_public(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        path = reverse("catalogue:opportunity", args=[world.draft.pk])
    html = client_for("provider_staff").get(path).content.decode()

    assert world.draft.status == Status.DRAFT
    assert "add-to-calendar" not in html

"""Public feeds: what a calendar application reads in them, and how they are served."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.catalogue.models import District, Session, Status, Venue
from tests.calendars.helpers import PARIS, events_by_uid, parse
from tests.factories import World, make_opportunity, make_organisation


def url(name: str, *args: object, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"calendars:{name}", args=args)


def test_it_describes_each_session_of_an_opportunity(world: World, client: Client) -> None:
    session = world.published.sessions.get()
    calendar = parse(client.get(url("opportunity", world.published.pk)))

    event = events_by_uid(calendar)[f"session-{session.pk}@127.0.0.1"]
    assert str(event["SUMMARY"]) == "Watercolour workshop"
    assert "Learn watercolour basics." in str(event["DESCRIPTION"])
    assert "Organised by: Médiathèque A" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Médiathèque A venue, 1 rue de la Paix"
    geo: Any = event["GEO"]
    assert (geo.latitude, geo.longitude) == (47.39, 0.69)
    assert str(event["URL"]) == f"http://127.0.0.1:8000/en/opportunities/{world.published.pk}/watercolour-workshop/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.start == session.start.astimezone(PARIS).replace(microsecond=0)
    assert event.end == session.end.astimezone(PARIS).replace(microsecond=0)
    assert event.DTSTAMP == event.last_modified == world.published.organisation.updated_at.replace(microsecond=0)
    assert event.sequence == 0
    assert calendar.calendar_name == "Watercolour workshop"
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Paris"]


def test_it_writes_the_feed_in_the_language_of_its_address(world: World, client: Client) -> None:
    calendar = parse(client.get(url("opportunity", world.published.pk, language="fr")))

    (event,) = calendar.events
    assert str(event["SUMMARY"]) == "Atelier d'aquarelle"
    assert "On apprend les bases de l'aquarelle." in str(event["DESCRIPTION"])
    assert "/fr/opportunities/" in str(event["URL"])
    assert calendar.calendar_name == "Atelier d'aquarelle"


def test_it_keeps_uids_and_bytes_stable_across_fetches(world: World, client: Client) -> None:
    first = client.get(url("organisation", world.org_a.pk))
    second = client.get(url("organisation", world.org_a.pk))

    assert first.content == second.content
    assert set(events_by_uid(parse(first))) == set(events_by_uid(parse(second)))
    assert first["ETag"] == second["ETag"]


def test_it_answers_not_modified_to_a_calendar_that_has_the_latest_version(world: World, client: Client) -> None:
    feed = url("opportunity", world.published.pk)
    first = client.get(feed)

    again = client.get(feed, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]

    world.published.title_en = "Watercolour for beginners"
    world.published.save()
    changed = client.get(feed, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "Watercolour for beginners" in changed.content.decode()


def test_it_serves_feeds_as_cacheable_calendar_files(world: World, client: Client) -> None:
    response = client.get(url("opportunity", world.published.pk))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="watercolour-workshop.ics"'
    assert "public" in response["Cache-Control"]
    assert "max-age=900" in response["Cache-Control"]
    assert response["Last-Modified"].endswith("GMT")
    assert client.head(url("opportunity", world.published.pk)).status_code == 200
    assert client.post(url("opportunity", world.published.pk)).status_code == 405


def test_it_shows_only_published_opportunities_in_a_providers_feed(world: World, client: Client) -> None:
    calendar = parse(client.get(url("organisation", world.org_a.pk)))

    sessions = {f"session-{pk}@127.0.0.1" for pk in world.published.sessions.values_list("pk", flat=True)}
    assert set(events_by_uid(calendar)) == sessions, "drafts and pending listings stay out"


def test_it_gathers_a_districts_sessions_on_site_only(world: World, client: Client) -> None:
    centre = District.objects.get(city=world.city, code="01")
    elsewhere = make_organisation(world.city, "Théâtre C")
    Venue.objects.filter(organisation=elsewhere).update(district=District.objects.get(city=world.city, code="02"))
    make_opportunity(elsewhere, title_en="Stage lighting")
    make_opportunity(world.org_b, title_en="Online museum tour", mode="online", online_url="https://visit.example/live")

    calendar = parse(client.get(url("district", world.city.slug, centre.code)))

    titles = sorted(str(event["SUMMARY"]) for event in calendar.events)
    assert titles == ["Watercolour workshop"]
    assert calendar.calendar_name == "Learning in Centre, Testville"


def test_it_gives_the_link_of_an_online_session_and_no_place(world: World, client: Client) -> None:
    online = make_opportunity(
        world.org_b, title_en="Online museum tour", mode="online", online_url="https://visit.example/live"
    )

    (event,) = parse(client.get(url("opportunity", online.pk))).events

    assert str(event["LOCATION"]) == "https://visit.example/live"
    assert "GEO" not in event
    assert str(event["CONFERENCE"]) == "https://visit.example/live"
    assert "Online: https://visit.example/live" in str(event["DESCRIPTION"])


def test_it_covers_a_month_back_and_a_year_ahead(world: World, client: Client) -> None:
    now = timezone.now()
    for days in (-45, -20, 300, 400):
        start = now + timedelta(days=days)
        Session.objects.create(opportunity=world.published, start=start, end=start + timedelta(hours=1))

    calendar = parse(client.get(url("opportunity", world.published.pk)))

    days_away = sorted(round((event.start - now).total_seconds() / 86400) for event in calendar.events)
    assert days_away == [-20, 3, 300]


def test_it_keeps_an_empty_feed_valid(world: World, client: Client) -> None:
    world.published.sessions.all().delete()

    calendar = parse(client.get(url("opportunity", world.published.pk)))

    assert calendar.events == []
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Paris"], "the feed's own zone, always"


def test_it_offers_one_session_as_a_calendar_file(world: World, client: Client) -> None:
    session = world.published.sessions.get()
    response = client.get(url("session", session.pk))

    (event,) = parse(response).events
    assert str(event["UID"]) == f"session-{session.pk}@127.0.0.1", "the same event as in the feeds"
    local_date = session.start.astimezone(PARIS).date()
    assert response["Content-Disposition"] == f'attachment; filename="watercolour-workshop-{local_date}.ics"'


@pytest.mark.parametrize(
    "path",
    [
        lambda w: url("opportunity", 999_999),
        lambda w: url("opportunity", w.draft.pk),
        lambda w: url("opportunity", w.pending.pk),
        lambda w: url("session", 999_999),
        lambda w: url("session", w.draft.sessions.get().pk),
        lambda w: url("organisation", 999_999),
        lambda w: url("district", w.city.slug, "99"),
        lambda w: url("district", "nowhere", "01"),
        lambda w: url("festival", "no-such-festival"),
        lambda w: f"/de/calendars/opportunities/{w.published.pk}.ics",
    ],
    ids=["unknown", "draft", "pending", "unknown session", "draft session", "unknown organisation",
         "unknown district", "unknown city", "unknown festival", "unknown language"],
)  # fmt: skip
def test_it_answers_not_found_to_what_is_unknown_or_not_public(world: World, client: Client, path) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path(world)).status_code == 404


def test_it_sends_an_address_without_language_to_the_default_one(world: World, client: Client) -> None:
    response = client.get(f"/calendars/opportunities/{world.published.pk}.ics")

    assert response.status_code == 302
    assert response["Location"] == f"/fr/calendars/opportunities/{world.published.pk}.ics"


def test_it_ignores_a_lang_parameter(world: World, client: Client) -> None:
    calendar = parse(client.get(url("opportunity", world.published.pk, language="en") + "?lang=xx"))

    assert str(calendar.events[0]["SUMMARY"]) == "Watercolour workshop"


def test_it_drops_a_listing_from_public_feeds_once_archived(world: World, client: Client) -> None:
    world.published.status = Status.ARCHIVED
    world.published.save()

    assert parse(client.get(url("organisation", world.org_a.pk))).events == []
    assert client.get(url("opportunity", world.published.pk)).status_code == 404


def test_it_reads_the_feed_in_few_queries(world: World, client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _index in range(5):
        make_opportunity(world.org_a)

    with django_assert_max_num_queries(3):
        calendar = parse(client.get(url("organisation", world.org_a.pk)))
    assert len(calendar.events) == 6


def test_it_describes_each_time_zone_its_sessions_use_once(world: World, client: Client) -> None:
    overseas = make_opportunity(world.org_a, title_en="Creole storytelling")
    overseas.sessions.update(time_zone="America/Martinique")

    calendar = parse(client.get(url("organisation", world.org_a.pk)))

    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Paris", "America/Martinique"]
    (storytelling,) = [event for event in calendar.events if str(event["SUMMARY"]) == "Creole storytelling"]
    assert storytelling["DTSTART"].params["TZID"] == "America/Martinique"
    assert storytelling.decoded("DTSTART").utcoffset() == timedelta(hours=-4)


def test_organisation_and_venue_pages_link_their_feeds(world: World, client: Client) -> None:
    organisation = world.published.organisation
    page = client.get(f"/en/organisations/{organisation.pk}/").content.decode()
    feed = reverse("calendars:organisation", args=[organisation.pk])
    assert f'href="{feed}"' in page
    assert parse(client.get(feed)).walk("VEVENT"), "the linked feed holds the organisation's dates"
    venue = world.published.venue
    assert venue is not None
    assert venue.district is not None
    page = client.get(f"/en/venues/{venue.pk}/").content.decode()
    assert f'href="{reverse("calendars:district", args=[world.city.slug, venue.district.code])}"' in page

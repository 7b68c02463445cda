"""What coordinators, providers and residents see and do on the festival pages."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from learningcity.catalogue.models import BuildingBlock, Status
from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.festival.models import Festival, Submission, SubmissionStatus
from tests.factories import World, make_user
from tests.festival.conftest import Programme, at, event, today


def url(name: str, *args: Any, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"festival:{name}", args=args)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def titles(response: Any) -> list[str]:
    """Event titles of the programme, in order."""
    return re.findall(r'id="session-\d+-link"[^>]*>([^<]+)</a>', response.content.decode())


def families() -> int:
    return BuildingBlock.objects.get(code="families-communities").pk


def test_the_festival_goes_from_call_to_summary(world: World, client_for: Callable[[str], Client]) -> None:
    coordinator, provider, other = (
        client_for("coordinator"),
        client_for("provider_staff"),
        client_for("other_provider_staff"),
    )
    first = today() + timedelta(days=2)
    # The coordinator opens the festival and its call for events.
    response = coordinator.post(url("create"), {
        "name_fr": "Fête du savoir", "name_en": "Learning fair",
        "theme_fr": "Apprendre dehors", "theme_en": "Learning outdoors",
        "starts_on": first.isoformat(), "ends_on": (first + timedelta(days=6)).isoformat(),
        "call_opens_on": today().isoformat(), "call_closes_on": (today() + timedelta(days=1)).isoformat(),
    })  # fmt: skip
    festival = Festival.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("manage", festival.slug)
    assert festival.city == world.city
    # Two providers answer the call; one describes a new event, the other submits a listing.
    assert "The call for events is open until" in text(provider.get(url("submit", festival.slug)))
    response = provider.post(url("submit-new", festival.slug), {
        "title_fr": "Fabrique de cerfs-volants", "title_en": "Kite workshop", "kind": "festival_event",
        "building_blocks": [families()], "languages": ["fr"], "age_min": "6", "age_max": "120",
        "is_free": "on", "mode": "on_site", "venue": world.org_a.venues.first().pk,  # type: ignore[union-attr]
        "date": (first + timedelta(days=1)).isoformat(), "start_time": "14:00", "end_time": "16:00",
    })  # fmt: skip
    assert response.status_code == 302, text(response)
    kites = Submission.objects.get(opportunity__title_en="Kite workshop")
    theirs = event(world.org_b, at(festival, 2, 18), title_fr="Nuit des étoiles", title_en="Star night")
    assert (
        other.post(url("submit", festival.slug), {"opportunity": theirs.pk, "note": "Si beau temps"}).status_code == 302
    )
    stars = Submission.objects.get(opportunity=theirs)
    # The coordinator accepts one with a word, declines the other with a reason.
    desk = text(coordinator.get(url("manage", festival.slug)))
    assert "Waiting for a decision (2)" in desk
    assert "Si beau temps" in desk
    decision = {f"s{kites.pk}-decision": "accept", f"s{kites.pk}-message": "Merci !"}
    accepted = coordinator.post(url("decide", festival.slug, kites.pk), decision)
    assert accepted.status_code == 302
    decision = {f"s{stars.pk}-decision": "decline", f"s{stars.pk}-message": "Hors thème."}
    declined = coordinator.post(url("decide", festival.slug, stars.pk), decision)
    assert declined.status_code == 302
    kites.refresh_from_db()
    assert kites.status == SubmissionStatus.ACCEPTED
    assert kites.opportunity.status == Status.PUBLISHED
    # The public programme shows the accepted event only; providers see the decisions.
    public = client_for("anonymous").get(url("programme", festival.slug))
    assert titles(public) == ["Kite workshop"]
    assert "Hors thème." in text(other.get(url("submit", festival.slug)))
    # Residents register and come; the counters and the summary follow.
    session = kites.opportunity.sessions.get()
    for number in range(12):
        Registration.objects.create(user=make_user(f"kid{number}@resident.test", year_of_birth=2015),
                                    session=session, attended=number < 11)  # fmt: skip
    figures = text(coordinator.get(url("manage", festival.slug)))
    assert re.search(r"<dt>Registrations</dt><dd>12</dd>", figures)
    assert re.search(r"<dt>Attendance</dt><dd>11</dd>", figures)
    summary = text(coordinator.get(url("summary", festival.slug)))
    assert "these figures are provisional" in summary
    rows = list(csv.DictReader(io.StringIO(coordinator.get(url("summary-csv", festival.slug)).content.decode())))
    total = {row["measure"]: row["value"] for row in rows if row["breakdown"] == "total"}
    assert total == {"events": "1", "registrations": "12", "attendance": "11"}
    band = {row["measure"]: row["value"] for row in rows if row["code"] == "11-17"}
    assert band == {"events": "1", "registrations": "12", "attendance": "11"}


def test_the_coordinator_is_shown_what_is_wrong_with_a_festival(
    world: World, client_for: Callable[[str], Client]
) -> None:
    first = today() + timedelta(days=10)
    response = client_for("coordinator").post(url("create"), {
        "name_fr": "Fête", "name_en": "Fair", "starts_on": first.isoformat(),
        "ends_on": (first - timedelta(days=1)).isoformat(), "call_opens_on": today().isoformat(),
        "call_closes_on": (first + timedelta(days=5)).isoformat(),
    })  # fmt: skip
    assert response.status_code == 400
    page = text(response)
    assert '<a href="#id_ends_on">Last day: The last day must be on or after the first day.</a>' in page
    assert 'id="id_ends_on"' in page
    assert 'aria-invalid="true"' in page
    assert not Festival.objects.exists()


def test_a_coordinator_edits_the_festival(programme: Programme, client_for: Callable[[str], Client]) -> None:
    festival = programme.festival
    data = {"name_fr": "Fête du savoir", "name_en": "Knowledge fair", "theme_fr": "", "theme_en": "",
            "starts_on": festival.starts_on.isoformat(), "ends_on": festival.ends_on.isoformat(),
            "call_opens_on": festival.call_opens_on.isoformat(),
            "call_closes_on": (festival.ends_on + timedelta(days=1)).isoformat()}  # fmt: skip
    refused = client_for("coordinator").post(url("edit", festival.slug), data)
    assert refused.status_code == 400
    assert "The call for events must close by the festival&#x27;s last day" in text(refused)
    data["call_closes_on"] = festival.ends_on.isoformat()
    assert client_for("coordinator").post(url("edit", festival.slug), data).status_code == 302
    festival.refresh_from_db()
    assert festival.name_en == "Knowledge fair"
    assert festival.slug == "learning-festival-" + str(festival.starts_on.year)


def test_declining_without_a_message_is_explained_next_to_the_message(
    programme: Programme, client_for: Callable[[str], Client]
) -> None:
    waiting = Submission.objects.get(opportunity=programme.waiting)
    response = client_for("coordinator").post(
        url("decide", programme.festival.slug, waiting.pk), {f"s{waiting.pk}-decision": "decline"}
    )
    assert response.status_code == 400
    page = text(response)
    assert f'<a href="#id_s{waiting.pk}-message">Message to the provider: Tell the provider why' in page
    assert f'id="id_s{waiting.pk}-message_error"' in page
    waiting.refresh_from_db()
    assert waiting.status == SubmissionStatus.PENDING


def test_a_provider_is_told_why_a_listing_cannot_be_submitted(
    programme: Programme, client_for: Callable[[str], Client]
) -> None:
    late = event(programme.world.org_a, at(programme.festival, 9, 10), title_en="Too late")
    response = client_for("provider_staff").post(url("submit", programme.festival.slug), {"opportunity": late.pk})
    assert response.status_code == 400
    assert '<a href="#id_opportunity">Opportunity: None of the sessions of “Too late” takes place' in text(response)
    response = client_for("provider_staff").post(url("submit", programme.festival.slug), {"opportunity": ""})
    assert "Choose the opportunity to submit." in text(response)


def test_providers_cannot_submit_once_the_call_has_closed(
    programme: Programme, client_for: Callable[[str], Client]
) -> None:
    festival = programme.festival
    Festival.objects.filter(pk=festival.pk).update(call_opens_on=today() - timedelta(days=9),
                                                   call_closes_on=today() - timedelta(days=1))  # fmt: skip
    provider = client_for("provider_staff")
    page = text(provider.get(url("submit", festival.slug)))
    assert "The call for events closed on" in page
    assert 'name="opportunity"' not in page
    response = provider.post(url("submit", festival.slug), {"opportunity": programme.world.published.pk})
    assert response.status_code == 400
    assert "no more events can be submitted" in text(response)
    assert not Submission.objects.filter(opportunity=programme.world.published).exists()


def test_the_new_event_form_keeps_to_the_festivals_days(
    programme: Programme, client_for: Callable[[str], Client]
) -> None:
    response = client_for("provider_staff").post(url("submit-new", programme.festival.slug), {
        "title_en": "Kite workshop", "kind": "festival_event", "building_blocks": [families()],
        "languages": ["fr"], "age_min": "6", "age_max": "120", "is_free": "on", "mode": "on_site",
        "venue": programme.world.org_a.venues.first().pk,  # type: ignore[union-attr]
        "date": (programme.festival.ends_on + timedelta(days=1)).isoformat(),
        "start_time": "14:00", "end_time": "13:00",
    })  # fmt: skip
    assert response.status_code == 400
    page = text(response)
    assert '<a href="#id_date">Date: A day of the festival, from' in page
    assert '<a href="#id_end_time">End time: The end must be after the start.</a>' in page


# ---- The public programme ---------------------------------------------------------------------


def test_the_programme_shows_accepted_events_within_the_festival_by_day(programme: Programme, client: Client) -> None:
    response = client.get(url("programme", programme.festival.slug))
    assert titles(response) == ["Robotics workshop", "Climate talk"], "not declined, waiting, or after the festival"
    page = text(response)
    day = programme.festival.starts_on
    with translation.override("en"):
        from django.utils import formats

        heading = formats.date_format(day, "l j F Y")
    assert f'<h3 id="day-{day.isoformat()}">{heading}</h3>' in page
    assert ">10:00</time>–" in page, "local times"
    assert "Learning together" in page


def test_the_programme_speaks_french_under_fr(programme: Programme, client: Client) -> None:
    response = client.get(url("programme", programme.festival.slug, language="fr"))
    assert response.status_code == 200
    assert titles(response) == ["Atelier de robotique", "Conférence sur le climat"]
    page = text(response)
    assert '<html lang="fr">' in page
    assert "Fête du savoir" in page
    assert "Apprendre ensemble" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"day": "1"}, ["Climate talk"]),
        ({"district": "02"}, ["Climate talk"]),
        ({"age": "10"}, ["Robotics workshop"]),
        ({"age": "40"}, ["Climate talk"]),
        ({"block": "families-communities"}, ["Robotics workshop"]),
        ({"free": "on"}, ["Robotics workshop"]),
        ({"district": "01", "age": "40"}, []),
        ({"day": "", "district": "", "age": "", "block": ""}, ["Robotics workshop", "Climate talk"]),
    ],
    ids=["day", "district", "age of a child", "age of an adult", "building block", "free", "nothing", "empty"],
)
def test_the_programme_filters_with_a_plain_get_form(
    programme: Programme, client: Client, query: dict[str, str], expected: list[str]
) -> None:
    if query.get("day"):
        query = {**query, "day": (programme.festival.starts_on + timedelta(days=int(query["day"]))).isoformat()}
    response = client.get(url("programme", programme.festival.slug), query)
    assert response.status_code == 200
    assert titles(response) == expected
    if not expected:
        assert "No event matches these filters" in text(response)


def test_invalid_filters_are_explained_and_show_no_programme(programme: Programme, client: Client) -> None:
    response = client.get(url("programme", programme.festival.slug), {"age": "-3", "day": "1999-01-01"})
    assert response.status_code == 400
    page = text(response)
    assert '<a href="#id_age">Age of the learner:' in page
    assert '<a href="#id_day">Day:' in page
    assert titles(response) == []


def test_the_programme_has_a_map_json_ld_and_a_print_stylesheet(programme: Programme, client: Client) -> None:
    page = client.get(url("programme", programme.festival.slug)).content.decode()
    assert "festival/festival.css" in page
    assert "vendor/leaflet/leaflet.js" in page
    points = json.loads(re.search(r'id="festival-map-data"[^>]*>(.*?)</script>', page).group(1))["points"]  # type: ignore[union-attr]
    assert {point["place"] for point in points} == {"Médiathèque A venue", "Quai des Rives"}
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "Festival"
    assert data["name"] == "Learning fair"
    assert [sub["name"] for sub in data["subEvent"]] == ["Robotics workshop", "Climate talk"]
    assert data["subEvent"][1]["location"][0]["name"] == "Quai des Rives"


def test_the_programme_links_its_calendar_feed_when_there_is_one(programme: Programme, client: Client) -> None:
    from django.urls import NoReverseMatch

    try:
        feed = reverse("calendars:festival", args=[programme.festival.slug])
    except NoReverseMatch:
        pytest.skip("the calendars app does not serve festival feeds yet")
    assert f'href="{feed}"' in client.get(url("programme", programme.festival.slug)).content.decode()


def test_public_counters_hide_small_counts_of_people(programme: Programme, client_for: Callable[[str], Client]) -> None:
    session = programme.robotics.sessions.get()
    for number in range(3):
        Registration.objects.create(user=make_user(f"p{number}@resident.test"), session=session, attended=True)
    Registration.objects.create(user=make_user("gone@resident.test"), session=session,
                                status=RegistrationStatus.CANCELLED)  # fmt: skip
    public = text(client_for("anonymous").get(url("programme", programme.festival.slug)))
    assert "<dt>Events</dt><dd>2</dd>" in public
    assert "<dt>Registrations</dt><dd>fewer than 10</dd>" in public
    assert "<dt>Districts reached</dt><dd>2</dd>" in public
    desk = text(client_for("coordinator").get(url("manage", programme.festival.slug)))
    assert "<dt>Registrations</dt><dd>3</dd>" in desk
    assert "<dt>Attendance</dt><dd>3</dd>" in desk


def test_the_index_lists_the_citys_festivals(programme: Programme, client_for: Callable[[str], Client]) -> None:
    page = text(client_for("resident").get(url("index")))
    assert f'href="{url("programme", programme.festival.slug)}"' in page
    assert "Manage festivals" not in page
    assert "Manage festivals" in text(client_for("coordinator").get(url("index")))


def test_the_summary_suppresses_small_counts(programme: Programme, client_for: Callable[[str], Client]) -> None:
    Festival.objects.filter(pk=programme.festival.pk).update(
        starts_on=today() - timedelta(days=9), ends_on=today() - timedelta(days=1),
        call_opens_on=today() - timedelta(days=20), call_closes_on=today() - timedelta(days=10),
    )  # fmt: skip
    page = text(client_for("coordinator").get(url("summary", programme.festival.slug)))
    assert "provisional" not in page
    assert "not shown (under 10)" in page
    assert timezone.now()


def test_staff_of_two_providers_choose_which_one_a_new_event_is_for(
    programme: Programme, client_for: Callable[[str], Client]
) -> None:
    from learningcity.accounts.models import Membership

    world = programme.world
    Membership.objects.create(user=world.users["provider_staff"], organisation=world.org_b)  # type: ignore[misc]
    provider = client_for("provider_staff")
    assert 'name="organisation"' in text(provider.get(url("submit-new", programme.festival.slug)))
    response = provider.post(url("submit-new", programme.festival.slug), {
        "organisation": world.org_b.pk, "title_en": "Museum night", "kind": "festival_event",
        "building_blocks": [families()], "languages": ["fr"], "age_min": "0", "age_max": "120", "is_free": "on",
        "mode": "on_site", "venue": world.org_b.venues.first().pk,  # type: ignore[union-attr]
        "date": programme.festival.starts_on.isoformat(), "start_time": "20:00", "end_time": "23:00",
    })  # fmt: skip
    assert response.status_code == 302
    assert Submission.objects.get(opportunity__title_en="Museum night").opportunity.organisation == world.org_b

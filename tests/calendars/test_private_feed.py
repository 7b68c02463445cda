"""A resident's own registrations behind a secret, revocable address."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.models import FamilyMember
from learningcity.calendars.models import FeedToken
from learningcity.calendars.selectors import token_digest
from learningcity.calendars.services import feed_token_issue
from learningcity.catalogue.models import Session
from learningcity.enrolment.models import Registration, RegistrationStatus
from tests.calendars.helpers import parse, person
from tests.factories import World, make_opportunity

PAGE = "/en/calendars/me/"


def address_on_page(html: str) -> str:
    """The private address the page shows right after making it (the value of the read-only field)."""
    match = re.search(r'id="feed-address" type="text" readonly value="([^"]+)"', html)
    assert match, "the new address is shown"
    return match.group(1)


def issue(client: Client) -> Any:
    """Press "Make a new address" on the page as it is now (the form says which address it replaces)."""
    match = re.search(r'name="replacing" value="([^"]*)"', client.get(PAGE).content.decode())
    assert match
    return client.post(PAGE, {"action": "issue", "replacing": match.group(1)})


def path_of(address: str) -> str:
    return address.removeprefix("http://127.0.0.1:8000")


def register(world: World, role: str, session: Session, status: str = RegistrationStatus.CONFIRMED) -> Registration:
    return Registration.objects.create(user=person(world, role), session=session, status=status)


@pytest.fixture
def resident_token(world: World) -> str:
    return feed_token_issue(user=world.users["resident"], replacing="")


def test_it_shows_a_new_address_once_and_keeps_only_its_digest(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("resident")
    assert "You have no private calendar address" in client.get(PAGE).content.decode()

    response = client.post(PAGE, {"action": "issue", "replacing": ""})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    address = address_on_page(response.content.decode())
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert address == f"http://127.0.0.1:8000/en/calendars/me/{token}.ics"
    stored = FeedToken.objects.get(user=world.users["resident"])
    assert stored.digest == token_digest(token) != token
    again = client.get(PAGE).content.decode()
    assert token not in again, "shown once only"
    assert "Your private address was made on" in again
    assert "No calendar has read it yet." in again


def test_it_lists_the_residents_own_registrations_with_their_standing(
    world: World, client: Client, resident_token: str
) -> None:
    waiting = make_opportunity(world.org_b, title_en="Museum night")
    dropped = make_opportunity(world.org_a, title_en="Pottery")
    confirmed = register(world, "resident", world.published.sessions.get())
    waitlisted = register(world, "resident", waiting.sessions.get(), RegistrationStatus.WAITLISTED)
    register(world, "resident", dropped.sessions.get(), RegistrationStatus.CANCELLED)
    register(world, "other_resident", dropped.sessions.get())

    calendar = parse(client.get(f"/en/calendars/me/{resident_token}.ics"))

    events = {str(event["UID"]): event for event in calendar.events}
    assert set(events) == {f"registration-{confirmed.pk}@127.0.0.1", f"registration-{waitlisted.pk}@127.0.0.1"}
    place = events[f"registration-{confirmed.pk}@127.0.0.1"]
    assert (str(place["SUMMARY"]), str(place["STATUS"]), str(place["TRANSP"])) == (
        "Watercolour workshop", "CONFIRMED", "OPAQUE",
    )  # fmt: skip
    queue = events[f"registration-{waitlisted.pk}@127.0.0.1"]
    assert (str(queue["SUMMARY"]), str(queue["STATUS"]), str(queue["TRANSP"])) == (
        "Waitlisted: Museum night", "TENTATIVE", "TRANSPARENT",
    )  # fmt: skip
    assert calendar.calendar_name == "My learning registrations"


def test_it_writes_the_private_feed_in_the_language_of_its_address(
    world: World, client: Client, resident_token: str
) -> None:
    register(world, "resident", world.published.sessions.get())

    calendar = parse(client.get(f"/fr/calendars/me/{resident_token}.ics"))

    assert [str(event["SUMMARY"]) for event in calendar.events] == ["Atelier d'aquarelle"]


def test_it_keeps_the_private_feed_private(world: World, client: Client, resident_token: str) -> None:
    response = client.get(f"/en/calendars/me/{resident_token}.ics")

    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "sessionid" not in response.cookies, "the address does not log anyone in"
    assert client.get(reverse("accounts:account")).status_code == 302
    assert client.get(f"/en/accounts/me/?token={resident_token}").status_code == 302


def test_it_notes_when_a_calendar_last_read_the_feed(
    world: World, client_for: Callable[[str], Client], resident_token: str
) -> None:
    Client().get(f"/en/calendars/me/{resident_token}.ics")

    stored = FeedToken.objects.get(user=world.users["resident"])
    assert stored.last_read_at is not None
    assert timezone.now() - stored.last_read_at < timedelta(minutes=1)
    assert "A calendar last read it on" in client_for("resident").get(PAGE).content.decode()


def test_it_stops_the_old_address_when_a_new_one_is_made(
    world: World, client_for: Callable[[str], Client], resident_token: str
) -> None:
    client = client_for("resident")
    new_address = address_on_page(issue(client).content.decode())

    assert Client().get(f"/en/calendars/me/{resident_token}.ics").status_code == 404
    assert Client().get(path_of(new_address)).status_code == 200
    assert FeedToken.objects.filter(user=world.users["resident"]).count() == 1


def test_it_turns_the_feed_off(world: World, client_for: Callable[[str], Client], resident_token: str) -> None:
    client = client_for("resident")

    response = client.post(PAGE, {"action": "revoke"}, follow=True)

    assert "Your calendar feed is off. Its address no longer works." in response.content.decode()
    assert Client().get(f"/en/calendars/me/{resident_token}.ics").status_code == 404
    assert not FeedToken.objects.filter(user=world.users["resident"]).exists()
    assert "You have no private calendar address" in response.content.decode()


@pytest.mark.parametrize(
    "token",
    ["A" * 43, "short", "A" * 44, "../../etc/passwd"],
    ids=["wrong", "too short", "too long", "path"],
)
def test_it_answers_not_found_to_a_wrong_token(world: World, client: Client, resident_token: str, token: str) -> None:
    assert client.get(f"/en/calendars/me/{token}.ics").status_code == 404


def test_it_closes_the_feed_of_a_deactivated_account(world: World, client: Client, resident_token: str) -> None:
    resident = world.users["resident"]
    assert resident is not None
    resident.is_active = False
    resident.save()

    assert client.get(f"/en/calendars/me/{resident_token}.ics").status_code == 404


def test_it_explains_an_unknown_action(world: World, client_for: Callable[[str], Client]) -> None:
    response = client_for("resident").post(PAGE, {"action": "publish"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose to make a new address or to turn the feed off." in html
    assert not FeedToken.objects.exists(), "nothing written"


def test_it_keeps_the_address_just_made_when_the_form_is_sent_twice(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("resident")
    first = address_on_page(client.post(PAGE, {"action": "issue", "replacing": ""}).content.decode())

    again = client.post(PAGE, {"action": "issue", "replacing": ""})

    assert again.status_code == 400
    assert "Your address changed since this page was shown (was the form sent twice?). It still works." in (
        again.content.decode()
    )
    assert 'id="feed-address"' not in again.content.decode()
    assert Client().get(path_of(first)).status_code == 200


def test_it_names_who_a_place_is_for_when_not_the_account_holder(
    world: World, client: Client, resident_token: str
) -> None:
    resident = person(world, "resident")
    child = FamilyMember.objects.create(account=resident, name="Léa", year_of_birth=2015)
    session = world.published.sessions.get()
    Registration.objects.create(user=resident, session=session, family_member=child)
    Registration.objects.create(user=resident, session=session, group_name="CM2 B", places=24)

    calendar = parse(client.get(f"/en/calendars/me/{resident_token}.ics"))

    assert sorted(str(event["SUMMARY"]) for event in calendar.events) == [
        "Watercolour workshop (CM2 B, 24 places)",
        "Watercolour workshop (Léa)",
    ]

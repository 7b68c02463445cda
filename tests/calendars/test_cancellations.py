"""Cancelled sessions and registrations, as calendars show them."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learningcity.calendars.services import feed_token_issue
from learningcity.catalogue.models import Opportunity, Organisation
from learningcity.enrolment.models import CancellationReason, Registration, RegistrationStatus, SessionCancellation
from tests.calendars.helpers import parse, person
from tests.factories import World, make_opportunity


def test_it_marks_a_cancelled_session_in_public_feeds(world: World, client: Client) -> None:
    session = world.published.sessions.get()
    yesterday = timezone.now() - timedelta(days=1)
    Opportunity.objects.filter(pk=world.published.pk).update(updated_at=yesterday)
    Organisation.objects.filter(pk=world.org_a.pk).update(updated_at=yesterday)
    before = parse(client.get(reverse("calendars:opportunity", args=[world.published.pk])))
    SessionCancellation.objects.create(session=session, cancelled_at=timezone.now())

    after = parse(client.get(reverse("calendars:opportunity", args=[world.published.pk])))

    (was,), (event,) = before.events, after.events
    assert str(event["UID"]) == str(was["UID"]), "the same event, now called off"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.sequence == was.sequence + 1
    assert was.last_modified == yesterday.replace(microsecond=0)
    assert event.last_modified > was.last_modified, "the cancellation is the latest change"


def test_it_shows_registrations_ended_by_the_session_and_drops_the_ones_the_person_cancelled(
    world: World, client: Client
) -> None:
    called_off = world.published.sessions.get()
    SessionCancellation.objects.create(session=called_off)
    given_up = make_opportunity(world.org_b, title_en="Museum night").sessions.get()
    offered = make_opportunity(world.org_b, title_en="Night walk").sessions.get()
    resident = person(world, "resident")
    cancelled = RegistrationStatus.CANCELLED
    Registration.objects.create(user=resident, session=called_off, status=cancelled,
                                cancellation_reason=CancellationReason.SESSION)  # fmt: skip
    Registration.objects.create(user=resident, session=given_up, status=cancelled,
                                cancellation_reason=CancellationReason.PARTICIPANT)  # fmt: skip
    Registration.objects.create(user=resident, session=offered, status=RegistrationStatus.OFFERED,
                                offer_expires_at=timezone.now() + timedelta(days=2))  # fmt: skip
    token = feed_token_issue(user=resident, replacing="")

    calendar = parse(client.get(f"/en/calendars/me/{token}.ics"))

    shown = {str(event["SUMMARY"]): str(event["STATUS"]) for event in calendar.events}
    assert shown == {"Watercolour workshop": "CANCELLED", "Place offered: Night walk": "TENTATIVE"}


def test_it_does_not_offer_to_add_a_cancelled_session(world: World, client: Client) -> None:
    SessionCancellation.objects.create(session=world.published.sessions.get())

    html = client.get(reverse("catalogue:opportunity", args=[world.published.pk]), HTTP_ACCEPT_LANGUAGE="en").content

    assert "cancelled" in html.decode()
    assert b"calendar.google.com" not in html

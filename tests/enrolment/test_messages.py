"""Messages about registrations reach people in their language, through the task worker and a real SMTP server."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from learningcity.accounts.models import User
from learningcity.cli import main
from learningcity.enrolment import services
from learningcity.enrolment.models import Registration
from tests.enrolment.conftest import bookable, resident, run_worker, series
from tests.factories import World

# The worker reconnects between tasks and needs real commits (see tests/catalogue/test_tasks.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PARIS = ZoneInfo("Europe/Paris")


def in_language(language: str, message: str, **values: object) -> str:
    """A message as the site writes it in that language."""
    with translation.override(language):
        return translation.gettext(message) % values


def bodies(sink: Any) -> list[tuple[str, str, str]]:
    """(recipient, subject, body) of every message received, in order."""
    return [(m["To"], m["Subject"], m.get_content()) for m in sink.messages]


def test_it_confirms_a_place_in_the_person_s_language(world: World, alice: User, smtp_sink: Any) -> None:
    alice.preferred_language = "en"
    alice.save()
    session = bookable(world)
    services.registration_create(session=session, by=alice)
    assert DBTaskResult.objects.count() == 1, "queued, not sent during the request"
    assert smtp_sink.messages == []
    run_worker()
    [(to, subject, body)] = bodies(smtp_sink)
    assert to == "alice@resident.test"
    assert subject == "Your place is confirmed: Bookbinding workshop"
    local = timezone.localtime(session.start, PARIS)
    assert f"{local:%H:%M}" in body, "times are shown in the city's local time"
    assert "/en/registrations/" in body


def test_it_writes_in_french_to_french_speakers(world: World, alice: User, bob: User, smtp_sink: Any) -> None:
    session = bookable(world, capacity=1)
    services.registration_create(session=session, by=alice)
    services.registration_create(session=session, by=bob)  # French is the default language
    run_worker()
    confirmed, waiting = bodies(smtp_sink)
    assert confirmed[1] == in_language("fr", "Your place is confirmed: %(title)s", title="Atelier reliure")
    assert waiting[0] == "bob@resident.test"
    assert waiting[1] == in_language("fr", "You are on the waitlist: %(title)s", title="Atelier reliure")
    assert in_language("fr", "Position: %(position)s.", position=1) in waiting[2]
    assert "/fr/registrations/" in waiting[2]


def test_a_promoted_person_is_told_the_deadline(
    world: World, alice: User, bob: User, smtp_sink: Any, settings: Any
) -> None:
    settings.ENROLMENT_OFFER_HOURS = 48
    bob.preferred_language = "en"
    bob.save()
    session = bookable(world, capacity=1, days=6)
    mine = services.registration_create(session=session, by=alice)
    services.registration_create(session=session, by=bob)
    run_worker()
    smtp_sink.messages.clear()
    now = timezone.now()
    services.registration_cancel(registration=mine.first, by=alice, now=now)
    run_worker()
    messages = {to: (subject, body) for to, subject, body in bodies(smtp_sink)}
    subject, body = messages["bob@resident.test"]
    deadline = timezone.localtime(now + timedelta(hours=48), PARIS)
    assert subject.startswith("A place is free for you, confirm it by")
    assert f"{deadline:%H:%M}" in subject
    assert f"{deadline:%H:%M}" in body
    assert "alice@resident.test" in messages, "the person who cancelled is told too"


def test_the_offer_goes_out_even_to_someone_who_switched_everything_off(
    world: World, alice: User, bob: User, smtp_sink: Any
) -> None:
    services.message_preference_set(user=bob, confirmations=False, reminders=False, cancellations=False)
    session = bookable(world, capacity=1)
    mine = services.registration_create(session=session, by=alice)
    services.registration_create(session=session, by=bob)
    services.registration_cancel(registration=mine.first, by=alice)
    run_worker()
    to_bob = [subject for to, subject, _ in bodies(smtp_sink) if to == "bob@resident.test"]
    assert len(to_bob) == 1, "only the offer: no waitlist confirmation"
    offer = in_language("fr", "A place is free for you, confirm it by %(deadline)s: %(title)s", deadline="", title="")
    assert to_bob[0].startswith(offer.split(":")[0].split(",")[0])


def test_everyone_registered_or_waiting_hears_of_a_cancelled_session(
    world: World, alice: User, bob: User, smtp_sink: Any
) -> None:
    session = bookable(world, capacity=1)
    carla = resident("carla@resident.test", preferred_language="en")
    services.registration_create(session=session, by=alice)
    services.registration_create(session=session, by=bob)
    services.registration_create(session=session, by=carla)
    run_worker()
    smtp_sink.messages.clear()
    services.session_cancel(session=session, by=world.users["provider_staff"], reason="The room is flooded.")
    run_worker()
    received = {to: (subject, body) for to, subject, body in bodies(smtp_sink)}
    assert set(received) == {"alice@resident.test", "bob@resident.test", "carla@resident.test"}
    subject, body = received["carla@resident.test"]
    assert subject == "Session cancelled: Bookbinding workshop"
    assert "The room is flooded." in body


def test_a_guardian_is_told_about_their_child_s_place(world: World, alice: User, smtp_sink: Any) -> None:
    from learningcity.accounts.services import family_member_add

    alice.preferred_language = "en"
    alice.save()
    child = family_member_add(account=alice, name="Léo", year_of_birth=2016)
    services.registration_create(session=bookable(world), by=alice, family_member=child)
    run_worker()
    [(to, _subject, body)] = bodies(smtp_sink)
    assert to == "alice@resident.test"
    assert "The place of Léo" in body


def test_a_series_booking_is_confirmed_in_one_message_listing_every_session(
    world: World, alice: User, smtp_sink: Any
) -> None:
    sessions = series(world, count=3)
    services.registration_create(session=sessions[0], by=alice)
    run_worker()
    [(_to, _subject, body)] = bodies(smtp_sink)
    for session in sessions:
        assert timezone.localtime(session.start, PARIS).strftime("%H:%M") in body
    assert body.count("\n- ") == 3


def at_paris(day: datetime, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def test_reminders_go_out_the_day_before_and_never_twice(world: World, alice: User, bob: User, smtp_sink: Any) -> None:
    tomorrow = timezone.localtime(timezone.now(), PARIS) + timedelta(days=1)
    session = bookable(world)
    session.start, session.end = at_paris(tomorrow, 10), at_paris(tomorrow, 12)
    session.save()
    later = bookable(world, days=5)
    services.registration_create(session=session, by=alice)
    services.registration_create(session=later, by=alice)
    services.message_preference_set(user=bob, confirmations=True, reminders=False, cancellations=True)
    services.registration_create(session=session, by=bob)
    run_worker()
    smtp_sink.messages.clear()
    first = CliRunner().invoke(main, ["enrolment", "send-reminders"])
    second = CliRunner().invoke(main, ["enrolment", "send-reminders"])  # before the worker ran: queued again
    assert first.exit_code == second.exit_code == 0, first.output
    assert "2 reminders queued" in first.output
    run_worker()
    [(to, subject, _body)] = bodies(smtp_sink)
    assert to == "alice@resident.test", "Bob said no to reminders; the session in five days is not tomorrow"
    assert subject == in_language("fr", "Tomorrow: %(title)s", title="Atelier reliure")
    assert Registration.objects.get(user=bob, session=session).reminder_sent_at is not None
    third = CliRunner().invoke(main, ["enrolment", "send-reminders"])
    assert "0 reminders queued" in third.output
    run_worker()
    assert len(smtp_sink.messages) == 1


def test_a_reminder_queued_twice_is_sent_once(world: World, alice: User, smtp_sink: Any) -> None:
    from learningcity.enrolment import tasks

    booking = services.registration_create(session=bookable(world, days=1), by=alice)
    tasks.send_reminder.enqueue(booking.first.pk)
    tasks.send_reminder.enqueue(booking.first.pk)
    run_worker()
    reminder = in_language("fr", "Tomorrow: %(title)s", title="Atelier reliure")
    assert [subject for _to, subject, _body in bodies(smtp_sink)].count(reminder) == 1


def test_expire_offers_runs_from_the_command_line_and_tells_people(
    world: World, alice: User, bob: User, smtp_sink: Any, settings: Any
) -> None:
    settings.ENROLMENT_OFFER_HOURS = 0  # offers lapse at once
    session = bookable(world, capacity=1)
    carla = resident("carla@resident.test")
    mine = services.registration_create(session=session, by=alice)
    services.registration_create(session=session, by=bob)
    services.registration_create(session=session, by=carla)
    services.registration_cancel(registration=mine.first, by=alice)
    run_worker()
    smtp_sink.messages.clear()
    result = CliRunner().invoke(main, ["enrolment", "expire-offers"])
    assert result.exit_code == 0, result.output
    assert "1 offers expired" in result.output
    assert Registration.objects.get(user=carla).status == "offered"
    run_worker()
    assert {to for to, _s, _b in bodies(smtp_sink)} == {"bob@resident.test", "carla@resident.test"}


def test_the_verification_link_arrives_and_works(world: World, smtp_sink: Any, client: Any) -> None:
    from django.test import Client

    signup = Client().post(
        "/en/accounts/signup/",
        {"email": "nadia@example.org", "display_name": "Nadia", "preferred_language": "en",
         "password1": "a-long-and-unusual-passphrase", "password2": "a-long-and-unusual-passphrase",
         "privacy": "on"},
    )  # fmt: skip
    assert signup.status_code == 302
    run_worker()
    [message] = smtp_sink.messages
    assert message["Subject"] == "Confirm your e-mail address"
    link = next(line for line in message.get_content().splitlines() if "/accounts/verify/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302
    assert User.objects.get(email="nadia@example.org").email_verified

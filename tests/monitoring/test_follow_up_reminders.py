"""The follow-up question reaches attendees by e-mail some weeks later: once, in their language, unless they said no."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learningcity.catalogue.models import Session
from learningcity.cli import main
from learningcity.enrolment.models import Registration, RegistrationStatus
from learningcity.monitoring.models import FollowUp, FollowUpReminder, ReminderPreference
from tests.conftest import ROLES
from tests.factories import World, make_user

# The worker closes and reopens database connections between tasks, as in production: real commits needed.
# Serialized rollback: the flush after each test then leaves no rows that a later browser test
# (which restores the migrated data) would collide with, whatever the order tests run in.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_daily_job() -> str:
    """What cron runs (`learningcity follow-ups`), then the worker."""
    result = CliRunner().invoke(main, ["follow-ups"])
    assert result.exit_code == 0, result.output
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    return result.output


def attended(world: World, email: str, *, days_ago: int, language: str = "fr", **fields: Any) -> Registration:
    """A registration of a new resident to a session of the published offer that ended `days_ago` days ago."""
    end = timezone.now() - timedelta(days=days_ago)
    session = Session.objects.create(opportunity=world.published, start=end - timedelta(hours=2), end=end)
    user = make_user(email, preferred_language=language)
    return Registration.objects.create(user=user, session=session, **{"attended": True, **fields})


def test_it_emails_each_attendee_once_in_their_language(world: World, smtp_sink: Any) -> None:
    french = attended(world, "chloe@resident.test", days_ago=43)
    english = attended(world, "dan@resident.test", days_ago=45, language="en")
    assert "2 follow-up e-mails queued." in run_daily_job()
    by_recipient = {message["To"]: message for message in smtp_sink.messages}
    assert sorted(by_recipient) == ["chloe@resident.test", "dan@resident.test"]
    english_body = by_recipient["dan@resident.test"].get_content()
    assert by_recipient["dan@resident.test"]["Subject"] == "What did your learning lead to?"
    assert f"/en/feedback/{english.pk}/follow-up/" in english_body
    assert "Watercolour workshop" in english_body
    assert "/en/feedback/reminders/" in english_body, "every e-mail says how to stop them"
    french_body = by_recipient["chloe@resident.test"].get_content()
    assert f"/fr/feedback/{french.pk}/follow-up/" in french_body
    assert "Atelier d'aquarelle" in french_body
    assert FollowUpReminder.objects.count() == 2

    assert "0 follow-up e-mails queued." in run_daily_job()
    assert len(smtp_sink.messages) == 2, "never twice"


def test_it_asks_about_several_sessions_in_one_email(world: World, smtp_sink: Any) -> None:
    first = attended(world, "chloe@resident.test", days_ago=43)
    end = timezone.now() - timedelta(days=50)
    later = Session.objects.create(opportunity=world.published, start=end - timedelta(hours=2), end=end)
    second = Registration.objects.create(user=first.user, session=later, attended=True)
    run_daily_job()
    [message] = smtp_sink.messages
    assert f"/feedback/{first.pk}/follow-up/" in message.get_content()
    assert f"/feedback/{second.pk}/follow-up/" in message.get_content()


def test_it_leaves_out_everyone_who_should_not_be_asked(world: World, smtp_sink: Any) -> None:
    attended(world, "recent@resident.test", days_ago=20)
    attended(world, "absent@resident.test", days_ago=43, attended=False)
    attended(world, "waitlisted@resident.test", days_ago=43, status=RegistrationStatus.WAITLISTED)
    attended(world, "long-ago@resident.test", days_ago=400)
    answered = attended(world, "answered@resident.test", days_ago=43)
    FollowUp.objects.create(registration=answered, outcome="job")
    refused = attended(world, "no-thanks@resident.test", days_ago=43)
    ReminderPreference.objects.create(user=refused.user, follow_up_emails=False)
    reminded = attended(world, "reminded@resident.test", days_ago=43)
    FollowUpReminder.objects.create(registration=reminded)
    attended(world, "due@resident.test", days_ago=43)
    assert "1 follow-up e-mails queued." in run_daily_job()
    assert [message["To"] for message in smtp_sink.messages] == ["due@resident.test"]


def test_it_follows_the_configured_delay(world: World, smtp_sink: Any, settings: Any) -> None:
    settings.FOLLOW_UP_AFTER_DAYS = 14
    attended(world, "soon@resident.test", days_ago=15)
    run_daily_job()
    assert [message["To"] for message in smtp_sink.messages] == ["soon@resident.test"]


def test_it_records_nothing_when_the_mail_cannot_be_sent(world: World, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    attended(world, "chloe@resident.test", days_ago=43)
    run_daily_job()
    assert DBTaskResult.objects.get().status == "FAILED"
    assert not FollowUpReminder.objects.exists(), "the next run tries again"


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_it_lets_each_person_opt_out(world: World, client_for: Callable[[str], Client], role_index: int) -> None:
    client = client_for(ROLES[role_index])
    response = client.get("/en/feedback/reminders/")
    assert response.status_code == (302 if ROLES[role_index] == "anonymous" else 200)
    if ROLES[role_index] == "anonymous":
        return
    assert "42 days" in response.content.decode()
    follow = client.post("/en/feedback/reminders/", {}, follow=True)
    assert "no longer receive" in follow.content.decode()
    assert ReminderPreference.objects.get().follow_up_emails is False
    client.post("/en/feedback/reminders/", {"follow_up_emails": "on"})
    assert ReminderPreference.objects.get().follow_up_emails is True

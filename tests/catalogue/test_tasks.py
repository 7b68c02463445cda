"""Review decisions reach the provider by e-mail, through the task worker and SMTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from learningcity.catalogue import services
from tests.factories import World

# The worker closes and reopens database connections between tasks, as it does in production; that
# needs real commits, so these tests use a transactional database instead of one wrapping transaction.
# Serialized rollback: the flush after each test then leaves no rows that a later browser test
# (which restores the migrated data) would collide with, whatever the order tests run in.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_it_tells_the_provider_in_their_language_when_published(
    world: World, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = world.users["provider_staff"]
    staff.preferred_language = "en"  # type: ignore[union-attr]
    staff.save()  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_publish(opportunity=world.pending, by=world.users["coordinator"])
    assert DBTaskResult.objects.count() == 1, "the e-mail is queued, not sent in the request"
    assert smtp_sink.messages == []
    run_worker()
    [message] = smtp_sink.messages
    assert message["To"] == "staff@a.test"
    assert message["Subject"] == "Published: Pending A"
    assert "is now published" in message.get_content()


def test_it_sends_the_coordinators_note_in_french(
    world: World, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_return(opportunity=world.pending, by=world.users["coordinator"], note="Précisez le lieu.")
    run_worker()
    [message] = smtp_sink.messages
    assert "Précisez le lieu." in message.get_content()
    assert message["Subject"].startswith("À revoir")


def test_it_sends_nothing_when_a_provider_submits(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    tomorrow = timezone.now() + timedelta(days=1)
    world.draft.sessions.update(start=tomorrow, end=tomorrow + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_submit(opportunity=world.draft, by=world.users["provider_staff"])
    assert DBTaskResult.objects.count() == 0

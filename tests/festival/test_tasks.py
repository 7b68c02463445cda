"""Festival decisions reach the provider's staff by e-mail, in their language, through the task worker and SMTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from learningcity.accounts.models import Membership
from learningcity.festival import services
from learningcity.festival.models import Festival
from tests.factories import World, make_user
from tests.festival.conftest import submitted

# The worker closes and reopens database connections between tasks, as it does in production; that
# needs real commits, so these tests use a transactional database instead of one wrapping transaction.
# Serialized rollback: the flush after each test then leaves no rows that a later browser test
# (which restores the migrated data) would collide with, whatever the order tests run in.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_it_tells_each_staff_member_in_their_language_that_the_event_is_accepted(
    world: World, festival: Festival, smtp_sink: Any
) -> None:
    english = make_user("anna@a.test", display_name="Anna", preferred_language="en")
    Membership.objects.create(user=english, organisation=world.org_a)
    submission = submitted(festival, world.published)
    services.submission_accept(submission=submission, by=world.users["coordinator"], message="Merci, à bientôt !")
    assert smtp_sink.messages == [], "queued, not sent in the request"
    assert DBTaskResult.objects.count() == 1
    run_worker()
    by_recipient = {message["To"]: message for message in smtp_sink.messages}
    assert sorted(by_recipient) == ["anna@a.test", "staff@a.test"]
    assert by_recipient["anna@a.test"]["Subject"] == "In the programme of Learning fair: Watercolour workshop"
    body = by_recipient["anna@a.test"].get_content()
    assert "Hello Anna," in body
    assert "Merci, à bientôt !" in body
    assert f"/en/festival/{festival.slug}/" in body
    french = by_recipient["staff@a.test"]
    assert "Fête du savoir" in french["Subject"], "French names"
    assert "Atelier d'aquarelle" in french["Subject"]
    assert f"/fr/festival/{festival.slug}/" in french.get_content()


def test_it_tells_the_provider_why_the_event_is_declined(world: World, festival: Festival, smtp_sink: Any) -> None:
    staff = world.users["other_provider_staff"]
    staff.preferred_language = "en"  # type: ignore[union-attr]
    staff.save()  # type: ignore[union-attr]
    submission = submitted(festival, world.other_draft)
    services.submission_decline(submission=submission, by=world.users["coordinator"], message="Outside the theme.")
    run_worker()
    [message] = smtp_sink.messages
    assert message["To"] == "staff@b.test"
    assert message["Subject"] == "Not in the programme of Learning fair: Draft B"
    body = message.get_content()
    assert "did not accept “Draft B”" in body
    assert "Outside the theme." in body
    assert f"/en/festival/{festival.slug}/submit/" in body


def test_a_refused_decision_sends_nothing(world: World, festival: Festival, smtp_sink: Any) -> None:
    from django.core.exceptions import ValidationError

    submission = submitted(festival, world.published)
    with pytest.raises(ValidationError):
        services.submission_decline(submission=submission, by=world.users["coordinator"], message="")
    run_worker()
    assert DBTaskResult.objects.count() == 0
    assert smtp_sink.messages == []

"""The issuer's answer to a request reaches the resident by e-mail, through the task worker and SMTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from learningcity.passport.models import AwardRequest
from tests.factories import World
from tests.passport.test_awarding_helpers import make_achievement, person, url

# The worker reopens database connections, as in production: that needs real commits.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_accepting_tells_the_resident_who_now_holds_it(
    world: World, smtp_sink: Any, client_for: Callable[[str], Client]
) -> None:
    achievement = make_achievement(world)
    resident = person(world, "resident")
    resident.preferred_language = "en"
    resident.save()
    request = AwardRequest.objects.create(achievement=achievement, user=resident, message="My portfolio")
    client_for("provider_staff").post(
        url("passport:request-review", request.pk), {"decision": "accept", "note": "Bravo"}
    )
    assert DBTaskResult.objects.count() == 1
    assert smtp_sink.messages == []  # queued, not sent in the request
    run_worker()
    [message] = smtp_sink.messages
    assert message["To"] == "alice@resident.test"
    assert message["Subject"] == "Awarded: Digital workshop"
    body = message.get_content()
    assert "Médiathèque A accepted your request: you now hold “Digital workshop”." in body
    assert "Bravo" in body


def test_declining_sends_the_note(world: World, smtp_sink: Any, client_for: Callable[[str], Client]) -> None:
    achievement = make_achievement(world)
    resident = person(world, "resident")
    resident.preferred_language = "en"
    resident.save()
    request = AwardRequest.objects.create(achievement=achievement, user=resident, message="Please")
    client_for("provider_staff").post(
        url("passport:request-review", request.pk), {"decision": "decline", "note": "Send your certificate, please."}
    )
    run_worker()
    [message] = smtp_sink.messages
    assert message["Subject"] == "Your request for “Digital workshop”"
    body = message.get_content()
    assert "Médiathèque A did not award “Digital workshop” this time." in body
    assert "Send your certificate, please." in body
    assert url("passport:achievement", achievement.uuid) in body

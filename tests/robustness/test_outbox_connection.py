"""The task worker keeps its connection to the mail server open between the messages of its jobs."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.mail import send_mail

from learningcity.outbox import backend
from learningcity.outbox.models import SentEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def through_the_outbox(smtp_sink: Any, settings: Any) -> Any:
    """The production set-up: the outbox backend in front of SMTP to the sink."""
    settings.EMAIL_DELIVERY_BACKEND = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "learningcity.outbox.backend.OnceEmailBackend"
    yield smtp_sink
    backend._kept.close()


def send_in_a_job(job: str, subject: str) -> None:
    token = backend.current_job.set(backend.JobRun(task_id=job))
    try:
        send_mail(subject, "body", None, ["alice@resident.test"])
    finally:
        backend.current_job.reset(token)


def test_the_messages_of_several_jobs_go_over_one_connection(through_the_outbox: Any) -> None:
    for number in range(3):
        send_in_a_job(f"job-{number}", f"Message {number}")
    assert [str(message["Subject"]) for message in through_the_outbox.messages] == [
        "Message 0", "Message 1", "Message 2",
    ]  # fmt: skip
    assert len(set(through_the_outbox.peers)) == 1
    assert SentEmail.objects.filter(sent_at__isnull=False).count() == 3


def test_a_connection_the_server_dropped_is_replaced_and_the_message_sent_once(through_the_outbox: Any) -> None:
    send_in_a_job("job-1", "Before")
    kept = backend._kept.connection
    kept.connection.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]  # as a server closing idle clients does
    send_in_a_job("job-2", "After")
    assert [str(message["Subject"]) for message in through_the_outbox.messages] == ["Before", "After"]
    assert len(set(through_the_outbox.peers)) == 2


def test_an_idle_connection_is_closed_before_the_next_message(through_the_outbox: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(backend, "KEEP_OPEN_SECONDS", 0.0)
    send_in_a_job("job-1", "First")
    send_in_a_job("job-2", "Second")
    assert len(through_the_outbox.messages) == 2
    assert len(set(through_the_outbox.peers)) == 2

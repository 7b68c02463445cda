"""An e-mail backend that delivers through the real one, once per message and job.

A job killed after sending some messages is run again from the start by the worker recovery
(learningcity.tasks_recovery). Each message a job sends is keyed by the job's id, the message's
content and its rank among identical messages of that run; the key is written before the send and
marked sent after the mail server accepts the message, so the rerun skips what was delivered.
Outside a job (a web request) messages pass straight through. The one window left is a crash
between the server's acceptance and the marker's update: then the message may go out twice, never
zero times (at-least-once, the safe side for notifications).

Inside jobs, each worker thread keeps its connection to the mail server open from one job to the
next (`_KeptDelivery`) instead of connecting, greeting and quitting for every message: a busy
worker sends a burst of confirmations over one connection. A connection idle for
`KEEP_OPEN_SECONDS` is closed before the next message (servers drop idle clients), and one the
server dropped meanwhile is replaced once, before the message was accepted.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


@dataclass
class JobRun:
    """The job the worker is running in this context, and the messages it sent so far."""

    task_id: str
    seen: Counter[str] = field(default_factory=Counter)

    def key_for(self, message: EmailMessage) -> str:
        """A stable key: the same job sending the same message the n-th time gets the same key."""
        recipients = ",".join(sorted(message.recipients()))
        content = "\x1f".join([message.from_email, recipients, str(message.subject), str(message.body)])
        self.seen[content] += 1
        material = f"{self.task_id}\x1e{content}\x1e{self.seen[content]}"
        return hashlib.sha256(material.encode()).hexdigest()


current_job: contextvars.ContextVar[JobRun | None] = contextvars.ContextVar("current_job", default=None)
KEEP_OPEN_SECONDS = 20.0  # a kept connection idle longer than this is closed before the next message


class _KeptDelivery(threading.local):
    """This thread's open connection to the mail server, kept between the messages of jobs."""

    connection: BaseEmailBackend | None = None
    used = 0.0
    made_for: tuple[Any, ...] = ()  # the settings it was opened with: other settings, another connection

    def send(self, message: EmailMessage) -> int:
        """Send over the kept connection (opened if needed); once more on a new one if the server had dropped it."""
        try:
            sent = self._open().send_messages([message])
        except smtplib.SMTPServerDisconnected:
            self.close()
            sent = self._open().send_messages([message])  # a second drop is raised
        self.used = time.monotonic()
        return int(sent or 0)

    def _open(self) -> BaseEmailBackend:
        wanted = (settings.EMAIL_DELIVERY_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER)
        if self.connection is not None and (
            time.monotonic() - self.used > KEEP_OPEN_SECONDS or self.made_for != wanted
        ):
            self.close()
        if self.connection is None:
            connection = get_connection(settings.EMAIL_DELIVERY_BACKEND)
            connection.open()  # opened here, so send_messages leaves it open afterwards
            self.connection, self.used, self.made_for = connection, time.monotonic(), wanted
        return self.connection

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # the server went away: nothing to close
                connection.close()


_kept = _KeptDelivery()


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The worker starts a job: messages from now on belong to it."""
    current_job.set(JobRun(task_id=str(task_result.id)))


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The job is over (successful or failed)."""
    current_job.set(None)


def connect_signals() -> None:
    """Follow the jobs the worker runs (called once, from the app's ready())."""
    from django_tasks.signals import task_finished, task_started

    task_started.connect(on_task_started, dispatch_uid="outbox-task-started")
    task_finished.connect(on_task_finished, dispatch_uid="outbox-task-finished")


class OnceEmailBackend(BaseEmailBackend):
    """Delivers through EMAIL_DELIVERY_BACKEND; inside a job, skips messages already sent by it."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.delivery = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=fail_silently, **kwargs)

    def open(self) -> bool | None:
        opened: bool | None = self.delivery.open()
        return opened

    def close(self) -> None:
        self.delivery.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        job = current_job.get()
        if job is None:
            return int(self.delivery.send_messages(email_messages) or 0)
        return sum(self._send_once(job, message) for message in email_messages)

    def _send_once(self, job: JobRun, message: EmailMessage) -> int:
        from learningcity.outbox.models import SentEmail

        marker, _ = SentEmail.objects.get_or_create(key=job.key_for(message), defaults={"task_id": job.task_id})
        if marker.sent_at is not None:
            return 1  # delivered by an earlier run of this job
        sent = _kept.send(message)
        if sent:
            SentEmail.objects.filter(pk=marker.pk).update(sent_at=timezone.now())
        return sent

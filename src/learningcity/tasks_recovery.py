"""Jobs whose worker died: found, run again (a bounded number of times), never left RUNNING forever.

django-tasks-db marks a job RUNNING when a worker claims it and only its worker finishes it; a
worker killed mid-job (SIGKILL, out of memory, machine restart) leaves the row RUNNING for ever.
Each worker started here names itself `host:pid-namespace:pid:random`, so another worker on the
same machine can tell for sure that the worker of a RUNNING job is gone (no such process) and put
the job back in the queue at once. A job whose worker lives on another machine is put back once it
has run longer than TASKS_STALE_AFTER_SECONDS. A job that took its worker down TASKS_MAX_ATTEMPTS
times is marked failed instead (a poison job must not kill workers in a loop). E-mail a rerun job
sends again is skipped by learningcity.outbox.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import click
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

logger = logging.getLogger("learningcity.tasks_recovery")


class WorkerDied(Exception):  # noqa: N818 (the name says what happened, as the job's error)
    """The job's worker stopped (killed or crashed) too many times while running it."""


@dataclass(frozen=True)
class WorkerName:
    """Where a worker runs: host, PID namespace and process id (plus a random part to keep ids unique)."""

    host: str
    namespace: str
    pid: int

    @classmethod
    def parse(cls, worker_id: str) -> WorkerName | None:
        """The name in a worker id made by `worker_id_for_this_process`, or None for another shape."""
        parts = worker_id.split(":")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(host=parts[0], namespace=parts[1], pid=int(parts[2]))

    def is_here(self) -> bool:
        """Whether this worker ran on this machine, in this PID namespace (so its pid means something)."""
        return (self.host, self.namespace) == (_host(), _pid_namespace())

    def is_alive(self) -> bool:
        """Whether a process with this pid exists (only meaningful when `is_here()`)."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # exists, belongs to someone else
        return True


def _host() -> str:
    return socket.gethostname().replace(":", "-")[:40]


def _pid_namespace() -> str:
    """The PID namespace (containers on one host share the hostname only if told to, never this)."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "0"


def worker_id_for_this_process() -> str:
    """A worker id (at most 64 characters) that says where this worker process runs."""
    return f"{_host()}:{_pid_namespace()}:{os.getpid()}:{get_random_string(8)}"


def _abandoned(worker_ids: list[str], started_at: object, stale_before: object) -> bool:
    """Whether a RUNNING job's last worker is gone: dead on this machine, or silent for too long."""
    name = WorkerName.parse(worker_ids[-1]) if worker_ids else None
    if name is not None and name.is_here():
        return not name.is_alive()
    return started_at is None or started_at < stale_before  # type: ignore[operator]


def requeue_abandoned() -> int:
    """Put back in the queue (or fail, past the attempt limit) every job whose worker died; returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    stale_before = timezone.now() - timedelta(seconds=settings.TASKS_STALE_AFTER_SECONDS)
    recovered = 0
    with transaction.atomic():
        for job in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            if not _abandoned(job.worker_ids, job.started_at, stale_before):
                continue
            if len(job.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
                job.set_failed(WorkerDied(f"The worker stopped {len(job.worker_ids)} times while running this job."))
                logger.error("Job %s (%s) failed: its worker died %d times", job.id, job.task_path, len(job.worker_ids))
            else:
                job.status = TaskResultStatus.READY
                job.save(update_fields=["status"])
                logger.warning("Job %s (%s) put back in the queue: its worker died", job.id, job.task_path)
            recovered += 1
    return recovered


def _watch(interval: float) -> None:
    """Look for abandoned jobs every `interval` seconds, for as long as the worker runs."""
    while True:
        time.sleep(interval)
        try:
            requeue_abandoned()
        except Exception:  # a database restart must not stop the watcher; the next round retries
            logger.exception("Looking for abandoned jobs failed")
        finally:
            close_old_connections()


def worker_run(*, interval: float = 1.0, batch: bool = False) -> None:
    """Recover abandoned jobs, keep watching for them, and run the database worker."""
    from django.core.management import call_command

    requeue_abandoned()
    close_old_connections()
    threading.Thread(target=_watch, args=(settings.TASKS_RECOVERY_INTERVAL_SECONDS,), daemon=True).start()
    call_command("db_worker", interval=interval, batch=batch, worker_id=worker_id_for_this_process())


@click.command()
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.1, 60), help="Seconds per poll.")
@click.option("--batch", is_flag=True, help="Run the jobs waiting now, then exit.")
def worker(interval: float, batch: bool) -> None:
    """Run the background task worker (database-backed queue); jobs of dead workers are run again."""
    from learningcity.cli import setup_django

    setup_django()
    worker_run(interval=interval, batch=batch)


if __name__ == "__main__":
    worker()

"""The task worker killed in the middle of a job: the job is run again and no e-mail goes out twice."""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from learningcity import tasks_recovery
from tests.robustness.helpers import child_environment, copy_back, database_url_for_children, start_worker, wait_for
from tests.robustness.jobs import send_two_with_a_pause

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def job_row(database_url: str, job_id: str) -> tuple[str, list[str]]:
    """The job's status and worker ids as the children's database has them now."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as reader:
            row = reader.execute(
                f"SELECT status, worker_ids FROM {DBTaskResult._meta.db_table} WHERE id = ?",  # noqa: S608 (our table name)
                [job_id.replace("-", "")],
            ).fetchone()
        return row[0], json.loads(row[1])
    job = DBTaskResult.objects.get(pk=job_id)
    return job.status, job.worker_ids


def subjects(smtp_sink: Any) -> list[str]:
    return sorted(str(message["Subject"]) for message in smtp_sink.messages)


def test_it_reruns_a_job_whose_worker_was_killed_and_sends_each_email_once(smtp_sink: Any, tmp_path: Path) -> None:
    gate = str(tmp_path / "gate")
    job = send_two_with_a_pause.enqueue("first@resident.test", "second@resident.test", gate)
    url = database_url_for_children(tmp_path)
    environment = child_environment(url, EMAIL_URL=f"smtp://127.0.0.1:{smtp_sink_port(smtp_sink)}")

    first_worker = start_worker(environment, tmp_path / "worker.log")
    try:
        wait_for(lambda: Path(gate + ".reached").exists(), timeout=60, what="the job to send its first e-mail")
    finally:
        first_worker.send_signal(signal.SIGKILL)
        first_worker.wait()
    assert job_row(url, str(job.id))[0] == "RUNNING", "a killed worker leaves its job running"
    assert subjects(smtp_sink) == ["First message"]

    Path(gate + ".open").touch()
    second_worker = start_worker(environment, tmp_path / "worker.log")
    try:
        wait_for(lambda: job_row(url, str(job.id))[0] == "SUCCESSFUL", timeout=60, what="the rerun job to finish")
    finally:
        second_worker.terminate()
        second_worker.wait(timeout=30)

    assert subjects(smtp_sink) == ["First message", "Second message"], (tmp_path / "worker.log").read_text()
    assert len(job_row(url, str(job.id))[1]) == 2, "two workers ran the job"
    copy_back(url)


def smtp_sink_port(smtp_sink: Any) -> int:
    from django.conf import settings

    return int(settings.EMAIL_PORT)


def test_it_fails_a_job_that_took_its_worker_down_too_often(settings: Any) -> None:
    settings.TASKS_MAX_ATTEMPTS = 2
    job = send_two_with_a_pause.enqueue("a@resident.test", "b@resident.test", "/nonexistent/gate")
    dead = f"{tasks_recovery._host()}:{tasks_recovery._pid_namespace()}:999999999:deadbeef"
    DBTaskResult.objects.filter(pk=job.id).update(status="RUNNING", worker_ids=[dead, dead])

    assert tasks_recovery.requeue_abandoned() == 1

    failed = DBTaskResult.objects.get(pk=job.id)
    assert failed.status == "FAILED"
    assert "stopped 2 times" in failed.traceback


def test_it_leaves_alone_a_job_whose_worker_is_alive(settings: Any) -> None:
    job = send_two_with_a_pause.enqueue("a@resident.test", "b@resident.test", "/nonexistent/gate")
    alive = tasks_recovery.worker_id_for_this_process()
    DBTaskResult.objects.filter(pk=job.id).update(status="RUNNING", worker_ids=[alive])

    assert tasks_recovery.requeue_abandoned() == 0
    assert DBTaskResult.objects.get(pk=job.id).status == "RUNNING"

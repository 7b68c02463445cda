"""Running the real worker and the real server against the test database from another process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_children(tmp_path: Path) -> str:
    """A DATABASE_URL other processes can open: the PostgreSQL test database, or a file copy of SQLite's."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port, name = (settings_dict[key] for key in ("USER", "HOST", "PORT", "NAME"))
        return f"postgres://{user}@{host}:{port}/{name}"
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    return f"sqlite:///{path}"


def copy_back(database_url: str) -> None:
    """After the children ran on a SQLite file, load it back into the test database."""
    if connection.vendor != "sqlite":
        return
    source = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def child_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a child process: this checkout's code and tests, the given database."""
    environment = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "INFO"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update(extra)
    return environment


def start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The real worker (`learningcity worker` with recovery), polling often."""
    command = [sys.executable, "-m", "learningcity.tasks_recovery", "--interval", "0.2"]
    with log.open("ab") as output:
        return subprocess.Popen(command, env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll until `condition()` holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

"""`learningcity demo` (what `make demo` runs): builds once, serves, stops cleanly, and runs again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow


def start_demo(var_dir: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    """Start the demo as an operator would, and read its output until it says it is running."""
    environment = {**os.environ, "LEARNINGCITY_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
    environment.pop("DATABASE_URL", None)  # the demo runs on the embedded SQLite default
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "learningcity.cli", "demo", "--port", str(port), "--size", "300"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment,
    )  # fmt: skip
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if "Demo logins" in line:
            for _ in range(6):
                lines.append(process.stdout.readline())
            return process, lines
    process.kill()
    raise AssertionError("the demo did not start:\n" + "".join(lines))


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (localhost)
        return str(response.read().decode())


def stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def opportunity_count(var_dir: Path) -> int:
    with sqlite3.connect(var_dir / "learningcity.sqlite3") as connection:
        return int(connection.execute("SELECT COUNT(*) FROM catalogue_opportunity").fetchone()[0])


def test_it_serves_the_demo_twice_without_duplicating_it(tmp_path: Path) -> None:
    port = free_port()
    process, lines = start_demo(tmp_path, port)
    try:
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in output
        assert "coordinator@demo.learningcity.test" in output
        assert "Villeneuve-sur-Loire" in fetch(f"http://127.0.0.1:{port}/fr/")
        assert '"count": ' in fetch(f"http://127.0.0.1:{port}/api/v1/opportunities?limit=1")
    finally:
        assert stop(process) == 0
    with pytest.raises(urllib.error.URLError):
        fetch(f"http://127.0.0.1:{port}/healthz")  # everything it started has stopped
    first_count = opportunity_count(tmp_path)

    process, lines = start_demo(tmp_path, port)
    try:
        assert "already loaded" in "".join(lines)
        assert fetch(f"http://127.0.0.1:{port}/healthz") == '{"status": "ok"}'
    finally:
        assert stop(process) == 0
    assert opportunity_count(tmp_path) == first_count == 300

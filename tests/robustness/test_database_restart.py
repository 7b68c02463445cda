"""The database restarted during traffic: clean 503s while it is down, recovery without restarting Django,
and a write cut off by the restart leaves nothing behind (PostgreSQL only: SQLite is a file, not a server)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection, transaction

from learningcity.catalogue.models import Organisation, Venue
from tests.conftest import free_port
from tests.factories import World
from tests.robustness.helpers import ROOT, child_environment, database_url_for_children, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.environ.get("LEARNINGCITY_TEST_PGDATA"),
        reason="needs the throwaway PostgreSQL of scripts/with-postgres.sh (SQLite has no server to restart)",
    ),
]


def pg_ctl(action: str) -> None:
    """Stop or start the test cluster (as its owner: PostgreSQL refuses to run as root)."""
    owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    data = os.environ["LEARNINGCITY_TEST_PGDATA"]
    options = ["-m", "fast"] if action == "stop" else ["-l", f"{Path(data).parent}/server.log"]
    # `restart` from a stopped server starts it with the options it last ran with (postmaster.opts).
    command = [*owner, os.environ["LEARNINGCITY_TEST_PG_CTL"], "-D", data, "-w", *options, action]
    subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603 (the test cluster's own tool)


def get(url: str, cookie: str = "") -> tuple[int, str, dict[str, str]]:
    """Status, body and headers of a GET (errors included), with a Cookie header if given."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 (localhost)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (our own localhost server)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture
def server(world: World, tmp_path: Path) -> Iterator[str]:
    """The site served by gunicorn (one worker, so one process must recover) on the test database."""
    port = free_port()
    environment = child_environment(
        database_url_for_children(tmp_path), SEARCH_WARM_UP_SECONDS="0", SEARCH_SNAPSHOT="false", CITY_SLUG="testville"
    )
    command = [sys.executable, "-m", "gunicorn", "learningcity.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--timeout", "60"]  # fmt: skip
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url), timeout=60, what="gunicorn to start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return get(url + "/healthz")[0] < 500
    except OSError:
        return False


def write_cut_off(started: threading.Event, resume: threading.Event, outcome: dict[str, Any], world: World) -> None:
    """An all-or-nothing write: an organisation, then (after the restart began) its venue."""
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(city=world.city, name="Half-written", sector="non_formal")
            started.set()
            resume.wait(30)
            Venue.objects.create(city=world.city, organisation=organisation, name="Never", address="-")
    except OperationalError as error:
        outcome["error"] = error
    finally:
        connection.close()


def logged_in_cookie(user: Any) -> str:
    """The session cookie of a browser logged in as `user` (the session saved in the database)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def test_it_answers_503_while_the_database_restarts_and_recovers_alone(server: str, world: World) -> None:
    assert get(server + "/api/v1/opportunities")[0] == 200
    assert get(server + "/en/")[0] == 200
    resident = logged_in_cookie(world.users["resident"])
    assert get(server + "/en/registrations/", resident)[0] == 200
    started, resume = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}
    writer = threading.Thread(target=write_cut_off, args=(started, resume, outcome, world))
    writer.start()
    started.wait(30)

    pg_ctl("stop")
    try:
        resume.set()
        writer.join(30)
        # What needs the database fails cleanly (addresses never asked before: no kept answer)...
        status, body, headers = get(server + "/api/v1/opportunities?limit=7")
        assert status == 503
        assert '"code": "unavailable"' in body.replace('":"', '": "')
        assert headers.get("Retry-After") == "10"
        status, body, headers = get(server + "/en/?during=outage")
        assert status == 503
        assert "Traceback" not in body
        assert "<h1>" in body
        # A logged-in visitor's session and account are read before any view: a 503 as well, not a 500.
        for path in ["/en/registrations/", "/en/?logged=in"]:
            status, body, headers = get(server + path, resident)
            assert (status, headers.get("Retry-After")) == (503, "10"), path
            assert "Traceback" not in body
            assert "<h1>" in body
        status, body, _headers = get(server + "/api/v1/registrations", resident)
        assert status == 503
        assert '"code": "unavailable"' in body.replace('":"', '": "')
        # ...while a public answer kept for anonymous visitors before the outage is still served.
        assert get(server + "/api/v1/opportunities")[0] == 200
    finally:
        pg_ctl("restart")
        connection.close()  # the test's own connection died with the server

    assert isinstance(outcome.get("error"), OperationalError), "the cut-off write failed"
    assert get(server + "/api/v1/opportunities")[0] == 200, "the same server recovered on its own"
    assert get(server + "/en/")[0] == 200
    assert get(server + "/en/registrations/", resident)[0] == 200, "still logged in"
    assert not Organisation.objects.filter(name="Half-written").exists(), "nothing half-written"

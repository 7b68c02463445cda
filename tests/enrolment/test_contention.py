"""No overbooking under contention: the real server on PostgreSQL, 250 simultaneous registrations for 10 places.

gunicorn (4 processes × 8 threads, as `learningcity serve` runs it but with threads) serves the
test database. 230 residents are logged in (their sessions are created as Django's `force_login`
does: checking 230 passwords with the production hasher would take minutes and proves nothing
about places), each fetches a page to get the CSRF cookie, then 250 threads wait at a barrier and
all post to `/api/v1/registrations` at once: 220 verified residents, 20 of them twice, and 10
residents whose address is not verified.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.enrolment.models import Registration
from tests.conftest import free_port
from tests.enrolment.conftest import bookable
from tests.factories import World

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]

PLACES = 10
VERIFIED = 220
TWICE = 20
UNVERIFIED = 10


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: it checks the row lock under truly concurrent writers, which SQLite never has "
            "(its transactions start with BEGIN IMMEDIATE and run one at a time). "
            "Run: scripts/with-postgres.sh .venv/bin/python -m pytest tests/enrolment/test_contention.py"
        )


@pytest.fixture
def server(postgresql: None, tmp_path: Any) -> Iterator[str]:
    """gunicorn on the test database; its URL."""
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    environment = {
        **os.environ, "DATABASE_URL": url, "SECRET_KEY": settings.SECRET_KEY, "LEARNINGCITY_VAR_DIR": str(tmp_path),
        "SEARCH_WARM_UP_SECONDS": "0", "EMAIL_URL": "console://", "DEBUG": "false",
    }  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "learningcity.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "4", "--threads", "8", "--timeout", "120", "--preload"]  # fmt: skip
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz", process)
        yield base
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
        assert b"Traceback" not in errors, errors.decode()[-3000:]


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own localhost server)
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the server did not start")


@dataclass
class Resident:
    """A logged-in browser: its cookies and CSRF token."""

    user: User
    cookies: str
    token: str


def logged_in(base: str, user: User) -> Resident:
    """A session for the user, as `force_login` makes it, and the CSRF cookie from a page of the site."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "learningcity.accounts.backends.AccountBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    try:
        store.create()
    finally:
        connections.close_all()  # this thread's connection, or the test database cannot be dropped afterwards
    session_cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    page = urllib.request.Request(f"{base}/en/registrations/", headers={"Cookie": session_cookie})  # noqa: S310
    with urllib.request.urlopen(page, timeout=60) as response:  # noqa: S310 (localhost)
        assert response.url.endswith("/en/registrations/"), "logged in: not sent to the login page"
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
    token = cookie[settings.CSRF_COOKIE_NAME].value
    return Resident(user=user, cookies=f"{session_cookie}; {settings.CSRF_COOKIE_NAME}={token}", token=token)


def post_registration(base: str, resident: Resident, session_id: int, barrier: threading.Barrier) -> dict[str, Any]:
    """One registration request; its HTTP status and JSON body."""
    request = urllib.request.Request(  # noqa: S310 (localhost)
        f"{base}/api/v1/registrations", data=json.dumps({"session_id": session_id}).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-CSRFToken": resident.token, "Cookie": resident.cookies},
    )  # fmt: skip
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return {"user": resident.user.pk, "status": response.status, "body": json.loads(response.read())}
    except urllib.error.HTTPError as error:
        return {"user": resident.user.pk, "status": error.code, "body": json.loads(error.read() or b"{}")}


def test_250_simultaneous_requests_fill_exactly_the_10_places(world: World, server: str) -> None:
    session = bookable(world, capacity=PLACES)
    now = timezone.now()
    people = User.objects.bulk_create(
        [User(email=f"r{n}@crowd.test", display_name=f"R{n}", email_verified_at=now) for n in range(VERIFIED)]
        + [User(email=f"u{n}@crowd.test", display_name=f"U{n}") for n in range(UNVERIFIED)]
    )
    with ThreadPoolExecutor(max_workers=32) as pool:
        residents = list(pool.map(lambda user: logged_in(server, user), people))
    requests = residents + residents[:TWICE]  # 20 people press the button twice
    barrier = threading.Barrier(len(requests))
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(lambda r: post_registration(server, r, session.pk, barrier), requests))

    assert len(answers) == VERIFIED + TWICE + UNVERIFIED == 250, "every request answered"
    assert not [a for a in answers if a["status"] >= 500], "no server error"
    unverified_ids = {user.pk for user in people[VERIFIED:]}
    refused = [a for a in answers if a["user"] in unverified_ids]
    assert {(a["status"], a["body"]["error"]["code"]) for a in refused} == {(403, "email_not_verified")}
    accepted = [a for a in answers if a["user"] not in unverified_ids]
    assert Counter(a["status"] for a in accepted) == Counter({201: VERIFIED, 200: TWICE}), "one creation each"

    rows = Registration.objects.filter(session=session)
    assert rows.count() == VERIFIED, "one registration per resident, none lost, none doubled"
    assert rows.values("user").distinct().count() == VERIFIED
    assert rows.filter(status="confirmed").count() == PLACES, "exactly the capacity is confirmed"
    assert rows.filter(status="waitlisted").count() == VERIFIED - PLACES
    by_user = {row.user_id: row for row in rows}
    for answer in accepted:
        row = by_user[answer["user"]]
        assert (answer["body"]["id"], answer["body"]["status"]) == (row.pk, row.status), "the answer is the truth"
    waiting = [a["body"] for a in accepted if a["status"] == 201 and a["body"]["status"] == "waitlisted"]
    positions = sorted(body["waitlist_position"] for body in waiting)
    assert positions == list(range(1, VERIFIED - PLACES + 1)), "each waiting person got a distinct place in line"

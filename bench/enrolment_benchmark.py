"""Benchmark registration under load: 500 concurrent requests, locked service against a naive check-then-insert.

    .venv/bin/python bench/enrolment_benchmark.py            # starts a throwaway PostgreSQL (scripts/with-postgres.sh)
    scripts/with-postgres.sh .venv/bin/python bench/enrolment_benchmark.py

One run, on PostgreSQL and a real gunicorn server on this machine (the same database and server for
both): a fresh database is migrated and given a city, 1,002 published sessions that take
registrations (two popular sessions of `--popular-places` places, 1,000 sessions of 10 places) and
500 logged-in residents with a verified address. Then, each time with 500 threads released at once
by a barrier, every resident posts one registration:

1. the project, on 500 different sessions (`POST /api/v1/registrations`);
2. the project, all on one popular session;
3. the baseline on 500 other different sessions, then on the other popular session: a naive
   check-then-insert endpoint served by the same server (count the confirmed places, then insert
   "confirmed" or "waitlisted"; no transaction, no lock, no index or message work).

It prints registrations per second (requests answered with a registration, divided by the time from
the barrier to the last answer), p50 and p95 latency, errors (5xx or no answer), places confirmed
against capacity (the baseline overbooks), the ratio of the two throughputs, and the targets of the
Enrolment issue: at least 200 registrations per second on different sessions, no error on the
popular one.

The same file is the server's WSGI module (`enrolment_benchmark:application`): the site plus the
baseline's endpoint at /bench/naive-register.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = 500
SESSION_PLACES = 10
TARGET_RATE = 200.0
DIFFERENT, POPULAR = "project, different sessions", "project, one popular session"
NAIVE_DIFFERENT, NAIVE_POPULAR = "naive, different sessions", "naive, one popular session"


# --- the server side: the site plus the baseline endpoint ------------------------------------------


def application(environ: dict[str, Any], start_response: Any) -> Any:
    """The WSGI application gunicorn serves in this benchmark."""
    return _django_application()(environ, start_response)


@functools.cache
def _django_application() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.ROOT_URLCONF = __name__  # this module: `urlpatterns` below
    return get_wsgi_application()


def __getattr__(name: str) -> Any:
    """`urlpatterns`, built on first use (Django is set up by then): the site's, plus the baseline."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import path

    from learningcity.urls import urlpatterns

    return [path("bench/naive-register", naive_register), *urlpatterns]


def naive_register(request: Any) -> Any:
    """The baseline: count the confirmed places, then insert. No transaction, no lock: it overbooks."""
    from django.http import JsonResponse

    from learningcity.catalogue.models import Session
    from learningcity.enrolment.models import Registration

    if request.method != "POST" or not request.user.is_authenticated:
        return JsonResponse({"error": "log in and POST"}, status=400)
    session = Session.objects.select_related("opportunity").get(pk=json.loads(request.body)["session_id"])
    capacity = session.capacity if session.capacity is not None else session.opportunity.capacity
    taken = Registration.objects.filter(session=session, status="confirmed").count()
    status = "confirmed" if capacity is None or taken < capacity else "waitlisted"
    [registration] = Registration.objects.bulk_create([Registration(user=request.user, session=session, status=status)])
    return JsonResponse({"id": registration.pk, "status": status}, status=201)


# --- the measuring side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Resident:
    """A logged-in browser: cookies and CSRF token."""

    user_id: int
    cookies: str
    token: str


@dataclass(frozen=True)
class Answer:
    """One request: HTTP status (0: no answer), the registration status, milliseconds."""

    code: int
    status: str
    milliseconds: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS, help="concurrent requests per run (= residents)")
    parser.add_argument("--popular-places", type=int, default=50, help="places of the popular session")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--rounds", type=int, default=3, help="times each run is repeated, on fresh sessions")
    arguments = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        command = [str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, __file__, *sys.argv[1:]]
        sys.exit(subprocess.run(command, check=False).returncode)  # noqa: S603 (our own script)
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)  # shared with the server, which accepts our sessions
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
    with tempfile.TemporaryDirectory(prefix="enrolment-bench-") as directory:
        os.environ["LEARNINGCITY_VAR_DIR"] = directory
        import django

        django.setup()
        run(arguments)


def progress(message: str) -> None:
    print(f"   {message}", file=sys.stderr, flush=True)


def run(arguments: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=0)
    count, rounds = arguments.requests, arguments.rounds
    city = build(count, arguments.popular_places, rounds)
    connections.close_all()
    server, base = start_server(arguments.workers, arguments.threads)
    results: dict[str, list[dict[str, Any]]] = {
        name: [] for name in (DIFFERENT, POPULAR, NAIVE_DIFFERENT, NAIVE_POPULAR)
    }
    try:
        residents = log_in(base, city["users"])
        progress("warming up the server")
        handlers = arguments.workers * arguments.threads
        fire(base, "/api/v1/registrations", residents[:handlers], city["warm_up"])
        fire(base, "/bench/naive-register", residents[:handlers], city["warm_up_naive"])
        for number in range(rounds):
            runs = city["rounds"][number]
            for name, path, sessions in [
                (DIFFERENT, "/api/v1/registrations", runs["different"]),
                (POPULAR, "/api/v1/registrations", [runs["popular"]] * count),
                (NAIVE_DIFFERENT, "/bench/naive-register", runs["different_naive"]),
                (NAIVE_POPULAR, "/bench/naive-register", [runs["popular_naive"]] * count),
            ]:
                progress(f"round {number + 1}/{rounds}: {name}")
                results[name].append({**fire(base, path, residents, sessions), "sessions": sorted(set(sessions))})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    report(results, arguments)


def build(count: int, popular_places: int, rounds: int) -> dict[str, Any]:
    """A city with the sessions of every run and round, and `count` verified residents."""
    from datetime import timedelta

    from django.utils import timezone

    from learningcity.accounts.models import User
    from learningcity.catalogue.models import City, Opportunity, Organisation, Session, Status, Venue
    from learningcity.catalogue.reference import load_reference_data
    from learningcity.search.indexing import rebuild

    progress("building the city")
    load_reference_data()
    city = City.objects.create(name="Benchville", slug="benchville", latitude=47.39, longitude=0.69)
    organisation = Organisation.objects.create(city=city, name="Bench library", sector="non_formal", type="library")
    venue = Venue.objects.create(
        city=city, organisation=organisation, name="Bench hall", address="1 rue", latitude=47.39, longitude=0.69
    )
    now = timezone.now()
    start = now + timedelta(days=3)
    per_round = 2 + 2 * count  # two popular sessions, then `count` different ones for each side
    opportunities = Opportunity.objects.bulk_create(
        Opportunity(
            city=city, organisation=organisation, venue=venue, title_fr=f"Atelier {n}", title_en=f"Workshop {n}",
            kind="workshop", status=Status.PUBLISHED, published_at=now, registration_required=True,
            capacity=popular_places if n % per_round < 2 else SESSION_PLACES,
        )
        for n in range(per_round * rounds + 2 * 64)
    )  # fmt: skip
    sessions = Session.objects.bulk_create(
        Session(opportunity=o, start=start, end=start + timedelta(hours=2)) for o in opportunities
    )
    rebuild(city)  # the search index, as a real city has it (registrations keep "places left" in step)
    users = User.objects.bulk_create(
        User(email=f"resident{n}@bench.test", display_name=f"Resident {n}", email_verified_at=now) for n in range(count)
    )
    ids = [session.pk for session in sessions]
    per_round_ids = [ids[n * per_round : (n + 1) * per_round] for n in range(rounds)]
    warm = ids[per_round * rounds :]
    return {
        "users": users,
        "rounds": [
            {"popular": r[0], "popular_naive": r[1], "different": r[2 : 2 + count], "different_naive": r[2 + count :]}
            for r in per_round_ids
        ],
        "warm_up": warm[:64], "warm_up_naive": warm[64:],
    }  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(workers: int, threads: int) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn, as `learningcity serve` runs it (with threads), on this database; wait until it answers."""
    port = free_port()
    environment = {**os.environ, "SEARCH_WARM_UP_SECONDS": "0", "EMAIL_URL": "console://", "LOG_LEVEL": "ERROR"}
    command = [
        sys.executable, "-m", "gunicorn", "enrolment_benchmark:application", "--pythonpath", str(ROOT / "bench"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), "--timeout", "120",
        "--backlog", "2048", "--preload",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)  # noqa: S603 (our own module)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 (localhost)
                return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def log_in(base: str, users: list[Any]) -> list[Resident]:
    """A session per resident (as `force_login` makes it) and the CSRF cookie from one page each."""
    progress(f"logging in {len(users)} residents")
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(functools.partial(_log_in, base), users))


def _log_in(base: str, user: Any) -> Resident:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "learningcity.accounts.backends.AccountBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    try:
        store.create()
    finally:
        connections.close_all()
    session_cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    request = urllib.request.Request(f"{base}/en/registrations/", headers={"Cookie": session_cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (localhost)
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
    token = cookie[settings.CSRF_COOKIE_NAME].value
    return Resident(user.pk, f"{session_cookie}; {settings.CSRF_COOKIE_NAME}={token}", token)


def fire(base: str, path: str, residents: list[Resident], session_ids: list[int]) -> dict[str, Any]:
    """One request per resident, all sent together; the answers and the seconds until the last one came back.

    Each thread connects first, then waits at the barrier: the clock starts when they are all released.
    Requests are written and read on plain sockets, so that the client spends as little CPU as possible
    (it shares the machine with the server and the database).
    """
    pairs = list(zip(residents, session_ids, strict=False))
    barrier = threading.Barrier(len(pairs) + 1)
    host, port = base.removeprefix("http://").split(":")
    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        futures = [
            pool.submit(_post, (host, int(port)), path, resident, session_id, barrier) for resident, session_id in pairs
        ]
        barrier.wait()
        started = time.perf_counter()
        answers = [future.result() for future in futures]
        seconds = time.perf_counter() - started
    return {"answers": answers, "seconds": seconds}


def _post(
    address: tuple[str, int], path: str, resident: Resident, session_id: int, barrier: threading.Barrier
) -> Answer:
    body = json.dumps({"session_id": session_id}).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nX-CSRFToken: {resident.token}\r\nCookie: {resident.cookies}\r\n"
        "Connection: close\r\n\r\n"
    )
    try:
        with socket.create_connection(address, timeout=120) as connection:
            barrier.wait()
            started = time.perf_counter()
            connection.sendall(head.encode() + body)
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
            milliseconds = (time.perf_counter() - started) * 1000
    except OSError:
        return Answer(0, "", float("nan"))
    response = b"".join(chunks)
    headers, _, payload = response.partition(b"\r\n\r\n")
    code = int(headers.split(b" ", 2)[1]) if headers.startswith(b"HTTP/") else 0
    try:
        status = str(json.loads(payload).get("status", ""))
    except ValueError:
        status = ""
    return Answer(code, status, milliseconds)


# --- the report ------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))] if ordered else float("nan")


def confirmed_places(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Places confirmed and capacity of each session."""
    from django.db.models import Sum

    from learningcity.catalogue.models import Session
    from learningcity.enrolment.models import Registration

    confirmed = dict(
        Registration.objects.filter(session_id__in=session_ids, status="confirmed")
        .values("session_id")
        .annotate(places=Sum("places"))
        .values_list("session_id", "places")
    )
    sessions = Session.objects.filter(pk__in=session_ids).select_related("opportunity")
    return {s.pk: (int(confirmed.get(s.pk) or 0), s.capacity or s.opportunity.capacity or 0) for s in sessions}


def report(results: dict[str, list[dict[str, Any]]], arguments: argparse.Namespace) -> None:
    """Median rate over the rounds, latency percentiles over every request, errors, overbooking."""
    from django.db import connection

    version = connection.cursor().connection.info.server_version // 10000
    print(
        f"\n== Enrolment: PostgreSQL {version}, gunicorn {arguments.workers} workers × {arguments.threads} threads, "
        f"{arguments.requests} concurrent requests per run, {arguments.rounds} rounds, "
        f"client and server on this machine ({os.cpu_count()} CPUs)"
    )
    print(f"{'run':<30} {'reg/s (median, rounds)':<26} {'p50 ms':>7} {'p95 ms':>7} {'errors':>7}  confirmed / capacity")
    rates: dict[str, float] = {}
    errors: dict[str, int] = {}
    for name, rounds in results.items():
        per_round = [_rate(result) for result in rounds]
        rates[name] = statistics.median(per_round)
        answers = [answer for result in rounds for answer in result["answers"]]
        errors[name] = sum(1 for a in answers if a.code >= 500 or a.code == 0)
        times = [a.milliseconds for a in answers if a.code]
        confirmed, capacity, worst = _places(rounds)
        over = (
            f"  OVERBOOKED: {confirmed - capacity} places, at worst {worst} on one session"
            if confirmed > capacity
            else ""
        )
        spread = ", ".join(f"{rate:.0f}" for rate in per_round)
        print(
            f"{name:<30} {rates[name]:>5.0f} ({spread}){'':<{max(0, 18 - len(spread))}} {percentile(times, 0.5):>7.0f} "
            f"{percentile(times, 0.95):>7.0f} {errors[name]:>7}  {confirmed} / {capacity}{over}"
        )
    different, popular = rates[DIFFERENT], rates[POPULAR]
    print(
        f"ratio project / naive: {different / rates[NAIVE_DIFFERENT]:.2f} on different sessions, "
        f"{popular / rates[NAIVE_POPULAR]:.2f} on the popular one"
    )
    verdict = "PASS" if different >= TARGET_RATE else "FAIL"
    print(f"target ≥ {TARGET_RATE:.0f} registrations/s on different sessions: {verdict}")
    print(f"target no error on the popular session: {'PASS' if errors[POPULAR] == 0 else 'FAIL'}")


def _rate(result: dict[str, Any]) -> float:
    """Requests answered with a registration, per second from the release to the last answer."""
    registered = [a for a in result["answers"] if a.code in {200, 201} and a.status in {"confirmed", "waitlisted"}]
    return len(registered) / float(result["seconds"])


def _places(rounds: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Places confirmed and capacity over every session of the rounds, and the worst overbooking of one session."""
    confirmed = capacity = worst = 0
    for result in rounds:
        for taken, places in confirmed_places(result["sessions"]).values():
            confirmed, capacity, worst = confirmed + taken, capacity + places, max(worst, taken - places)
    return confirmed, capacity, worst


if __name__ == "__main__":
    main()

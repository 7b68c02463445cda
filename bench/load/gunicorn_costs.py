"""gunicorn settings for the load benchmark's --costs run: the production ones, plus CPU time counted per request.

`learningcity.gunicorn_config` unchanged, and two hooks: each request's CPU time in the thread that served it
(`time.thread_time`, so waiting for the database or for the GIL is not counted) is added up per kind of request
and per public-cache outcome (`X-Public-Cache: hit`), and each worker writes its totals as JSON into
LOAD_COSTS_DIRECTORY when it stops. Only requests served while the file `measuring` exists in that directory
count (the benchmark makes it when the measured run starts). bench/load_benchmark.py prints the table.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import defaultdict
from typing import Any

from learningcity import gunicorn_config as production
from learningcity.gunicorn_config import *  # noqa: F403 (the production settings, unchanged)

KINDS = [
    (re.compile(r"^/api/v1/search"), "search API"),
    (re.compile(r"^/api/v1/registrations"), "registration POST"),
    (re.compile(r"^/\w\w/search/"), "search page"),
    (re.compile(r"^/\w\w/registrations/"), "my registrations page"),
    (re.compile(r"^/\w\w/calendars/(\w+)/"), "feed"),
    (re.compile(r"^/\w\w/opportunities/\d+/"), "opportunity page"),
    (re.compile(r"^/\w\w/opportunities/"), "opportunity list"),
    (re.compile(r"^/\w\w/organisations/"), "organisation page"),
    (re.compile(r"^/\w\w/venues/"), "venue page"),
    (re.compile(r"^/\w\w/festival/"), "festival page"),
    (re.compile(r"^/\w\w/$"), "home page"),
]
_costs: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])


def _kind(path: str) -> str:
    for pattern, name in KINDS:
        found = pattern.match(path)
        if found:
            return f"{name} ({found.group(1)})" if found.groups() else name
    return "other"


def pre_request(worker: Any, request: Any) -> None:
    request.cpu_started = time.thread_time()


def post_request(worker: Any, request: Any, environ: Any, response: Any) -> None:
    if not os.path.exists(os.path.join(os.environ.get("LOAD_COSTS_DIRECTORY", "/nonexistent"), "measuring")):
        return  # the warm-up is not counted
    cpu = time.thread_time() - getattr(request, "cpu_started", time.thread_time())
    hit = any(name.lower() == "x-public-cache" for name, _value in (response.headers or []))
    totals = _costs[f"{_kind(request.path)}{' [kept]' if hit else ''}"]
    totals[0] += 1
    totals[1] += cpu


def worker_exit(server: Any, worker: Any) -> None:  # type: ignore[no-redef]  # wraps the production hook
    production.worker_exit(server, worker)
    directory = os.environ.get("LOAD_COSTS_DIRECTORY")
    if directory:
        with open(os.path.join(directory, f"{os.getpid()}.json"), "w", encoding="utf-8") as out:
            json.dump(dict(_costs), out)

"""gunicorn settings for learningcity: `gunicorn -c python:learningcity.gunicorn_config learningcity.wsgi`.

Values come from the environment (docs/deployment.md explains each choice, measured by
bench/load_benchmark.py on 2 cores): WEB_WORKERS (default 4), WEB_THREADS (default 4: gthread),
WEB_TIMEOUT (30 s). With `preload_app`, the application, and each city's search snapshot, are loaded
once in the master and shared by the forked workers; `when_ready` then also imports every view
(the URL map is otherwise imported by each worker on its first request: seconds of work, long
enough under load for gunicorn to kill the worker), compiles the main templates and loads both
translation catalogues before any worker exists, so the workers share them too, and freezes the
garbage collector's view of them (`gc.freeze`) so that the workers keep sharing those pages.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

workers = int(os.environ.get("WEB_WORKERS", "4"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
backlog = 2048
preload_app = True
# How often a thread holding Python's lock hands it over (seconds; Python's default 0.005). A request
# waiting for PostgreSQL gets it back sooner when this is shorter, at a small cost in switches.
SWITCH_INTERVAL = float(os.environ.get("WEB_SWITCH_INTERVAL", "0.005"))

WARM_TEMPLATES = (
    "base.html",
    "home.html",
    "search/search.html",
    "search/_page_body.html",
    "catalogue/opportunity_detail.html",
    "catalogue/opportunity_list.html",
    "catalogue/organisation_detail.html",
    "catalogue/venue_detail.html",
    "festival/programme.html",
    "enrolment/mine.html",
)


def when_ready(server: Any) -> None:
    """In the master, after the application is loaded and before the workers are forked."""
    warm_up()
    sys.setswitchinterval(SWITCH_INTERVAL)  # inherited by the workers


def warm_up() -> None:
    """Import every view, compile the main templates and load the translations, in this process."""
    from django.db import connections
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (the attribute imports every URL module and view)
    for language in ("fr", "en"):
        with translation.override(language):
            translation.gettext("Search")
    for name in WARM_TEMPLATES:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
    connections.close_all()  # never share a connection with the forked workers
    # Move everything loaded so far out of the garbage collector's reach: its passes would otherwise write
    # to every object's header in each worker, copying the pages the workers share (copy-on-write).
    gc.collect()
    gc.freeze()


def worker_exit(server: Any, worker: Any) -> None:
    """In a worker that stops normally: write the search counts it still keeps in memory (search/demand.py)."""
    from django.db import DatabaseError, connections

    from learningcity.search import demand

    try:
        demand.flush()
    except DatabaseError:
        pass  # logged by flush: the database is away, those few seconds of counts are lost
    finally:
        connections.close_all()

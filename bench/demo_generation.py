"""Benchmark the demo city generator against a naive ORM baseline, each in a fresh SQLite database.

    .venv/bin/python bench/demo_generation.py [--size 200000] [--baseline-size 2000]

The project run times `build_demo_city(size=N)` (sessions, relations, residents and registrations
included). The baseline runs the same build with the same generated content, except that the
catalogue is written one object at a time with `Model.objects.create` and `.add()` for relations,
as a straightforward implementation would. Both run inside one transaction. Each run happens in its
own subprocess with its own temporary database, so peak memory is measured per run. The issue's
floor is 10,000 opportunities per second at --size 1000000.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ANCHOR = date(2026, 3, 15)  # a fixed "today", so every run generates the same city


def main() -> None:
    """Parse arguments; run both builds in subprocesses (or one build, when called as a subprocess)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200_000, help="opportunities in the project run")
    parser.add_argument("--baseline-size", type=int, default=2_000, help="opportunities in the naive run")
    parser.add_argument("--run", choices=["project", "baseline"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.run:
        print(json.dumps(run_in_this_process(arguments.run, arguments.size)))
        return
    project = run_in_subprocess("project", arguments.size)
    report("demo generator (bulk executemany)", project)
    baseline = run_in_subprocess("baseline", arguments.baseline_size)
    report("naive baseline (objects.create + .add())", baseline)
    print(f"ratio: {project['rate'] / baseline['rate']:.1f}x faster than the baseline")


def run_in_subprocess(run: str, size: int) -> dict[str, Any]:
    """Run one build in a child process with a fresh temporary SQLite database; return its measurements."""
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as directory:
        environment = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(directory) / 'bench.sqlite3'}"}
        command = [sys.executable, __file__, "--run", run, "--size", str(size)]
        completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
        if completed.returncode != 0:
            sys.exit(f"The {run} run failed:\n{completed.stderr}")
        result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
        return result


def report(label: str, result: dict[str, Any]) -> None:
    """Print one run's numbers."""
    print(
        f"{label}: {result['opportunities']:,} opportunities, {result['sessions']:,} sessions "
        f"in {result['seconds']:.1f} s = {result['rate']:,.0f} opportunities/s "
        f"(peak memory {result['peak_mb']:,.0f} MB)"
    )


def run_in_this_process(run: str, size: int) -> dict[str, Any]:
    """Set up Django on the temporary database, migrate, and time one build."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from learningcity.demo import generator

    call_command("migrate", interactive=False, verbosity=0)
    if run == "baseline":
        generator._write_catalogue = naive_write_catalogue
    started = time.perf_counter()
    # The search index is measured by bench/search_benchmark.py; this one times the generation itself.
    summary = generator.build_demo_city(size=size, anchor=ANCHOR, search_index=False)
    connection.close()  # SQLite checkpoints its write-ahead log here: part of the cost
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "opportunities": summary.opportunities,
        "sessions": summary.sessions,
        "seconds": seconds,
        "rate": summary.opportunities / seconds,
        "peak_mb": peak_kib / 1024,
    }


def naive_write_catalogue(build: Any, organisations: Any, venues: Any) -> tuple[int, int, list[Any]]:
    """The same opportunities as the generator plans, written one by one through the ORM."""
    from learningcity.catalogue.models import Opportunity, Session
    from learningcity.demo import bulk, generator
    from learningcity.demo.catalogue import OPPORTUNITY_COLUMNS, CatalogueContext, CataloguePlanner
    from learningcity.demo.offers import OfferCatalogue
    from learningcity.demo.timeslots import Clock

    # Python values (aware datetimes, dates) instead of database values: the ORM converts them itself.
    clock = Clock(build.clock.anchor, build.clock.zone, unchanged, unchanged)
    context = CatalogueContext(
        city_id=build.city.pk,
        organisations=organisations,
        venues={venue.id: venue for venue, _ in venues},
        offers=OfferCatalogue(generator._reference_ids()),
        clock=clock,
        first_opportunity_id=bulk.next_id(Opportunity),
        first_session_id=bulk.next_id(Session),
        pool_stride=1,
    )
    planner = CataloguePlanner(context, build.rng("catalogue"))
    chunk = planner.chunk(build.size)
    sessions, related = by_opportunity(chunk)
    for row in chunk.opportunities:
        opportunity = Opportunity.objects.create(**dict(zip(OPPORTUNITY_COLUMNS, row, strict=True)))
        for fields in sessions[opportunity.pk]:
            Session.objects.create(**fields)
        opportunity.building_blocks.add(*related["blocks"][opportunity.pk])
        opportunity.topics.add(*related["topics"][opportunity.pk])
        opportunity.audience_labels.add(*related["audiences"][opportunity.pk])
        opportunity.languages.add(*related["languages"][opportunity.pk])
    return len(chunk.opportunities), len(chunk.sessions), planner.pool


def unchanged(value: Any) -> Any:
    """Leave a value as Python gives it."""
    return value


def by_opportunity(chunk: Any) -> tuple[dict[int, list[dict[str, Any]]], dict[str, dict[int, list[Any]]]]:
    """Session fields and related ids of a planned chunk, grouped by opportunity id."""
    from learningcity.demo.catalogue import SESSION_COLUMNS

    sessions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in chunk.sessions:
        sessions[row[1]].append(dict(zip(SESSION_COLUMNS, row, strict=True)))
    related: dict[str, dict[int, list[Any]]] = {}
    for attribute in ("blocks", "topics", "audiences", "languages"):
        related[attribute] = defaultdict(list)
        for opportunity_id, target in getattr(chunk, attribute):
            related[attribute][opportunity_id].append(target)
    return sessions, related


if __name__ == "__main__":
    main()

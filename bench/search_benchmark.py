"""Benchmark search on the demo city: the selector, the HTTP endpoint and a naive LIKE baseline, per query class.

    .venv/bin/python bench/search_benchmark.py [--engine sqlite|postgres|both] [--size N] [--queries 1000]
    scripts/with-postgres.sh .venv/bin/python bench/search_benchmark.py --engine postgres

Each engine runs in its own subprocess: it migrates a fresh database (a temporary SQLite file, or
a throwaway PostgreSQL 15 cluster started by scripts/with-postgres.sh when DATABASE_URL is not
already PostgreSQL), builds the demo city with `build_demo_city` (search index included; default
200,000 opportunities on SQLite, 1,000,000 on PostgreSQL), and draws a seeded mix of realistic
queries from the demo's own vocabulary: one word, two words, accented and not, typos, quoted
phrases, words no listing has, filters alone (a browse), words with two or three filters, and
searches within a radius. After a warm-up it times, query by query:

(a) `selectors.search(city, params)` with facet counts, as the page and the API call it;
(b) `GET /api/v1/search` on a real gunicorn server (one worker) reading the same database;
(c) a naive baseline on the first `--baseline-queries` of the same mix: case-insensitive
    `icontains` over the titles and descriptions in both languages, the same filters through the
    ORM, one page of 20 and a COUNT, no full-text index and no facets.

It prints p50/p95/p99 per run and the p95 per query class, the targets of the Discovery issue
(p95 at most 50 ms with facet counts; at least 20 times faster than the baseline at p95) with
PASS/FAIL, and peak memory of the benchmark process and of the server.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = {"sqlite": 200_000, "postgres": 1_000_000}
TARGET_P95_MS = 50.0
TARGET_RATIO = 20.0
WARM_UP = 50
POSTGRES_SHARED_BUFFERS = "4GB"
# Words residents type that no demo listing has (the engine then looks for a spelling fix).
ABSENT_WORDS = (
    "karaté", "saxophone", "tricot", "escalade", "plongée", "mandarin", "knitting", "pilates", "violon",
    "sculpture", "origami", "calligraphie", "natation", "swimming", "boxe", "crochet", "œnologie", "tennis",
    "jonglage", "skateboard", "harpe", "mosaïque", "genealogy", "sophrologie",
)  # fmt: skip
# Query classes and their share of the mix.
MIX = (
    ("one word", 0.14),
    ("one word, no accents", 0.08),
    ("two words", 0.14),
    ("typo", 0.08),
    ("phrase", 0.05),
    ("absent word", 0.06),
    ("browse, filters only", 0.12),
    ("words + 2-3 filters", 0.15),
    ("radius", 0.10),
    ("words + radius", 0.08),
)
AGES = ("3", "6", "9", "15", "25", "40", "70", "80")
KINDS = ("course", "workshop", "club", "talk", "guided_visit", "festival_event", "online_course", "mentoring")


@dataclass(frozen=True)
class Query:
    """One search as a resident would send it: its class and its page parameters."""

    kind: str
    parameters: tuple[tuple[str, str], ...]

    def query_string(self) -> str:
        return urllib.parse.urlencode(self.parameters)

    def data(self) -> Any:
        from django.http import QueryDict

        return QueryDict(self.query_string())


def main() -> None:
    """Parse arguments; run each engine in a subprocess (or one run, when called as a subprocess)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--size", type=int, help="opportunities (default 200,000 on SQLite, 1,000,000 on PostgreSQL)")
    parser.add_argument("--queries", type=int, default=1000, help="queries in the timed mix")
    parser.add_argument("--baseline-queries", type=int, default=200, help="first queries of the mix the baseline runs")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the query mix")
    parser.add_argument("--database", help="SQLite file to build into, or to reuse if it holds the demo city")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP endpoint")
    parser.add_argument("--run", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.run:
        print(json.dumps(run_in_this_process(arguments)))
        return
    engines = ["sqlite", "postgres"] if arguments.engine == "both" else [arguments.engine]
    for engine in engines:
        report(engine, run_in_subprocess(engine, arguments))


def run_in_subprocess(engine: str, arguments: argparse.Namespace) -> dict[str, Any]:
    """One engine's run in a fresh Python process; its progress goes to stderr, its numbers come back as JSON."""
    size = arguments.size or DEFAULT_SIZES[engine]
    options = ["--run", engine, "--size", str(size), "--queries", str(arguments.queries)]
    options += ["--baseline-queries", str(arguments.baseline_queries), "--seed", str(arguments.seed)]
    options += ["--no-http"] if arguments.no_http else []
    command = [sys.executable, __file__, *options]
    environment = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as directory:
        environment["LEARNINGCITY_VAR_DIR"] = directory  # the server's secret key and static files stay here
        if engine == "sqlite":
            database = Path(arguments.database) if arguments.database else Path(directory) / "bench.sqlite3"
            environment["DATABASE_URL"] = f"sqlite:///{database.resolve()}"
        elif not environment.get("DATABASE_URL", "").startswith("postgres"):
            # Configured as a production server would be: the search tables (about 1.7 GB at a
            # million listings) fit in PostgreSQL's own cache, a sixth of this machine's memory.
            environment.setdefault("PG_SETTINGS", f"-c shared_buffers={POSTGRES_SHARED_BUFFERS}")
            command = [str(ROOT / "scripts" / "with-postgres.sh"), *command]
        completed = subprocess.run(command, env=environment, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        sys.exit(f"The {engine} run failed (exit {completed.returncode}).")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def progress(message: str) -> None:
    print(f"   {message}", file=sys.stderr, flush=True)


# --- the measured run (in the subprocess) ----------------------------------------------------------


def run_in_this_process(arguments: argparse.Namespace) -> dict[str, Any]:
    """Build (or reuse) the city, draw the mix, warm up, then time the selector, the endpoint and the baseline."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    build = build_city(arguments.size)
    city = demo_city()
    queries = query_mix(city, arguments.queries, arguments.seed)
    progress(f"{connection.vendor}: {len(queries):,} queries drawn; warming up")
    # As `learningcity serve` does before its workers start (learningcity.wsgi): load the in-memory
    # snapshot and the matches of the commonest words.
    from learningcity.search.snapshot import warm_up

    warm_started = time.perf_counter()
    warm_up()
    result_warm = time.perf_counter() - warm_started
    progress(f"search snapshot warmed up in {result_warm:.1f} s")
    result: dict[str, Any] = {"engine": connection.vendor, "queries": len(queries), **build}
    result["selector"] = time_selector(city, queries)
    result["selector_peak_mb"] = peak_mb()
    if not arguments.no_http:
        result["http"] = time_http(queries)
    baseline_queries = queries[: arguments.baseline_queries]
    result["baseline"] = time_baseline(city, baseline_queries)
    result["baseline_count"] = len(baseline_queries)
    result["peak_mb"] = peak_mb()
    return result


def build_city(size: int) -> dict[str, Any]:
    """The demo city at `size` (kept if the database already holds it), with the time its parts took."""
    from learningcity.catalogue.models import Opportunity
    from learningcity.demo.generator import build_demo_city, demo_city_loaded
    from learningcity.search.models import SearchEntry

    if demo_city_loaded():
        progress("reusing the demo city already in the database")
        return {"opportunities": Opportunity.objects.count(), "indexed": SearchEntry.objects.count(), "reused": True}
    lines: list[str] = []

    def report(message: str) -> None:
        lines.append(message)
        progress(message)

    started = time.perf_counter()
    summary = build_demo_city(size=size, progress=report)
    seconds = time.perf_counter() - started
    index_line = next((line for line in lines if line.startswith("search index")), "")
    return {
        "opportunities": summary.opportunities,
        "indexed": SearchEntry.objects.count(),
        "build_seconds": seconds,
        "index_line": index_line,
        "build_peak_mb": peak_mb(),
        "reused": False,
    }


def demo_city() -> Any:
    from learningcity.catalogue.models import City
    from learningcity.demo.names import CITY_SLUG

    return City.objects.get(slug=CITY_SLUG)


def time_selector(city: Any, queries: list[Query]) -> dict[str, list[float]]:
    """Milliseconds of `selectors.search` with facet counts, per query class (parameters read beforehand)."""
    from learningcity.search import selectors
    from learningcity.search.forms import SearchForm

    prepared = []
    for query in queries:
        form = SearchForm(query.data(), city=city)
        if not form.is_valid():
            raise SystemExit(f"invalid benchmark query {query.query_string()}: {form.errors.as_text()}")
        prepared.append((query.kind, form.params()))
    for _kind, params in prepared[:WARM_UP]:
        selectors.search(city, params)
    progress("timing the selector")
    return timed([(kind, partial(selectors.search, city, params)) for kind, params in prepared])


def timed(calls: Sequence[tuple[str, Callable[[], Any]]]) -> dict[str, list[float]]:
    """Run each call once, in order; milliseconds grouped by query class."""
    times: dict[str, list[float]] = defaultdict(list)
    for kind, call in calls:
        started = time.perf_counter()
        call()
        times[kind].append((time.perf_counter() - started) * 1000)
    return dict(times)


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the HTTP endpoint --------------------------------------------------------------------------------


def time_http(queries: list[Query]) -> dict[str, Any]:
    """Milliseconds of GET /api/v1/search (else the search page) on a real server, one worker, same database."""
    from django.db import connections

    connections.close_all()  # the server holds its own connections; SQLite must not see a write lock from us
    port = free_port()
    server = start_server(port)
    try:
        base = f"http://127.0.0.1:{port}"
        path = first_available(base, ["/api/v1/search", "/fr/search/"])
        if path is None:
            progress("neither /api/v1/search nor /fr/search/ answers 200 (see above): HTTP not timed")
            return {"path": None, "times": {}}
        for query in queries[:WARM_UP]:
            fetch(f"{base}{path}?{query.query_string()}")
        progress(f"timing GET {path}")
        calls = [(query.kind, partial(fetch, f"{base}{path}?{query.query_string()}")) for query in queries]
        times = timed(calls)
        return {"path": path, "times": times, "server_peak_mb": server_peak_mb(server.pid)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def start_server(port: int) -> subprocess.Popen[bytes]:
    """gunicorn with one worker on this database (DATABASE_URL is inherited); wait until it answers."""
    command = [sys.executable, "-m", "gunicorn", "learningcity.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--timeout", "120", "--preload"]  # as `learningcity serve` runs it
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 600  # the server loads the search snapshot before it answers
    while time.monotonic() < deadline:
        try:
            fetch(f"http://127.0.0.1:{port}/healthz")
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def first_available(base: str, paths: list[str]) -> str | None:
    for path in paths:
        try:
            fetch(f"{base}{path}?q=atelier")
            return path
        except urllib.error.HTTPError as error:
            progress(f"GET {path}: {error.code} {error.reason}")
            continue
    return None


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept-Language": "fr"})  # noqa: S310 (localhost)
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        return bytes(response.read())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_peak_mb(pid: int) -> float:
    """Peak resident memory of the gunicorn master and its worker (VmHWM), in MB."""
    total = 0.0
    for process in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return total


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


# --- the naive baseline -----------------------------------------------------------------------------------


def time_baseline(city: Any, queries: list[Query]) -> dict[str, list[float]]:
    """Milliseconds of the naive search (icontains + the same filters + a page + COUNT) per query class."""
    from learningcity.search.forms import SearchForm

    prepared = []
    for query in queries:
        form = SearchForm(query.data(), city=city)
        form.is_valid()
        prepared.append((query.kind, form))
    for _kind, form in prepared[:10]:
        naive_search(city, form)
    progress(f"timing the naive baseline on {len(prepared)} queries")
    return timed([(kind, partial(naive_search, city, form)) for kind, form in prepared])


def naive_search(city: Any, form: Any) -> tuple[list[int], int]:
    """What a straightforward implementation would do: LIKE on four text columns, ORM filters, a page and a COUNT."""
    from django.db.models import Q
    from django.utils import timezone

    from learningcity.catalogue.models import Opportunity

    data, params = form.cleaned_data, form.params()
    now = timezone.now()
    found = Opportunity.objects.filter(city=city, status="published")
    found = found.filter(Q(sessions__isnull=True) | Q(sessions__end__gte=now))
    for word in _words(data.get("q") or ""):
        found = found.filter(
            Q(title_fr__icontains=word)
            | Q(title_en__icontains=word)
            | Q(description_fr__icontains=word)
            | Q(description_en__icontains=word)
        )
    found = naive_filters(found, data, params, now)
    page = list(found.distinct().order_by("pk").values_list("pk", flat=True)[:20])
    return page, found.distinct().count()


def _words(text: str) -> list[str]:
    """Words as typed (a phrase is kept whole), minus the commonest ones; accents kept, as LIKE sees them."""
    from learningcity.search import analysis

    pieces = [piece.strip() for piece in text.split('"')]
    phrases = [piece for index, piece in enumerate(pieces) if index % 2 == 1 and piece]
    loose = " ".join(piece for index, piece in enumerate(pieces) if index % 2 == 0)
    return phrases + [word for word in loose.split() if analysis.unaccent(word) not in analysis.STOPWORDS]


def naive_filters(found: Any, data: dict[str, Any], params: Any, now: Any) -> Any:
    """The search filters in the ORM: same meaning as the index's columns, computed from the catalogue."""
    from django.db.models import Q

    if params.age is not None:
        found = found.filter(age_min__lte=params.age, age_max__gte=params.age)
    if params.free:
        found = found.filter(is_free=True)
    if params.max_price is not None:
        found = found.filter(Q(is_free=True) | Q(price__lte=params.max_price))
    if params.kinds:
        found = found.filter(kind__in=params.kinds)
    if params.modes:
        found = found.filter(mode__in=params.modes)
    if params.sectors:
        found = found.filter(organisation__sector__in=params.sectors)
    if data.get("district"):
        found = found.filter(venue__district__code__in=data["district"])
    if params.languages:
        found = found.filter(languages__code__in=params.languages)
    if params.blocks:
        found = found.filter(building_blocks__code__in=params.blocks)
    if data.get("topic"):
        found = found.filter(Q(topics__code__in=data["topic"]) | Q(topics__parent__code__in=data["topic"]))
    for feature in params.access:
        found = found.filter(**{f"venue__{feature}": True})
    found = naive_schedule(found, params, now)
    if params.near is not None:
        from learningcity.search.selectors import KM_PER_DEGREE_LATITUDE, _km_per_degree_longitude

        near = params.near
        lat_span = near.radius_km / KM_PER_DEGREE_LATITUDE
        lon_span = near.radius_km / _km_per_degree_longitude(near.latitude)
        found = found.filter(
            venue__latitude__range=(near.latitude - lat_span, near.latitude + lat_span),
            venue__longitude__range=(near.longitude - lon_span, near.longitude + lon_span),
        )
    return found


def naive_schedule(found: Any, params: Any, now: Any) -> Any:
    """Days of the week and parts of the day of a coming session (local time, as Django's lookups give it)."""
    from django.db.models import Q

    hours = {"morning": (0, 11), "afternoon": (12, 17), "evening": (18, 23)}
    if not params.days and not params.times:
        return found
    session = Q(sessions__end__gte=now)
    if params.days:
        session &= Q(sessions__start__iso_week_day__in=[day + 1 for day in params.days])
    if params.times:
        parts = Q()
        for part in params.times:
            low, high = hours[part]
            parts |= Q(sessions__start__hour__range=(low, high))
        session &= parts
    return found.filter(session)


# --- the query mix ----------------------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """What the mix draws from: the demo's words and titles, and the city's filter values."""

    words: list[str]
    titles: list[str]
    absent: list[str]
    districts: list[str]
    points: list[tuple[float, float]]
    topics: list[str]
    blocks: list[str]
    languages: list[str]


def vocabulary(city: Any) -> Vocabulary:
    """Words of the demo's titles, topic names and themes (both languages), and the city's reference values."""
    from learningcity.catalogue.models import BuildingBlock, District, Topic, Venue
    from learningcity.demo.offers import TOPICS
    from learningcity.search import analysis

    titles = [title for topic in TOPICS for spec in topic.offers for title in (spec.title_fr, spec.title_en)]
    texts = [*titles, *(name for topic in TOPICS for name in (topic.name_fr, topic.name_en))]
    texts += [theme for topic in TOPICS for pair in topic.themes for theme in pair]
    words = sorted(
        {
            word
            for text in texts
            for word in (w.strip(".,:;()'’!?") for w in text.lower().replace("'", " ").replace("’", " ").split())
            if len(word) >= 3 and word.isalpha() and analysis.unaccent(word) not in analysis.STOPWORDS
        }
    )
    known = {analysis.unaccent(word) for word in words}
    venues = Venue.objects.filter(city=city).order_by("pk").values_list("latitude", "longitude")
    return Vocabulary(
        words=words,
        titles=sorted(titles),
        absent=[word for word in ABSENT_WORDS if analysis.unaccent(word) not in known],
        districts=list(District.objects.filter(city=city).order_by("code").values_list("code", flat=True)),
        points=[(lat, lon) for lat, lon in venues if lat is not None and lon is not None],
        topics=list(Topic.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True)),
        blocks=list(BuildingBlock.objects.order_by("position").values_list("code", flat=True)),
        languages=["fr", "en", "es", "de", "ar"],
    )


def query_mix(city: Any, count: int, seed: int) -> list[Query]:
    """`count` queries drawn with `seed`, each class in its share, shuffled."""
    rng = random.Random(seed)
    words = vocabulary(city)
    kinds = [kind for kind, share in MIX for _ in range(round(share * count))]
    while len(kinds) < count:
        kinds.append(MIX[len(kinds) % len(MIX)][0])
    rng.shuffle(kinds)
    return [Query(kind, tuple(draw(kind, words, rng))) for kind in kinds[:count]]


def draw(kind: str, words: Vocabulary, rng: random.Random) -> list[tuple[str, str]]:
    """The page parameters of one query of class `kind`."""
    if kind == "one word":
        return [("q", rng.choice(words.words))]
    if kind == "one word, no accents":
        return [("q", unaccented(rng.choice([word for word in words.words if word != unaccented(word)])))]
    if kind == "two words":
        return [("q", " ".join(title_words(rng.choice(words.titles), rng, 2)))]
    if kind == "typo":
        return [("q", typo(rng.choice([word for word in words.words if len(word) >= 6]), rng))]
    if kind == "phrase":
        return [("q", '"' + " ".join(title_words(rng.choice(words.titles), rng, 2, adjacent=True)) + '"')]
    if kind == "absent word":
        return [("q", rng.choice(words.absent))]
    if kind == "browse, filters only":
        return filters(words, rng, rng.choice((2, 3)))
    if kind == "words + 2-3 filters":
        text = " ".join(title_words(rng.choice(words.titles), rng, rng.choice((1, 2))))
        return [("q", text), *filters(words, rng, rng.choice((2, 3)))]
    text = " ".join(title_words(rng.choice(words.titles), rng, 1)) if kind == "words + radius" else ""
    return [("q", text), *radius(words, rng)] if text else radius(words, rng)


def title_words(title: str, rng: random.Random, count: int, *, adjacent: bool = False) -> list[str]:
    """`count` meaningful words of a title, in its order (next to each other if `adjacent`)."""
    from learningcity.search import analysis

    raw = [w.strip(".,:;()!?") for w in title.lower().replace("'", " ").replace("’", " ").split()]
    meaningful = [w for w in raw if len(w) >= 3 and analysis.unaccent(w) not in analysis.STOPWORDS]
    if not meaningful:
        return raw[:count]
    if adjacent:
        start = rng.randrange(max(1, len(raw) - count + 1))
        return raw[start : start + count]
    picked = sorted(rng.sample(range(len(meaningful)), min(count, len(meaningful))))
    return [meaningful[index] for index in picked]


def unaccented(word: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", word) if not unicodedata.combining(char))


def typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a letter dropped, doubled or two letters swapped (never the first letter)."""
    position = rng.randrange(1, len(word) - 1)
    slip = rng.choice(("drop", "double", "swap"))
    if slip == "drop":
        return word[:position] + word[position + 1 :]
    if slip == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def filters(words: Vocabulary, rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` different filters, as a resident would tick them."""
    choices: dict[str, Callable[[], list[tuple[str, str]]]] = {
        "age": lambda: [("age", rng.choice(AGES))],
        "free": lambda: [("free", "on")],
        "max_price": lambda: [("max_price", rng.choice(("5", "10", "20", "50")))],
        "kind": lambda: [("kind", kind) for kind in rng.sample(KINDS, rng.choice((1, 2)))],
        "mode": lambda: [("mode", rng.choice(("on_site", "online")))],
        "language": lambda: [("language", rng.choice(words.languages))],
        "district": lambda: [("district", code) for code in rng.sample(words.districts, rng.choice((1, 2)))],
        "day": lambda: [("day", day) for day in rng.choice((("sat", "sun"), ("wed",), ("mon", "tue", "thu")))],
        "time": lambda: [("time", rng.choice(("evening", "morning", "afternoon")))],
        "block": lambda: [("block", rng.choice(words.blocks))],
        "topic": lambda: [("topic", rng.choice(words.topics))],
        "access": lambda: [("access", "step_free_access")],
    }
    names = rng.sample(sorted(choices), count)
    return [pair for name in names for pair in choices[name]()]


def radius(words: Vocabulary, rng: random.Random) -> list[tuple[str, str]]:
    """Near a district's centre or a point (a venue's), within 1 to 5 km; sometimes sorted by distance."""
    if rng.random() < 0.5:
        place = [("near_district", rng.choice(words.districts))]
    else:
        latitude, longitude = rng.choice(words.points)
        place = [("near", f"{latitude:.5f},{longitude:.5f}")]
    extra = [("sort", "distance")] if rng.random() < 0.3 else []
    if rng.random() < 0.3:
        extra.append(("age", rng.choice(AGES)))
    return [*place, ("radius", rng.choice(("1", "2", "3", "5"))), *extra]


# --- the report (in the parent) ---------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def flat(times: dict[str, list[float]]) -> list[float]:
    return [value for values in times.values() for value in values]


def summary(values: list[float]) -> str:
    if not values:
        return "no data"
    return (
        f"p50 {percentile(values, 0.5):7.1f} ms   p95 {percentile(values, 0.95):7.1f} ms   "
        f"p99 {percentile(values, 0.99):7.1f} ms   mean {statistics.fmean(values):6.1f} ms   n={len(values)}"
    )


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(engine: str, result: dict[str, Any]) -> None:
    """Print one engine's numbers: overall, per class, against the targets."""
    print(f"\n== {result['engine']}: {result['opportunities']:,} opportunities, {result['indexed']:,} indexed")
    if result.get("reused"):
        print("   (database reused: build not timed)")
    else:
        build = f"{result['build_seconds']:.1f} s ({result['index_line']})"
        print(f"   build {build}; peak memory {result['build_peak_mb']:,.0f} MB")
    selector = result["selector"]
    http = result.get("http") or {"times": {}, "path": None}
    baseline = result["baseline"]
    print(f"   (a) selector with facet counts  {summary(flat(selector))}")
    if http["path"]:
        print(f"   (b) GET {http['path']:<24}  {summary(flat(http['times']))}")
    else:
        print("   (b) HTTP endpoint not timed")
    print(f"   (c) naive baseline (first {result['baseline_count']})  {summary(flat(baseline))}")
    print_classes(selector, http["times"], baseline)
    print_targets(selector, http, baseline)
    server = f", server {http['server_peak_mb']:,.0f} MB" if http.get("server_peak_mb") else ""
    print(f"   peak memory: benchmark process {result['peak_mb']:,.0f} MB{server}")


def print_classes(
    selector: dict[str, list[float]], http: dict[str, list[float]], baseline: dict[str, list[float]]
) -> None:
    print("   per query class (p50 / p95 in ms):")
    print(f"   {'class':<24}{'n':>5}  {'selector':>15}  {'HTTP':>15}  {'baseline':>17}")
    for kind, _share in MIX:
        cells = []
        for times in (selector, http, baseline):
            values = times.get(kind, [])
            cells.append(f"{percentile(values, 0.5):6.1f} / {percentile(values, 0.95):6.1f}" if values else "-")
        count = len(selector.get(kind, []))
        print(f"   {kind:<24}{count:>5}  {cells[0]:>15}  {cells[1]:>15}  {cells[2]:>17}")


def print_targets(selector: dict[str, list[float]], http: dict[str, Any], baseline: dict[str, list[float]]) -> None:
    """The issue's targets beside the measured values; the ratio compares the same queries on both sides."""
    p95 = percentile(flat(selector), 0.95)
    print(
        f"   target p95 <= {TARGET_P95_MS:.0f} ms, selector with facets: {p95:.1f} ms  {verdict(p95 <= TARGET_P95_MS)}"
    )
    if http["path"]:
        http_p95 = percentile(flat(http["times"]), 0.95)
        passed = verdict(http_p95 <= TARGET_P95_MS)
        print(f"   target p95 <= {TARGET_P95_MS:.0f} ms, HTTP endpoint:         {http_p95:.1f} ms  {passed}")
    same = same_queries(selector, baseline)
    for label, share in (("p50", 0.5), ("p95", 0.95)):
        ratio = percentile(flat(baseline), share) / percentile(same, share)
        line = f"   baseline / selector at {label} (same {len(same)} queries): {ratio:,.1f}x"
        if label == "p95":
            line += f"   target >= {TARGET_RATIO:.0f}x  {verdict(ratio >= TARGET_RATIO)}"
        print(line)


def same_queries(selector: dict[str, list[float]], baseline: dict[str, list[float]]) -> list[float]:
    """The selector's times of the queries the baseline ran (the first ones of each class, in mix order)."""
    return [value for kind, values in baseline.items() for value in selector.get(kind, [])[: len(values)]]


if __name__ == "__main__":
    main()

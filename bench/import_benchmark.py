"""Benchmark the import pipeline against a naive row-by-row ORM import, on SQLite and PostgreSQL.

    .venv/bin/python bench/import_benchmark.py [--rows 100000 --naive-rows 5000 --engines sqlite,postgres]

One run. For each engine (SQLite in a temporary file; PostgreSQL in a throwaway cluster started by
scripts/with-postgres.sh), a fresh database is migrated and given a city, one provider and 40
existing venues. Two files are generated with a fixed seed: a CSV of `--rows` rows (French
headings, `;` separator, one listing with one session per row, 600 places named with coordinates)
and an OpenAgenda/OpenDataSoft JSON export of `--rows` events (HTML descriptions, `timings` holding
1–3 sessions, 2,000 places, keywords, ages, null fields). Each measurement runs in its own process,
so its peak memory (maximum resident set size of the whole process, Django included) is its own:

1. the project: `run_import(..., dry_run=False)`: parse, match venues, validate every row with the
   catalogue's rules, write in one transaction: as drafts (a provider's upload; another provider, so
   also a first import), then published (a coordinator's; the listings are also indexed for search);
2. the same file again: every row unchanged, nothing written;
3. the baseline: the same rows read with `csv.DictReader` / `json.load`, then for each row a venue
   looked up by name and coordinates (or created), `Opportunity.objects.create`, its relations and
   sessions, as a straightforward Django import would (signals fire and keep search current row by row), on the
   first `--naive-rows` rows (its rate is per row, so it does not depend on the count).

It prints rows per second and peak memory for each, the ratio project ÷ baseline, and the issue's
targets (at least 5,000 rows per second, peak memory under 500 MB). A file of 2 MB or more is parsed
in a second process forked by the importing one (interop/formats/aside.py): "parser MB" is that
process's peak (it counts the pages it shares with the importing process), and "CPU s" the importing
process's own CPU time: on this 2-core machine, a wall time well above it means the process waited
for a core (the parser, PostgreSQL, or anything else running). Three more columns say for what:
"parser CPU" is the CPU time of the parsing process, "DB CPU" that of the database server's process
serving the import (PostgreSQL's backend, read from /proc; SQLite runs inside the importing process),
and "wait s" how long the importing process waited for the parser's next batch.

`--only openagenda:import` (format:step, comma-separated) measures only those steps, for quick loops.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PARIS = ZoneInfo("Europe/Paris")
CSV_MAPPING = {
    "Identifiant": "external_id",
    "Titre": "title_fr",
    "Description": "description_fr",
    "Début": "start",
    "Fin": "end",
    "Lieu": "venue_name",
    "Adresse": "venue_address",
    "Code postal": "venue_postcode",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Âge min": "age_min",
    "Âge max": "age_max",
    "Tarif": "price",
}
WORDS = [
    *("atelier", "initiation", "découverte", "numérique", "lecture", "conte", "peinture", "cuisine"),
    *("jardinage", "robotique", "anglais", "espagnol", "histoire", "musique", "théâtre", "photographie"),
    *("couture", "informatique", "secourisme", "généalogie", "astronomie", "sciences", "échecs", "danse"),
    *("vélo", "réparation", "écriture", "poésie", "cinéma"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=5_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", default="", help="measure only these format:step pairs (openagenda:import,...)")
    parser.add_argument("--engine-run", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments)
    elif arguments.engine_run:
        engine_run(arguments)
    else:
        parent(arguments)


def parent(arguments: argparse.Namespace) -> None:
    results: dict[str, dict[str, Any]] = {}
    forwarded = [
        "--rows",
        str(arguments.rows),
        "--naive-rows",
        str(arguments.naive_rows),
        "--seed",
        str(arguments.seed),
        "--only",
        arguments.only,
    ]
    for engine in arguments.engines.split(","):
        with tempfile.TemporaryDirectory(prefix="import-bench-") as directory:
            environment = {**os.environ, "LEARNINGCITY_VAR_DIR": directory, "BENCH_OUT": f"{directory}/out.json"}
            command = [sys.executable, __file__, "--engine-run", *forwarded]
            if engine == "postgres":
                command = [str(ROOT / "scripts" / "with-postgres.sh"), *command]
                environment.pop("DATABASE_URL", None)
            else:
                environment["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
            progress(f"{engine}: starting")
            subprocess.run(command, env=environment, check=True)  # noqa: S603 (our own script)
            results[engine] = json.loads(Path(environment["BENCH_OUT"]).read_text())
    report(results, arguments)


def engine_run(arguments: argparse.Namespace) -> None:
    """On one database: prepare it, write the files, then measure each import in its own process."""
    directory = Path(os.environ["LEARNINGCITY_VAR_DIR"])
    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    prepare()
    rng = random.Random(arguments.seed)
    files = {
        "csv": write_csv(directory / "offres.csv", arguments.rows, rng),
        "openagenda": write_openagenda(directory / "evenements.json", arguments.rows, rng),
    }
    only = {pair for pair in arguments.only.split(",") if pair}
    measured: dict[str, Any] = {}
    for format_name, path in files.items():
        for step in STEPS:
            if only and f"{format_name}:{step}" not in only:
                continue
            progress(f"{format_name}: {step}")
            output = subprocess.run(  # noqa: S603 (our own script)
                [
                    sys.executable,
                    __file__,
                    "--child",
                    f"{step}:{format_name}:{path}",
                    "--naive-rows",
                    str(arguments.naive_rows),
                ],
                check=False,
                capture_output=True,
                text=True,
            )
            if output.returncode:
                raise SystemExit(f"{format_name} {step} failed:\n{output.stderr[-3000:]}")
            measured[f"{format_name}:{step}"] = json.loads(output.stdout.strip().splitlines()[-1])
    from django.db import connection

    version = ".".join(map(str, connection.get_database_version()))
    measured["engine"] = f"{connection.vendor} {version}"
    Path(os.environ["BENCH_OUT"]).write_text(json.dumps(measured))


STEPS = ("draft", "import", "reimport", "naive")


def setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
    os.environ.setdefault("IMPORT_MAX_BYTES", str(500 * 1024 * 1024))
    import django

    django.setup()


def prepare() -> None:
    from learningcity.catalogue.models import City, District, Organisation, Venue
    from learningcity.catalogue.reference import load_reference_data

    load_reference_data()
    city = City.objects.create(name="Benchville", slug="benchville", latitude=47.39, longitude=0.69)
    District.objects.create(
        city=city,
        code="01",
        name="Centre",
        boundary={
            "type": "Polygon",
            "coordinates": [[[0.6, 47.3], [0.7, 47.3], [0.7, 47.5], [0.6, 47.5], [0.6, 47.3]]],
        },
    )
    District.objects.create(city=city, code="02", name="Est")
    organisation = Organisation.objects.create(
        city=city, name="Maison des savoirs", sector="non_formal", type="association"
    )
    Organisation.objects.create(city=city, name="Atelier du quartier", sector="non_formal", type="association")
    for number in range(40):
        Venue.objects.create(
            city=city, organisation=organisation, name=f"Lieu {number}", address=f"{number} rue Haute",
            latitude=47.3 + number / 200, longitude=0.6 + number / 300,
        )  # fmt: skip


def places(rng: random.Random, count: int) -> list[tuple[str, str, str, float, float]]:
    return [
        (
            f"{rng.choice(['Médiathèque', 'Centre social', 'Maison de quartier', 'École', 'Musée'])} {number}",
            f"{rng.randint(1, 200)} rue {rng.choice(WORDS).title()}",
            f"37{rng.randint(0, 99):03d}",
            round(47.3 + rng.random() * 0.2, 6),
            round(0.6 + rng.random() * 0.2, 6),
        )
        for number in range(count)
    ]


def moment(rng: random.Random) -> datetime:
    day = datetime(2027, 1, 4, tzinfo=PARIS) + timedelta(days=rng.randint(0, 300))
    return day.replace(hour=rng.choice([9, 10, 14, 16, 18]), minute=rng.choice([0, 30]))


def write_csv(path: Path, rows: int, rng: random.Random) -> Path:
    venues = places(rng, 600)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(list(CSV_MAPPING))
        for number in range(rows):
            name, address, postcode, latitude, longitude = rng.choice(venues)
            start = moment(rng)
            words = rng.sample(WORDS, 3)
            writer.writerow(
                [
                    f"OFF-{number:06d}",
                    f"{words[0].title()} {words[1]} {number}",
                    f"Séance de {words[0]} et {words[1]} pour tous, autour de {words[2]}.",
                    start.strftime("%d/%m/%Y %H:%M"),
                    (start + timedelta(hours=2)).strftime("%d/%m/%Y %H:%M"),
                    name,
                    address,
                    postcode,
                    str(latitude).replace(".", ","),
                    str(longitude).replace(".", ","),
                    rng.choice(["", "6", "12", "16"]),
                    rng.choice(["", "99"]),
                    rng.choice(["", "", "5", "12,50 €"]),
                ]
            )
    return path


def write_openagenda(path: Path, rows: int, rng: random.Random) -> Path:
    venues = places(rng, 2000)
    events = []
    for number in range(rows):
        name, address, postcode, latitude, longitude = rng.choice(venues)
        starts = sorted({moment(rng) for _ in range(rng.randint(1, 3))})
        timings = [{"begin": s.isoformat(), "end": (s + timedelta(hours=2)).isoformat()} for s in starts]
        words = rng.sample(WORDS, 3)
        events.append(
            {
                "uid": str(10_000_000 + number),
                "title_fr": f"{words[0].title()} : {words[1]} ({number})",
                "description_fr": f"Un rendez-vous {words[2]}.",
                "longdescription_fr": (
                    f"<p>Venez découvrir <b>{words[0]}</b> et {words[1]}.</p><ul><li>{words[2]}</li></ul>"
                ),
                "firstdate_begin": timings[0]["begin"],
                "lastdate_end": timings[-1]["end"],
                "timings": json.dumps(timings),
                "location_name": name,
                "location_address": address,
                "location_postalcode": postcode,
                "location_city": "Benchville",
                "location_coordinates": {"lat": latitude, "lon": longitude},
                "age_min": rng.choice([None, 3, 8, 14]),
                "age_max": rng.choice([None, 99]),
                "keywords_fr": rng.sample(WORDS, 2),
                "registration": None,
                "originagenda_title": "Agenda de Benchville",
                "location_district": None,
            }
        )
    path.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    return path


def child(arguments: argparse.Namespace) -> None:
    step, format_name, path = arguments.child.split(":", 2)
    setup()
    from learningcity.catalogue.models import City, Organisation

    city = City.objects.get(slug="benchville")
    # Drafts go to a second provider, so they are a first import too (another source).
    organisation = Organisation.objects.get(
        city=city, name="Atelier du quartier" if step == "draft" else "Maison des savoirs"
    )
    content = Path(path).read_bytes()
    from learningcity.interop.formats import aside

    database_cpu = DatabaseCpu()
    parser_cpu_started = children_cpu()
    started, cpu_started = time.perf_counter(), time.process_time()
    if step == "naive":
        rows = naive_import(format_name, content, city, organisation, arguments.naive_rows)
        counts: dict[str, int] = {"created": rows}
    else:
        from learningcity.interop.pipeline import run_import
        from learningcity.interop.records import ParseOptions

        result = run_import(
            city=city,
            format=format_name,
            content=content,
            organisation=organisation,
            target_status="draft" if step == "draft" else "published",
            dry_run=False,
            options=ParseOptions(mapping=CSV_MAPPING if format_name == "csv" else {}),
        )
        if result.file_error:
            raise SystemExit(result.file_error)
        counts = result.counts
        rows = sum(counts.values())
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started  # this process only: what it waited for is not in it
    parser_cpu = children_cpu() - parser_cpu_started  # the parsing process, once it has ended (joined)
    db_cpu = database_cpu.seconds()
    peak_mb = peak_memory_mb()
    # The process that parsed the file beside the import (large files; see interop/formats/aside.py): its
    # peak counts the pages it shares with the importing process it was forked from.
    parser_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {"rows": rows, "seconds": seconds, "cpu": cpu_seconds, "peak_mb": peak_mb, "parser_mb": parser_mb}
            | {"parser_cpu": parser_cpu, "db_cpu": db_cpu, "wait": aside.waited.seconds, "counts": counts}
        )
    )


def children_cpu() -> float:
    """CPU seconds (user and system) of this process's ended children: the parsing process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class DatabaseCpu:
    """CPU seconds of the database server's process serving this connection, from now on (PostgreSQL's
    backend on this machine; None elsewhere)."""

    def __init__(self) -> None:
        from django.db import connection

        self.stat: Path | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.started = self._now()

    def _now(self) -> float:
        if self.stat is None or not self.stat.exists():
            return 0.0
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def seconds(self) -> float | None:
        return None if self.stat is None else self._now() - self.started


def peak_memory_mb() -> float:
    """This process's peak resident memory since it started (VmHWM: unlike ru_maxrss, it does not carry
    over the size of the parent it was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_import(format_name: str, content: bytes, city: Any, organisation: Any, limit: int) -> int:
    """What a first version would do: one row, one venue lookup, one listing, one save at a time."""
    from django.db import transaction

    from learningcity.catalogue.models import BuildingBlock, Language, Opportunity, Session, Venue

    block = BuildingBlock.objects.get(code="culture-of-learning")
    french = Language.objects.get(code="fr")
    if format_name == "csv":
        reader = csv.DictReader(io.StringIO(content.decode("utf-8")), delimiter=";")
        rows = []
        for row in reader:
            start = datetime.strptime(row["Début"], "%d/%m/%Y %H:%M").replace(tzinfo=PARIS)
            end = datetime.strptime(row["Fin"], "%d/%m/%Y %H:%M").replace(tzinfo=PARIS)
            rows.append(
                (row["Titre"], row["Description"], row["Lieu"], row["Adresse"],
                 float(row["Latitude"].replace(",", ".")), float(row["Longitude"].replace(",", ".")), [(start, end)])
            )  # fmt: skip
            if len(rows) >= limit:
                break
    else:
        rows = []
        for event in json.loads(content)[:limit]:
            timings = [
                (datetime.fromisoformat(t["begin"]), datetime.fromisoformat(t["end"]))
                for t in json.loads(event["timings"])
            ]
            point = event["location_coordinates"]
            rows.append(
                (event["title_fr"], event["longdescription_fr"], event["location_name"], event["location_address"],
                 point["lat"], point["lon"], timings)
            )  # fmt: skip
    with transaction.atomic():
        for title, description, place, address, latitude, longitude, sessions in rows:
            venue = Venue.objects.filter(city=city, name=place, latitude=latitude, longitude=longitude).first()
            if venue is None:
                venue = Venue.objects.create(
                    city=city, name=place, address=address, latitude=latitude, longitude=longitude
                )
            opportunity = Opportunity(
                city=city, organisation=organisation, title_fr=title, description_fr=description,
                kind="workshop", venue=venue, status="published",
            )  # fmt: skip
            opportunity.full_clean()
            opportunity.save()
            opportunity.building_blocks.add(block)
            opportunity.languages.add(french)
            for start, end in sessions:
                Session.objects.create(opportunity=opportunity, start=start, end=end)
    return len(rows)


def progress(message: str) -> None:
    print(f"   {message}", file=sys.stderr, flush=True)


def report(results: dict[str, dict[str, Any]], arguments: argparse.Namespace) -> None:
    print(
        f"== Import: {arguments.rows:,} rows per file; baseline on {arguments.naive_rows:,} rows; "
        f"machine: {os.cpu_count()} cores"
    )
    print(
        f"{'engine':<22}{'file':<12}{'step':<26}{'rows':>9}{'seconds':>10}{'rows/s':>10}{'peak MB':>10}"
        f"{'parser MB':>11}{'CPU s':>8}{'parser CPU':>12}{'DB CPU':>8}{'wait s':>8}"
    )
    for measured in results.values():
        for format_name in ("csv", "openagenda"):
            rates = {}
            for step, label in (
                ("draft", "project (drafts)"),
                ("import", "project (published)"),
                ("reimport", "project, same file again"),
                ("naive", "baseline row by row"),
            ):
                data = measured.get(f"{format_name}:{step}")
                if data is None:
                    continue  # not measured (--only)
                rate = data["rows"] / data["seconds"] if data["seconds"] else float("inf")
                rates[step] = rate
                print(
                    f"{measured['engine'][:21]:<22}{format_name:<12}{label:<26}{data['rows']:>9,}"
                    f"{data['seconds']:>10.1f}{rate:>10,.0f}{data['peak_mb']:>10,.0f}"
                    f"{data.get('parser_mb', 0):>11,.0f}{data.get('cpu', 0):>8.1f}"
                    f"{data.get('parser_cpu', 0):>12.1f}{_optional(data.get('db_cpu')):>8}{data.get('wait', 0):>8.1f}"
                )
            for step in ("draft", "import"):
                if f"{format_name}:{step}" not in measured or "naive" not in rates:
                    continue
                ratio = rates[step] / rates["naive"] if rates["naive"] else float("inf")
                peak = measured[f"{format_name}:{step}"]["peak_mb"]
                verdict = "met" if rates[step] >= 5000 and peak < 500 else "NOT met"
                print(
                    f"{'':<22}{format_name:<12}{step}: project ÷ baseline {ratio:.1f}×; "
                    f"target ≥ 5,000 rows/s and < 500 MB: {verdict}"
                )


def _optional(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f}"


if __name__ == "__main__":
    main()

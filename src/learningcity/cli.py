"""The `learningcity` command: everything an operator does, from set-up to serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

ENVIRONMENT_HELP = "Reads its settings from environment variables (see docs/configuration.md)."


def setup_django() -> None:
    """Load the settings and the apps once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
    import django

    django.setup()


def fail(message: str) -> None:
    """Stop with a clear message and a non-zero exit code."""
    raise click.ClickException(message)


@click.group(help=f"Run a learning city. {ENVIRONMENT_HELP}")
@click.version_option(package_name="learningcity")
def main() -> None:
    """The command group."""


@main.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # only used with CACHE_URL=db://…
    click.echo("Database is up to date.")


@main.command("demo-city")
@click.option(
    "--size",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 5_000_000),
    help="Number of learning opportunities.",
)
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same seed gives the same city.")
@click.option("--residents", default=2000, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option("--if-missing", is_flag=True, help="Do nothing when the demo city is already loaded.")
def demo_city(size: int, seed: int, residents: int, if_missing: bool) -> None:
    """Generate the demo learning city (deterministic for a seed)."""
    setup_django()
    from django.core.management import call_command

    from learningcity.demo.generator import build_demo_city, demo_city_loaded

    call_command("migrate", interactive=False, verbosity=0)
    if demo_city_loaded():
        if if_missing:
            click.echo("The demo city is already loaded.")
            return
        fail("The demo city is already loaded; use a fresh database (DATABASE_URL) to build another.")
    summary = build_demo_city(size=size, seed=seed, residents=residents, progress=click.echo)
    click.echo(
        f"Built {summary.opportunities:,} opportunities, {summary.sessions:,} sessions, "
        f"{summary.organisations:,} organisations, {summary.venues:,} venues, {summary.residents:,} residents "
        f"in {summary.seconds:.1f} s."
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HOST")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), envvar="PORT")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), envvar="WEB_WORKERS")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web site and API with gunicorn."""
    collect_static()
    os.execv(sys.executable, gunicorn_command(host, port, workers))  # noqa: S606 (our own interpreter)


def collect_static() -> None:
    """Gather and compress static files into var/static, where WhiteNoise serves them from."""
    setup_django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line for this instance."""
    return [
        sys.executable, "-m", "gunicorn", "learningcity.wsgi:application", "--bind", f"{host}:{port}",
        "--config", "python:learningcity.gunicorn_config",  # threads, timeouts, warm-up before forking
        "--workers", str(workers), "--access-logfile", "-", "--graceful-timeout", "5",
        "--preload",  # load the app (and the search snapshot) once, before forking the workers
    ]  # fmt: skip


@main.command()
def worker() -> None:
    """Run the background task worker (database-backed queue); it takes back the jobs of workers that died."""
    setup_django()
    from learningcity.tasks_recovery import worker_run

    worker_run(interval=1.0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HOST")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), envvar="PORT")
@click.option("--size", default=8000, show_default=True, type=click.IntRange(1, 5_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
def demo(host: str, port: int, size: int, seed: int) -> None:
    """Load the demo city if needed, start the worker and serve it (Ctrl-C stops everything)."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from learningcity.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, build_demo_city, demo_city_loaded

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    collect_static()
    if demo_city_loaded():
        click.echo("The demo city is already loaded.")
    else:
        click.echo("Building the demo city (once)...")
        build_demo_city(size=size, seed=seed, progress=click.echo)
    # Both children are this interpreter running our own modules; no outside input reaches the command lines.
    children = [
        subprocess.Popen([sys.executable, "-m", "learningcity.cli", "worker"]),
        # The demo's coordinator and admin log in with the printed password alone (a real city keeps two-factor on).
        subprocess.Popen(  # noqa: S603
            gunicorn_command(host, port, 2),
            env={**os.environ, "TWO_FACTOR_REQUIRED": os.environ.get("TWO_FACTOR_REQUIRED", "false")},
        ),
    ]
    stop = _stopper(children)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    url = f"http://{host}:{port}/"
    _wait_until_up(url + "healthz", children)
    click.echo(f"\nlearningcity is running at {url}  (Ctrl-C to stop)\n")
    click.echo("Two-factor authentication is off on this demo server (TWO_FACTOR_REQUIRED=false).")
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for role, email in DEMO_LOGINS:
        click.echo(f"  {role:<32} {email}")
    _supervise(children, stop)


def _stopper(children: list[subprocess.Popen[bytes]]) -> Callable[..., None]:
    def stop(*_args: Any) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    return stop


def _wait_until_up(url: str, children: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            fail("A process of the demo stopped while starting; see the messages above.")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own localhost URL)
                return
        except OSError:
            time.sleep(0.3)
    fail(f"The server did not answer at {url} within {timeout:.0f} s.")


def _supervise(children: list[subprocess.Popen[bytes]], stop: Callable[..., None]) -> None:
    while True:
        for child in children:
            if child.poll() is not None:
                click.echo(f"A demo process exited with code {child.returncode}; stopping.", err=True)
                stop()
        time.sleep(0.5)


@main.command()
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), default="docs/openapi.json", show_default=True
)
@click.option("--check", is_flag=True, help="Fail if the file differs from what the code generates.")
def openapi(output: str, check: bool) -> None:
    """Write (or check) the committed OpenAPI document of the API."""
    setup_django()
    from learningcity.api import openapi_document

    document = openapi_document()
    if check:
        try:
            with open(output, encoding="utf-8") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = ""
        if current != document:
            fail(f"{output} is out of date: run `learningcity openapi --output {output}` and commit it.")
        click.echo(f"{output} is up to date.")
        return
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(document)
    click.echo(f"Wrote {output}.")


@main.command("access")
@click.option(
    "--areas",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="GeoJSON FeatureCollection of small areas (polygons or points, WGS84).",
)
@click.option(
    "--population-property",
    default="population",
    show_default=True,
    help="Property of each area holding its population.",
)
@click.option(
    "--venues",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of venues: longitude, latitude, supply (places or hours), optional id and name.",
)
@click.option("--supply-property", default="", help="Use this property of each area as supply at its centre instead.")
@click.option(
    "--measure", type=click.Choice(["2sfca", "e2sfca", "gravity", "nearest"]), default="2sfca", show_default=True
)
@click.option(
    "--max-cost",
    type=click.FloatRange(min=0, min_open=True),
    default=800,
    show_default=True,
    help="Catchment: metres (straight line or network), or minutes with --travel-times.",
)
@click.option("--threshold", type=float, help="Desert threshold (default: max cost for nearest, else 1/4 of mean).")
@click.option(
    "--network",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OpenStreetMap .pbf extract: walking-network distances instead of straight lines.",
)
@click.option(
    "--travel-times",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV origin,destination,cost (minutes) from an external router; ids of areas and venues.",
)
@click.option("--output-geojson", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--output-csv", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def access_command(**options: Any) -> None:
    """Learning deserts: spatial access of small areas to learning (2SFCA, enhanced 2SFCA, gravity, nearest)."""
    from learningcity.monitoring import access_files as files

    try:
        areas, venues, query, costs = _access_inputs(options)
        result = files.analyse_files(areas, venues, query, costs)
        files.write_outputs(areas, result, options["output_geojson"], options["output_csv"])
    except (files.InputError, ValueError) as error:
        fail(str(error))
    people = float(areas.population.sum())
    click.echo(f"{len(areas.features):,} areas, {people:,.0f} inhabitants, {len(venues):,} venues with supply.")
    click.echo(f"Within a 10-minute walk (800 m) of a venue: {100 * result.within_walk_share:.1f} % of inhabitants.")
    click.echo(
        f"In learning deserts ({options['measure']}, threshold {result.threshold:.4g}): "
        f"{result.desert_population:,.0f} inhabitants ({100 * result.desert_population / (people or 1):.1f} %)."
    )


def _access_inputs(options: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """Areas, venues, the query and (for network or table costs) the cost matrix."""
    import pandas as pd

    from learningcity.monitoring import access_files as files

    if bool(options["venues"]) == bool(options["supply_property"]):
        fail("Give either --venues FILE or --supply-property NAME.")
    if options["network"] and options["travel_times"]:
        fail("Give --network or --travel-times, not both.")
    areas = files.read_areas(options["areas"], options["population_property"])
    if options["venues"]:
        venues = files.read_venues(options["venues"])
    else:
        venues, blank = files.venues_from_areas(areas, options["supply_property"])
        if blank:
            click.echo(f"{blank:,} areas give no '{options['supply_property']}': they count as offering nothing.")
    query = files.FileQuery(measure=options["measure"], max_cost=options["max_cost"], threshold=options["threshold"])
    costs = None
    if options["network"]:
        from analytics.network import network_costs, read_walking_network

        network = read_walking_network(options["network"])
        targets = venues[["longitude", "latitude"]].to_numpy(dtype=float)
        costs = network_costs(network, areas.lonlat, targets, max(query.max_cost, 800.0))
    elif options["travel_times"]:
        table = pd.read_csv(options["travel_times"], dtype={"origin": str, "destination": str})
        from analytics.access import costs_from_table

        costs = costs_from_table(table, files.area_ids(areas), venues["id"].astype(str), query.max_cost)
    return areas, venues, query, costs


def _city(slug: str | None) -> Any:
    from learningcity.catalogue.models import City
    from learningcity.catalogue.selectors import current_city

    city = City.objects.filter(slug=slug).first() if slug else current_city()
    if city is None:
        fail(f"No city {slug!r}: create it first (or load the demo city)." if slug else "No city yet.")
    return city


@main.command("install-indicators")
@click.option("--city", "city_slug", help="City slug (default: the instance's city).")
def install_indicators(city_slug: str | None) -> None:
    """Give the city the framework's default indicators it does not track yet."""
    setup_django()
    from learningcity.monitoring.services import indicators_install

    city = _city(city_slug)
    added = indicators_install(city=city)
    click.echo(f"{added} indicators added to {city.name}.")


@main.command("import-statistics")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--city", "city_slug", help="City slug (default: the instance's city).")
@click.option("--indicator", help="The indicator of every row, when the file has no indicator column.")
def import_statistics_command(path: Path, city_slug: str | None, indicator: str | None) -> None:
    """Import official statistics from CSV (indicator, area, year, value, source): all rows or none."""
    setup_django()
    from django.core.exceptions import ValidationError

    from learningcity.monitoring.services import statistics_import

    if path.stat().st_size > 50 * 1024 * 1024:
        fail(f"{path.name} is larger than 50 MiB.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")  # spreadsheets often export Latin-1
    try:
        created, updated = statistics_import(city=_city(city_slug), csv_text=text, indicator=indicator)
    except ValidationError as error:
        fail(" ".join(error.messages))
    click.echo(f"{created} values created, {updated} updated.")


@main.command()
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--city", "city_slug", help="City slug (default: the instance's city).")
def report(year: int, fmt: str, output: Path, language: str, city_slug: str | None) -> None:
    """The progress report for the UNESCO network, as PDF or HTML."""
    setup_django()
    from learningcity.monitoring.report import report_html, report_pdf

    html = report_html(_city(city_slug), year, language)
    if fmt == "html":
        output.write_text(html, encoding="utf-8")
    else:
        output.write_bytes(report_pdf(html))
    click.echo(f"Wrote {output}.")


@main.command("follow-ups")
def follow_ups() -> None:
    """Queue the follow-up question e-mails now due (run daily, e.g. from cron; the worker sends them)."""
    setup_django()
    from django.db import transaction

    from learningcity.monitoring.services import follow_ups_enqueue

    with transaction.atomic():
        queued = follow_ups_enqueue()
    click.echo(f"{queued} follow-up e-mails queued.")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (e.g. `learningcity manage createsuperuser`)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["learningcity manage", *args])


if __name__ == "__main__":
    main()


@main.group("search")
def search_group() -> None:
    """The search index: rebuild it, or search from the command line."""


@search_group.command("rebuild")
@click.option("--city", "city_slug", help="City slug (default: every city).")
def search_rebuild(city_slug: str | None) -> None:
    """Recompute the search index from the catalogue (in one transaction; searches keep working)."""
    setup_django()
    import time

    from learningcity.search.indexing import rebuild

    city = _city(city_slug) if city_slug else None
    started = time.perf_counter()
    count = rebuild(city, progress=lambda done, total: click.echo(f"indexed {done:,}/{total:,}"))
    click.echo(f"Search index rebuilt: {count:,} published listings in {time.perf_counter() - started:.1f} s.")


@search_group.command("query")
@click.argument("parameters", default="")
@click.option("--city", "city_slug", help="City slug (default: the instance's city).")
def search_query(parameters: str, city_slug: str | None) -> None:
    """Run a search as the page would, e.g. `learningcity search query "q=theatre&age=70&free=1"`."""
    setup_django()
    from django.http import QueryDict

    from learningcity.search.forms import SearchForm
    from learningcity.search.selectors import search

    city = _city(city_slug)
    form = SearchForm(QueryDict(parameters), city=city)
    if not form.is_valid():
        fail("; ".join(f"{error['field'] or 'query'}: {error['message']}" for error in form.errors_by_field()))
    result = search(city, form.params())
    if result.corrected_text:
        click.echo(f"Showing results for: {result.corrected_text}")
    click.echo(f"{result.total:,} results")
    for opportunity in result.opportunities:
        click.echo(f"{opportunity.pk}\t{opportunity.title_fr or opportunity.title_en}\t{opportunity.organisation.name}")


@main.group("credits")
def credits_group() -> None:
    """Learning credit: expire ended schemes, check the ledger."""


@credits_group.command("expire")
def credits_expire() -> None:
    """Expire the credit left in schemes that have ended (run daily, e.g. from cron; idempotent)."""
    setup_django()
    from learningcity.credits.services import schemes_expire

    click.echo(f"{schemes_expire()} € of credit expired.")


@credits_group.command("check")
@click.option("--city", "city_slug", help="City slug (default: every city).")
def credits_check(city_slug: str | None) -> None:
    """Check that every balance equals the sum of its ledger entries; fail if one does not."""
    setup_django()
    from learningcity.credits.selectors import ledger_discrepancies

    wrong = ledger_discrepancies(city=_city(city_slug) if city_slug else None)
    for account in wrong:
        entries = account.entry_sum  # type: ignore[attr-defined]
        click.echo(f"account {account.pk} ({account.user.email}): balance {account.balance} € ≠ entries {entries} €")
    if wrong:
        fail(f"{len(wrong)} accounts disagree with their ledger entries.")
    click.echo("Every balance equals the sum of its ledger entries.")


@main.group("enrolment")
def enrolment_group() -> None:
    """Registrations: expire unanswered offers of a place, send tomorrow's reminders."""


@enrolment_group.command("expire-offers")
def enrolment_expire_offers() -> None:
    """Give places offered and not confirmed in time to the next people waiting (run every few minutes; idempotent)."""
    setup_django()
    from learningcity.enrolment.services import offers_expire, waitlists_promote

    click.echo(f"{offers_expire()} offers expired.")
    click.echo(f"{waitlists_promote()} places offered to people waiting.")


@enrolment_group.command("send-reminders")
def enrolment_send_reminders() -> None:
    """Queue the reminders of tomorrow's sessions (run daily, e.g. from cron; nobody is reminded twice)."""
    setup_django()
    from django.db import transaction

    from learningcity.enrolment.services import reminders_enqueue

    with transaction.atomic():
        queued = reminders_enqueue()
    click.echo(f"{queued} reminders queued.")


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["csv", "xlsx", "ics", "openagenda", "lheo", "hsds"]),
    required=True,
    help="The file's format.",
)
@click.option("--organisation", "organisation_id", type=int, help="Import every listing into this organisation.")
@click.option("--dry-run", is_flag=True, help="Check the file and print what would change; write nothing.")
@click.option(
    "--status",
    "target_status",
    type=click.Choice(["draft", "pending", "published"]),
    default="draft",
    show_default=True,
    help="State of the listings the import creates.",
)
@click.option("--skip-rejected", is_flag=True, help="Import the valid rows even if some are rejected.")
@click.option("--source", default="", help="Name of the source (default: the format and the organisation).")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV/XLSX: a JSON object {column heading: field} (default: guessed from the headings).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the per-row report to this CSV file.",
)
@click.option("--city", "city_slug", help="City slug (default: the instance's city).")
def import_command(
    path: Path,
    format_name: str,
    organisation_id: int | None,
    dry_run: bool,
    target_status: str,
    skip_rejected: bool,
    source: str,
    mapping_path: Path | None,
    report_path: Path | None,
    city_slug: str | None,
) -> None:
    """Import listings from a file: all rows or none (see --skip-rejected); re-importing changes nothing."""
    setup_django()
    import json

    from django.conf import settings
    from django.core.exceptions import ValidationError

    from learningcity.catalogue.models import Organisation
    from learningcity.interop.pipeline import REJECTED, run_import
    from learningcity.interop.records import ParseOptions

    city = _city(city_slug)
    organisation = None
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id, city=city).first()
        if organisation is None:
            fail(f"No organisation {organisation_id} in {city.name}.")
    if path.stat().st_size > settings.IMPORT_MAX_BYTES:
        fail(f"{path.name} is larger than {settings.IMPORT_MAX_BYTES // 1_048_576} MiB (IMPORT_MAX_BYTES).")
    content = path.read_bytes()
    options = ParseOptions(time_zone=city.time_zone)
    if mapping_path and format_name in {"csv", "xlsx"}:  # without it, the parser guesses from the headings
        try:
            mapping = json.loads(mapping_path.read_text(encoding="utf-8"))
        except ValueError as error:
            fail(f"{mapping_path.name}: {error}")
        if not isinstance(mapping, dict):
            fail("The mapping must be a JSON object {column heading: field}.")
        options.mapping = {str(key): str(value) for key, value in mapping.items()}
    try:
        result = run_import(
            city=city,
            format=format_name,
            content=content,
            organisation=organisation,
            source=source,
            target_status=target_status,
            dry_run=dry_run,
            skip_rejected=skip_rejected,
            options=options,
            progress=lambda done: click.echo(f"{done:,} rows checked", err=True),
        )
    except ValidationError as error:
        fail(" ".join(error.messages))
    if not dry_run:  # the web processes stop serving their cached public pages (a bulk write sends no signals)
        from learningcity.public_cache import catalogue_changed

        catalogue_changed()
    if report_path:
        _write_import_report(report_path, result.rows)
    if result.file_error:
        fail(f"{path.name}: {result.file_error} Nothing was written.")
    counts = result.counts
    click.echo(", ".join(f"{counts[name]} {name}" for name in ("created", "updated", "unchanged", "rejected")))
    for row in [row for row in result.rows if row["outcome"] == REJECTED][:20]:
        reasons = "; ".join(
            f"{error['field']}: {error['reason']}" if error["field"] else error["reason"] for error in row["errors"]
        )
        click.echo(f"  line {row['line']}: {reasons}", err=True)
    if counts[REJECTED] > 20:
        click.echo(f"  ... and {counts[REJECTED] - 20} more rejected rows (see --report).", err=True)
    if dry_run:
        click.echo("Dry run: nothing was written.")
    elif result.committed:
        click.echo("Imported.")
    else:
        fail("Some rows were rejected, so nothing was written (use --skip-rejected to import the others).")


def _write_import_report(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv

    from learningcity.spreadsheets import safe_cell

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "external_id", "outcome", "title", "field", "reason", "opportunity_id"])
        for row in rows:
            for error in row["errors"] or [{"field": "", "reason": ""}]:
                writer.writerow(
                    [
                        row["line"],
                        safe_cell(row["external_id"]),
                        row["outcome"],
                        safe_cell(row["title"]),
                        error["field"],
                        safe_cell(error["reason"]),
                        row.get("opportunity_id") or "",
                    ]
                )


@main.command("export")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["hsds", "lheo", "csv", "parquet", "ics"]),
    required=True,
    help="hsds (Open Referral 3.0), lheo (LHÉO 2.3 XML), csv or parquet (listings and sessions), ics (iCalendar).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The file to write, or an existing folder (csv and parquet write two files: listings and sessions).",
)
@click.option("--city", "city_slug", help="City slug (default: the instance's city).")
def export_command(format_name: str, output: Path, city_slug: str | None) -> None:
    """Export the city's public catalogue (published listings only); see docs/interop-exports.md."""
    setup_django()
    from learningcity.interop.exports.registry import ExportUnavailableError, export

    city = _city(city_slug)
    started = time.time() - 1  # file times may be rounded to the second
    try:
        folder = output if output.is_dir() else output.parent
        if not folder.is_dir():
            fail(f"The folder {folder} does not exist.")
        if not os.access(folder, os.W_OK):
            fail(f"Cannot write in {folder}.")
        count = export(format_name, city, output)
    except ExportUnavailableError as error:
        fail(str(error))
    except OSError as error:
        fail(f"Cannot write {error.filename or output}: {error.strerror or error}.")
    click.echo(f"Exported {count:,} items of {city.name} as {format_name}.")
    for path in _files_written(output, since=started):
        click.echo(f"Wrote {path} ({path.stat().st_size:,} bytes).")


def _files_written(output: Path, *, since: float) -> list[Path]:
    """What an export just wrote: files in the output folder, or the output file and its siblings (x-sessions.csv)."""
    if output.is_dir():
        candidates = list(output.rglob("*"))
    else:
        candidates = [path for path in output.parent.iterdir() if path.name.startswith(output.stem)]
    return sorted(path for path in candidates if path.is_file() and path.stat().st_mtime >= since)


@main.group("curation")
def curation_group() -> None:
    """Quality of the catalogue: likely duplicates across sources."""


@curation_group.command("find-duplicates")
@click.option("--city", "city_slug", help="City slug (default: the instance's city).")
def curation_find_duplicates(city_slug: str | None) -> None:
    """Look for likely duplicate listings (similar title, same place, overlapping dates) for the coordinators."""
    setup_django()
    from learningcity.interop.curation_services import find_duplicates_command

    found = find_duplicates_command(_city(city_slug))
    click.echo(f"{found} likely duplicates waiting for a coordinator's decision.")


@main.command("import-subscriptions")
def import_subscriptions() -> None:
    """Fetch every followed calendar (.ics address) and import it (run it from cron; needs IMPORT_FETCH_URLS)."""
    setup_django()
    from learningcity.interop.subscriptions import fetching_allowed, refresh_all

    if not fetching_allowed():
        fail("This instance does not fetch addresses on the network: set IMPORT_FETCH_URLS=true.")
    click.echo(f"{refresh_all()} calendars fetched.")


def _register_passport() -> None:
    """`learningcity passport …`: awarding from a CSV, key rotation and encryption (passport/cli.py)."""
    from learningcity.passport.cli import passport

    main.add_command(passport)


_register_passport()


def _register_operations() -> None:
    """The operators' commands of the hardening pass: privacy and retention, API tokens, backup and restore."""
    from learningcity.accounts.token_cli import api_token
    from learningcity.backup import backup, restore
    from learningcity.privacy.cli import privacy

    for command in (privacy, api_token, backup, restore):
        main.add_command(command)


_register_operations()

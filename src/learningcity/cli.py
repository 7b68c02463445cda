"""The `learningcity` command: everything an operator does, from set-up to serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
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
        "--workers", str(workers), "--access-logfile", "-", "--graceful-timeout", "5",
    ]  # fmt: skip


@main.command()
def worker() -> None:
    """Run the background task worker (database-backed queue)."""
    setup_django()
    from django.core.management import call_command

    call_command("db_worker", interval=1.0)


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
    collect_static()
    if demo_city_loaded():
        click.echo("The demo city is already loaded.")
    else:
        click.echo("Building the demo city (once)...")
        build_demo_city(size=size, seed=seed, progress=click.echo)
    # Both children are this interpreter running our own modules; no outside input reaches the command lines.
    children = [
        subprocess.Popen([sys.executable, "-m", "learningcity.cli", "worker"]),
        subprocess.Popen(gunicorn_command(host, port, 2)),  # noqa: S603
    ]
    stop = _stopper(children)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    url = f"http://{host}:{port}/"
    _wait_until_up(url + "healthz", children)
    click.echo(f"\nlearningcity is running at {url}  (Ctrl-C to stop)\n")
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


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (e.g. `learningcity manage createsuperuser`)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["learningcity manage", *args])


if __name__ == "__main__":
    main()

"""Load benchmark: the production set-up on this machine under a mix of searches, pages and registrations.

    .venv/bin/python bench/load_benchmark.py                    # 10 minutes, then a 60 s baseline
    .venv/bin/python bench/load_benchmark.py --duration 60      # a short try

One command does everything, on 127.0.0.1 only, and stops everything it started (also on Ctrl-C):

1. a throwaway PostgreSQL 15 (scripts/with-postgres.sh) with a production configuration (durable commits,
   shared_buffers, work_mem... see PG_SETTINGS below), the demo city built into it at a realistic size
   (`learningcity demo-city --size 50000 --residents 20000`), static files collected, DEBUG off;
2. an SMTP sink (aiosmtpd), the task worker (`learningcity worker`, which sends the confirmation e-mails of
   the registrations) and gunicorn with --preload (`learningcity.wsgi`), as docs/deployment.md sets them up;
3. wrk (Debian's package, installed when missing) with bench/load/mix.lua: 70 % searches, 20 % pages, 10 %
   registrations by logged-in residents (bench/load/prepare.py), paced at --rate requests per second (0:
   as fast as the server answers) over --connections connections;
4. the baseline first, in the same run: the same mix against gunicorn with ONE sync worker (one request at a
   time, as Django's runserver without threads), for --baseline-duration seconds; then the project;
5. the report: throughput, p50/p95/p99 latency per kind, answers, errors (non-2xx/3xx HTTP answers, except
   a registration refused for a business reason such as 409; socket errors and time-outs), the memory (RSS
   and PSS) of gunicorn, the task worker and PostgreSQL every --sample-every seconds,
   the tasks left in the queue, and whether the target is met: >= 300 requests/s, p95 < 200 ms, no error,
   memory flat within 10 % (the mean PSS of the second half of the samples against the first half's).

API rate limits are off in the server's environment for the benchmark (API_RATE_LIMIT_ANONYMOUS=0,
API_RATE_LIMIT_AUTHENTICATED=0: thousands of requests come from one loopback address) and residents are
logged in beforehand through the session engine (no login form, so no lockout); the output says so.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from load import processes, results  # noqa: E402 (bench/ is put on the path just above)
from load.prepare import prepare  # noqa: E402

TARGET_RATE, TARGET_P95_MS, MEMORY_DRIFT = 300.0, 200.0, 0.10
WORKER_NICENESS = 10  # as docs/deployment.md's systemd unit of the task worker
# A production-like PostgreSQL (scripts/with-postgres.sh turns durability off for tests: turned back on here).
PG_SETTINGS = (
    "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c shared_buffers=512MB "
    "-c effective_cache_size=2GB -c work_mem=16MB -c maintenance_work_mem=256MB -c max_connections=100 "
    "-c random_page_cost=1.1 -c effective_io_concurrency=200 -c wal_buffers=16MB -c checkpoint_timeout=15min "
    "-c max_wal_size=2GB -c jit=off"
)
BENCHMARK_ENVIRONMENT = {
    "API_RATE_LIMIT_ANONYMOUS": "0",  # one loopback address sends everything: per-client limits off
    "API_RATE_LIMIT_AUTHENTICATED": "0",
    "PASSPORT_VERIFICATIONS_PER_MINUTE": "1000000",
    "SECURE_COOKIES": "false",  # plain HTTP on loopback (production: true, behind TLS)
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
}


def main() -> None:
    arguments = parse_arguments()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        environment = {**os.environ, "PG_SETTINGS": f"{PG_SETTINGS} {os.environ.get('PG_SETTINGS', '')}"}
        command = [str(ROOT / "scripts" / "with-postgres.sh"), sys.executable, __file__, *sys.argv[1:]]
        sys.exit(subprocess.run(command, env=environment, check=False).returncode)  # noqa: S603 (our own script)
    ensure_wrk()
    started = processes.Started()
    with tempfile.TemporaryDirectory(prefix="load-bench-") as directory:
        try:
            run(arguments, Path(directory), started)
        except KeyboardInterrupt:
            print("\ninterrupted: stopping everything", file=sys.stderr)
        finally:
            started.stop_all()
            if arguments.keep_logs and (Path(directory) / "logs").exists():
                shutil.copytree(Path(directory) / "logs", arguments.keep_logs, dirs_exist_ok=True)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--duration", type=int, default=600, help="seconds of the measured project run (max 3600)")
    add("--baseline-duration", type=int, default=60, help="seconds of the baseline run (0: none)")
    add("--warm-up", type=int, default=60, help="seconds of unmeasured traffic before each run (caches fill)")
    add("--rate", type=float, default=330.0, help="requests per second to send (0: as fast as answered)")
    add("--connections", type=int, default=64, help="concurrent connections (one wrk thread each)")
    add("--workers", type=int, default=4, help="gunicorn worker processes")
    add("--threads", type=int, default=4, help="threads per gunicorn worker")
    add("--size", type=int, default=50_000, help="opportunities in the demo city")
    add("--residents", type=int, default=20_000, help="resident accounts in the demo city")
    add("--logged-in", type=int, default=5_000, help="residents logged in for registrations")
    add(
        "--keep-alive", action="store_true",
        help="keep each connection open between requests (default: one connection per request, as behind nginx)",
    )  # fmt: skip
    add("--costs", action="store_true", help="also count gunicorn's CPU time per kind of request")
    add("--sample-every", type=int, default=30, help="seconds between memory samples")
    add("--keep-logs", type=Path, help="copy the servers' logs to this directory")
    arguments = parser.parse_args()
    arguments.duration = max(5, min(arguments.duration, 3600))
    arguments.baseline_duration = max(0, min(arguments.baseline_duration, 600))
    return arguments


def ensure_wrk() -> None:
    """Install Debian's wrk when it is missing (this is a benchmark, not CI)."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    progress("installing wrk (apt-get)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)  # noqa: S607


def progress(message: str) -> None:
    print(f"   {message}", file=sys.stderr, flush=True)


def server_environment(directory: Path) -> dict[str, str]:
    """The production settings of the server and the worker (DEBUG off, real SMTP, the same secret key)."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "learningcity.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LEARNINGCITY_VAR_DIR": str(directory / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **BENCHMARK_ENVIRONMENT,
    }
    return environment


def run(arguments: argparse.Namespace, directory: Path, started: processes.Started) -> None:
    environment = server_environment(directory)
    os.environ.update(environment)
    logs = directory / "logs"
    logs.mkdir()
    cli = [processes.python(), "-m", "learningcity.cli"]
    progress(f"building the demo city ({arguments.size:,} opportunities, {arguments.residents:,} residents)")
    subprocess.run(  # noqa: S603 (our own command)
        [*cli, "demo-city", "--if-missing", "--size", str(arguments.size), "--residents", str(arguments.residents)],
        env=environment, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    progress("collecting static files")
    subprocess.run([*cli, "manage", "collectstatic", "--noinput", "-v0"], env=environment, check=True)  # noqa: S603
    import django

    django.setup()
    per_second = arguments.rate or 1000.0
    needed = int(per_second * 0.1 * 1.3)
    progress(f"preparing requests and logging in {arguments.logged_in:,} residents")
    files = prepare(
        directory,
        runs={
            "baseline-warm-up": needed * min(arguments.warm_up, 15) // 4 + 10,
            "baseline": needed * arguments.baseline_duration // 4 + 10,
            "warm-up": needed * arguments.warm_up + 10,
            "project": needed * arguments.duration + 10,
        },
        residents=arguments.logged_in,
    )
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_setting('shared_buffers'), version()")
        backend, shared_buffers, version = cursor.fetchone()
    postmaster = processes.parent_of(backend)
    connections.close_all()

    sink_port = processes.free_port()
    sink = started.start(
        [processes.python(), "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{sink_port}"],
        env=environment, log=logs / "smtp.log",
    )  # fmt: skip
    processes.wait_for_port(sink_port, sink)
    environment["EMAIL_URL"] = f"smtp://127.0.0.1:{sink_port}"
    # Niced as in the worker's systemd unit (docs/deployment.md, Nice=10): e-mails wait a moment, pages do not.
    niced = ["nice", "-n", str(WORKER_NICENESS)]
    worker = started.start([*niced, *cli, "worker"], env=environment, log=logs / "worker.log")

    measured: dict[str, Any] = {}
    if arguments.baseline_duration:
        progress(f"baseline: gunicorn 1 sync worker, {arguments.baseline_duration} s")
        measured["baseline"] = serve_and_load(
            arguments, environment, started, logs, name="baseline", workers=1, threads=1,
            files=(files["baseline-warm-up"], files["baseline"]), duration=arguments.baseline_duration,
            watch={"task worker": worker.pid, "PostgreSQL": postmaster},
        )  # fmt: skip
    progress(f"project: gunicorn {arguments.workers} workers x {arguments.threads} threads, {arguments.duration} s")
    measured["project"] = serve_and_load(
        arguments, environment, started, logs, name="project", workers=arguments.workers, threads=arguments.threads,
        files=(files["warm-up"], files["project"]), duration=arguments.duration,
        watch={"task worker": worker.pid, "PostgreSQL": postmaster},
    )  # fmt: skip
    backlog = tasks_left()
    started.stop(worker)
    started.stop(sink)
    context = {
        "version": version.split(",")[0], "shared_buffers": shared_buffers, "backlog": backlog,
        "prepared": files["counts"],
    }  # fmt: skip
    report(arguments, measured, context)


def gunicorn(port: int, workers: int, threads: int, *, costs: bool = False) -> list[str]:
    """The gunicorn command of docs/deployment.md (learningcity/gunicorn_config.py; no access log: nginx keeps one).

    With `costs`, the same settings plus CPU time counted per kind of request (bench/load/gunicorn_costs.py).
    """
    config = "load.gunicorn_costs" if costs else "learningcity.gunicorn_config"
    return [
        processes.python(), "-m", "gunicorn", "learningcity.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--config", f"python:{config}", "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync",
    ]  # fmt: skip


def serve_and_load(
    arguments: argparse.Namespace,
    environment: dict[str, str],
    started: processes.Started,
    logs: Path,
    *,
    name: str,
    workers: int,
    threads: int,
    files: tuple[Path, Path],
    duration: int,
    watch: dict[str, int],
) -> dict[str, Any]:
    """Start gunicorn, warm it up, load it for `duration` s while sampling memory, stop it."""
    port = processes.free_port()
    costs = arguments.costs and name == "project"
    costs_directory = logs / "costs"
    if costs:
        costs_directory.mkdir(exist_ok=True)
        environment = {
            **environment, "LOAD_COSTS_DIRECTORY": str(costs_directory),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench"), environment.get("PYTHONPATH")])),
        }  # fmt: skip
    command = gunicorn(port, workers, threads, costs=costs)
    server = started.start(command, env=environment, log=logs / f"gunicorn-{name}.log")
    base = f"http://127.0.0.1:{port}"
    processes.wait_for(f"{base}/healthz", server)
    check_answers(base)
    rate = arguments.rate if name == "project" else 0.0  # the baseline goes as fast as it can
    warm_up = arguments.warm_up if name == "project" else min(arguments.warm_up, 15)
    if warm_up:
        wrk(base, files[0], arguments, warm_up, rate, logs / f"{name}-warm-up.out")
    groups = {"gunicorn": server.pid, **watch}
    samples: list[tuple[float, dict[str, tuple[float, float]]]] = []
    stop = threading.Event()
    interval = max(1, min(arguments.sample_every, duration // 4 or 1))

    def sample() -> None:
        begun = time.monotonic()
        while True:
            snapshot = {group: processes.memory(processes.descendants(pid)) for group, pid in groups.items()}
            samples.append((time.monotonic() - begun, snapshot))
            if stop.wait(interval):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load_average = os.getloadavg()
    cpu_before = {group: processes.cpu_seconds(processes.descendants(pid)) for group, pid in groups.items()}
    web_processes = processes.descendants(server.pid)
    web_before = [processes.cpu_seconds([pid]) for pid in web_processes]
    out = logs / f"{name}.out"
    if costs:
        (costs_directory / "measuring").touch()
    wrk(base, files[1], arguments, duration, rate, out)
    if costs:
        (costs_directory / "measuring").unlink()
    cpu = {g: processes.cpu_seconds(processes.descendants(p)) - cpu_before[g] for g, p in groups.items()}
    web_cpu = [processes.cpu_seconds([pid]) - before for pid, before in zip(web_processes, web_before, strict=True)]
    stop.set()
    sampler.join()
    samples.append((float(duration), {g: processes.memory(processes.descendants(p)) for g, p in groups.items()}))
    started.stop(server)
    return {
        "costs": read_costs(costs_directory) if costs else None,
        "run": results.read(name, out), "samples": samples, "workers": workers, "threads": threads, "rate": rate,
        "load_before": load_average, "load_after": os.getloadavg(), "cpu": cpu, "web_cpu": web_cpu,
    }  # fmt: skip


def read_costs(directory: Path) -> dict[str, tuple[int, float]]:
    """Requests and CPU seconds per kind, added up over the gunicorn workers (written when they stopped)."""
    import json

    totals: dict[str, tuple[int, float]] = {}
    for path in directory.glob("*.json"):
        for kind, (count, seconds) in json.loads(path.read_text(encoding="utf-8")).items():
            before = totals.get(kind, (0, 0.0))
            totals[kind] = (before[0] + count, before[1] + seconds)
    return totals


def print_costs(costs: dict[str, tuple[int, float]]) -> None:
    """Where gunicorn's CPU time goes, by kind of request ([kept]: served by the public cache)."""
    everything = sum(seconds for _count, seconds in costs.values()) or 1.0
    print("  gunicorn CPU by kind of request (thread CPU time, --costs):")
    print(f"  {'kind':<40} {'requests':>9} {'ms each':>8} {'share':>6}")
    for kind, (count, seconds) in sorted(costs.items(), key=lambda item: -item[1][1]):
        print(f"  {kind:<40} {count:>9} {seconds * 1000 / max(1, count):>8.2f} {seconds / everything:>6.1%}")


def check_answers(base: str) -> None:
    """The server answers pages with 200 (no redirect to HTTPS, no error): else the numbers would mean nothing."""
    import urllib.request

    for path in ["/fr/", "/fr/search/?q=cuisine", "/api/v1/search?q=cuisine"]:
        with urllib.request.urlopen(base + path, timeout=60) as response:  # noqa: S310 (loopback only)
            if response.status != 200 or response.url != base + path:
                raise SystemExit(f"{path} answered {response.status} at {response.url}: check the settings")


def wrk(base: str, requests_file: Path, arguments: argparse.Namespace, seconds: int, rate: float, out: Path) -> None:
    """Run wrk with mix.lua: one thread per connection (so that latency is timed per kind).

    Unless --keep-alive, each request goes on a new connection: nginx, in front of gunicorn in production
    (docs/deployment.md), opens one per request upstream. Held open by one client, the 64 connections
    would each stay with the gunicorn worker that accepted them, most of them often with one worker.
    """
    connections = arguments.connections
    environment = {
        **os.environ, "LOAD_REQUESTS": str(requests_file), "LOAD_OUT": str(out), "LOAD_RATE": str(rate),
        "LOAD_THREADS": str(connections), "LOAD_CONNECTION_CLOSE": "0" if arguments.keep_alive else "1",
    }  # fmt: skip
    command = [
        "wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
        "-s", str(ROOT / "bench" / "load" / "mix.lua"), base,
    ]  # fmt: skip
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL, timeout=seconds + 120)  # noqa: S603


def tasks_left() -> int:
    """Tasks (e-mails) still waiting in the queue when the project run ends."""
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    try:
        return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
    finally:
        connections.close_all()


def report(arguments: argparse.Namespace, measured: dict[str, Any], context: dict[str, Any]) -> None:
    """Print both runs, the memory over time, and the verdict on each target."""
    print(
        f"\n== Load: {context['version']} (shared_buffers {context['shared_buffers']}, durable commits), demo city "
        f"of {arguments.size:,} opportunities, {os.cpu_count()} CPUs shared by server, database, worker and wrk"
    )
    print(
        "   mix 70 % search (page and API) / 20 % pages / 10 % registrations (POST /api/v1/registrations); "
        f"prepared: {context['prepared']}"
    )
    print(
        "   benchmark-only settings in the server's environment: "
        + ", ".join(f"{k}={v}" for k, v in BENCHMARK_ENVIRONMENT.items())
        + "; residents logged in beforehand (sessions), so login lockout never applies"
    )
    for name, label in [("baseline", "BASELINE: gunicorn, 1 sync worker, as fast as it answers"), ("project", "")]:
        if name not in measured:
            continue
        data = measured[name]
        run = data["run"]
        pace = f"paced at {data['rate']:.0f} req/s" if data["rate"] else "as fast as it answers"
        kind = "gthread" if data["threads"] > 1 else "sync"
        title = (
            label
            or f"PROJECT: gunicorn {data['workers']} workers x {data['threads']} threads ({kind}, --preload), {pace}"
        )
        reuse = "kept open" if arguments.keep_alive else "a new one per request, as nginx opens upstream"
        print(f"\n{title}, {arguments.connections} connections ({reuse}), {run.seconds:.0f} s")
        print(
            f"  throughput {run.rate:.0f} req/s; errors {run.errors()} HTTP + {sum(run.socket_errors.values())} "
            f"socket {run.socket_errors}; load average before/after {data['load_before'][0]:.1f}/"
            f"{data['load_after'][0]:.1f}"
        )
        cost = ", ".join(
            f"{group} {seconds * 1000 / max(1, run.answered):.1f}" for group, seconds in data["cpu"].items()
        )
        print(f"  CPU time per request, ms: {cost} (less sensitive to other load on the machine than latency)")
        spread = " / ".join(f"{seconds:.0f}" for seconds in sorted(data["web_cpu"], reverse=True) if seconds >= 0.5)
        print(f"  CPU seconds of each gunicorn process (master included): {spread}")
        print("\n".join(results.table(run)))
        if data.get("costs"):
            print_costs(data["costs"])
        if data["samples"]:
            print_memory(data["samples"])
    project = measured["project"]
    run = project["run"]
    p95 = results.percentile(run.all_latencies(), 0.95)
    drift = memory_drift(project["samples"])
    groups = ", ".join(f"{g} {memory_drift(project['samples'], g):+.1%}" for g in project["samples"][0][1])
    if "baseline" in measured:
        baseline = measured["baseline"]["run"]
        print(
            f"\nproject / baseline: {run.rate / baseline.rate:.1f}x the throughput; p95 "
            f"{p95:.0f} ms against {results.percentile(baseline.all_latencies(), 0.95):.0f} ms"
        )
    print(f"tasks still queued at the end: {context['backlog']}")
    verdicts = [
        (f"throughput >= {TARGET_RATE:.0f} req/s", run.rate >= TARGET_RATE, f"{run.rate:.0f}"),
        (f"p95 < {TARGET_P95_MS:.0f} ms", p95 < TARGET_P95_MS, f"{p95:.0f} ms"),
        ("no error", run.total_errors() == 0, str(run.total_errors())),
        (
            f"memory flat within {MEMORY_DRIFT:.0%} (total PSS, second half of the samples against the first)",
            abs(drift) <= MEMORY_DRIFT,
            f"{drift:+.1%}; {groups}",
        ),
    ]
    for label, passed, value in verdicts:
        print(f"target {label}: {'PASS' if passed else 'FAIL'} ({value})")


def print_memory(samples: list[tuple[float, dict[str, tuple[float, float]]]]) -> None:
    groups = list(samples[0][1])
    print("  memory, MB (RSS / PSS): " + ", ".join(groups))
    for seconds, snapshot in samples:
        cells = "  ".join(f"{snapshot[g][0]:>7.0f} / {snapshot[g][1]:>6.0f}" for g in groups)
        total = sum(snapshot[g][1] for g in groups)
        print(f"  {seconds:>6.0f} s  {cells}   PSS total {total:>6.0f}")


def memory_drift(samples: list[tuple[float, dict[str, tuple[float, float]]]], group: str | None = None) -> float:
    """How much the total PSS (or one group's) grew: the mean of the second half of the samples against the first's.

    Means of halves, not the first and last samples alone: PostgreSQL's PSS swings by a third from one sample
    to the next as backends come and go (each maps the shared buffers it touched), which says nothing of a
    trend; growth that lasts (a leak) moves the second half's mean.
    """
    totals = [sum(pss for name, (_rss, pss) in snapshot.items() if group in (None, name)) for _s, snapshot in samples]
    half = len(totals) // 2
    if half == 0:
        return 0.0
    first, second = sum(totals[:half]) / half, sum(totals[half:]) / (len(totals) - half)
    return (second - first) / first if first else 0.0


if __name__ == "__main__":
    main()

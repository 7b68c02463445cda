"""Read what `mix.lua` wrote and summarise it: throughput, latency percentiles, answers and errors per kind."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Registration answers refused for a business reason (full, closed, too young...): not server errors.
REFUSED = {409}


@dataclass
class Run:
    """One wrk run: seconds, requests, socket errors, and per kind the latencies (ms) and HTTP statuses."""

    name: str
    seconds: float = 0.0
    requests: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def answered(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]

    def errors(self, kind: str | None = None) -> int:
        """HTTP answers that are neither 2xx nor 3xx (nor, for registrations, a refusal like 409)."""
        kinds = [kind] if kind else list(self.statuses)
        return sum(
            count
            for name in kinds
            for status, count in self.statuses.get(name, Counter()).items()
            if not (200 <= status < 400 or (name == "registration" and status in REFUSED))
        )

    def total_errors(self) -> int:
        return self.errors() + sum(self.socket_errors.values())


def read(name: str, path: Path) -> Run:
    """Parse the file written by mix.lua's done()."""
    run = Run(name)
    for line in path.read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "summary":
            duration, requests, _bytes, connect, read_, write, _status, timeout = (int(x) for x in fields[1:9])
            run.seconds, run.requests = duration / 1e6, requests
            run.socket_errors = {"connect": connect, "read": read_, "write": write, "timeout": timeout}
        elif fields[0] == "latency":
            run.latencies.setdefault(fields[1], []).extend(int(x) / 1000 for x in fields[2].split(","))
        elif fields[0] == "status":
            run.statuses.setdefault(fields[1], Counter())[int(fields[2])] += int(fields[3])
    return run


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))] if ordered else float("nan")


def table(run: Run) -> list[str]:
    """Lines: one per kind and one for everything."""
    lines = [
        f"  {'kind':<13} {'requests':>9} {'share':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}  answers"
    ]
    total = run.answered or 1
    for kind in sorted(run.latencies, key=lambda k: -len(run.latencies[k])):
        lines.append(_row(kind, run.latencies[kind], total, run.statuses.get(kind, Counter())))
    lines.append(_row("all", run.all_latencies(), total, sum(run.statuses.values(), Counter())))
    return lines


def _row(kind: str, values: list[float], total: int, statuses: Counter[int]) -> str:
    answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    return (
        f"  {kind:<13} {len(values):>9} {len(values) / total:>6.0%} {percentile(values, 0.5):>7.1f} "
        f"{percentile(values, 0.95):>7.1f} {percentile(values, 0.99):>7.1f} {max(values, default=float('nan')):>7.0f}"
        f"  {answers}"
    )

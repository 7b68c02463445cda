"""Processes of the load benchmark: start them on loopback, wait for them, measure their memory, stop them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Started:
    """Every process the benchmark started, stopped in reverse order (also on Ctrl-C)."""

    children: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        """Start a command in its own process group, its output in `log`."""
        with log.open("ab") as output:
            child = subprocess.Popen(  # noqa: S603 (our own interpreter, our own modules)
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.children.append(child)
        return child

    def stop(self, child: subprocess.Popen[bytes], timeout: float = 20) -> None:
        """TERM the child's process group, then KILL it if it lingers."""
        if child.poll() is None:
            _signal_group(child, signal.SIGTERM)
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait(timeout=10)
        if child in self.children:
            self.children.remove(child)

    def stop_all(self) -> None:
        """Stop every child still running, last started first."""
        for child in reversed(list(self.children)):
            self.stop(child)


def _signal_group(child: subprocess.Popen[bytes], number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, number)


def wait_for(url: str, child: subprocess.Popen[bytes], *, timeout: float = 180) -> None:
    """Wait until `url` answers 200, or fail if the child exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"a process exited while starting (code {child.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def wait_for_port(port: int, child: subprocess.Popen[bytes], *, timeout: float = 30) -> None:
    """Wait until something listens on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"a process exited while starting (code {child.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port} after {timeout:.0f} s")


# --- memory --------------------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """The process and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def parent_of(pid: int) -> int:
    """The parent process id."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def memory(pids: list[int]) -> tuple[float, float]:
    """RSS and PSS in MB over the processes (PSS shares pages between the processes that map them)."""
    rss = pss = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        values = {line.split(":")[0]: int(line.split()[1]) for line in lines[1:] if line.endswith("kB")}
        rss += values.get("Rss", 0)
        pss += values.get("Pss", 0)
    return rss / 1024, pss / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds used so far by the processes (and their waited-for children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def python() -> str:
    """This interpreter (the project's virtual environment)."""
    return sys.executable

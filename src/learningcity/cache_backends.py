"""A file cache whose counters are exact when several processes count at once.

Django's FileBasedCache reads then writes in `add` and `incr`; two gunicorn workers counting the
same client at the same moment could both read 7 and write 8. An exclusive lock on the cache
directory (flock, held for the few microseconds of a read and a write) makes both operations
atomic across the processes of one machine, which is what rate limits need.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

LOCK_NAME = ".counters.lock"  # not a *.djcache file, so never listed, culled or cleared


class SometimesCulledFileCache(FileBasedCache):
    """Django's file cache, checking its size every `CULL_EVERY` writes instead of at each.

    Django's `_cull` lists the whole directory on every write to count the entries: with thousands of
    entries, milliseconds per write (every rate-limited API request writes a counter). The limit may be
    overshot by up to `CULL_EVERY` entries per process between two checks.
    """

    CULL_EVERY = 100

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        self._writes = 0

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % self.CULL_EVERY == 1:
            super()._cull()  # type: ignore[misc]


class FileCache(SometimesCulledFileCache):
    """FileBasedCache with `add` and `incr` atomic across processes."""

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._createdir()  # type: ignore[attr-defined]
        with open(os.path.join(self._dir, LOCK_NAME), "ab") as handle:  # type: ignore[attr-defined]
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        with self._locked():
            return bool(super().add(key, value, timeout, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        """Add `delta`, keeping the entry's expiry (Django's default `incr` would reset it)."""
        with self._locked():
            expiry, value = self._read(key, version)
            remaining = None if expiry is None else max(expiry - time.time(), 0.001)
            self.set(key, value + delta, remaining, version)
            return int(value + delta)

    def _read(self, key: Any, version: int | None) -> tuple[float | None, Any]:
        """The entry's expiry (a Unix time, None: never) and value; ValueError when absent or expired."""
        name = self._key_to_file(key, version)  # type: ignore[attr-defined]
        try:
            with open(name, "rb") as handle:
                expiry = pickle.load(handle)  # noqa: S301 (our own files, read as Django's FileBasedCache does)
                if expiry is not None and expiry < time.time():
                    raise ValueError(f"Key {key!r} not found.")
                return expiry, pickle.loads(zlib.decompress(handle.read()))  # noqa: S301 (as above)
        except FileNotFoundError as missing:
            raise ValueError(f"Key {key!r} not found.") from missing

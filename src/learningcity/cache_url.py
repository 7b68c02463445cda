"""The shared cache from one environment variable, CACHE_URL (rate-limit counters live there).

Pure (no Django import): the settings module calls it before Django is set up.

>>> env_cache_from("locmem://", Path("/srv/var/cache"))["BACKEND"]
'django.core.cache.backends.locmem.LocMemCache'
>>> env_cache_from("db://learningcity_cache", Path("/srv/var/cache"))["LOCATION"]
'learningcity_cache'
>>> env_cache_from("", Path("/srv/var/cache"))["LOCATION"]
'/srv/var/cache'
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from learningcity.env import ConfigurationError

FILE_BACKEND = "learningcity.cache_backends.FileCache"
DATABASE_BACKEND = "django.core.cache.backends.db.DatabaseCache"
MEMORY_BACKEND = "django.core.cache.backends.locmem.LocMemCache"
# Enough entries for a busy minute of distinct clients; past it the oldest third goes (counters restart).
MAX_ENTRIES = 5000
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def env_cache(name: str, default_directory: Path) -> dict[str, Any]:
    """The CACHES["default"] entry from the variable `name` (a file cache in `default_directory` when unset)."""
    return env_cache_from(os.environ.get(name, "").strip(), default_directory, name=name)


def env_cache_from(raw: str, default_directory: Path, *, name: str = "CACHE_URL") -> dict[str, Any]:
    """CACHE_URL's value as a cache configuration: file:///path, db://TABLE or locmem://."""
    value = raw or f"file://{default_directory}"
    scheme, separator, rest = value.partition("://")
    if not separator:
        raise ConfigurationError(f"{name}={value!r} is not a cache URL (file:///path, db://table or locmem://)")
    options = {"MAX_ENTRIES": MAX_ENTRIES}
    if scheme == "file":
        if not rest.startswith("/"):
            raise ConfigurationError(
                f"{name}={value!r}: give an absolute path, as in file:///var/lib/learningcity/cache"
            )
        return {"BACKEND": FILE_BACKEND, "LOCATION": rest, "OPTIONS": options}
    if scheme == "db":
        if not TABLE_NAME.match(rest):
            raise ConfigurationError(f"{name}={value!r}: give a table name, as in db://learningcity_cache")
        return {"BACKEND": DATABASE_BACKEND, "LOCATION": rest, "OPTIONS": options}
    if scheme == "locmem":
        return {"BACKEND": MEMORY_BACKEND, "LOCATION": rest or "learningcity", "OPTIONS": options}
    raise ConfigurationError(f"{name}={value!r}: the scheme must be file, db or locmem")

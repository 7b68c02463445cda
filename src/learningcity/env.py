"""Typed settings helpers that read environment variables and fail loudly on bad values."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
import dj_email_url


class ConfigurationError(RuntimeError):
    """An environment variable is missing or malformed."""


def env_str(name: str, default: str) -> str:
    """A string variable; an empty value means the default."""
    return os.environ.get(name, "") or default


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable: 1/true/yes/on or 0/false/no/off (case-insensitive)."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number at least `minimum`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number") from error
    if value < minimum:
        raise ConfigurationError(f"{name}={value} is below its minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    """A string that must be one of `choices`."""
    value = env_str(name, default)
    if value not in choices:
        raise ConfigurationError(f"{name}={value!r} must be one of {sorted(choices)}")
    return value


def env_time_zone(name: str, default: str) -> str:
    """An IANA time zone name such as Europe/Paris."""
    value = env_str(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigurationError(f"{name}={value!r} is not a known time zone (e.g. Europe/Paris)") from error
    return value


def env_tile_url(name: str, default: str = "") -> str:
    """A map tile URL template (https://host/{z}/{x}/{y}.png), or empty for no tiles."""
    value = env_str(name, default).strip()
    if not value:
        return ""
    if not value.startswith(("https://", "http://")) or not all(part in value for part in ("{z}", "{x}", "{y}")):
        raise ConfigurationError(f"{name}={value!r} must be an http(s) URL with {{z}}, {{x}} and {{y}} in it")
    return value


def tile_origins(tile_url: str) -> list[str]:
    """The origin a tile URL template loads from, as a Content-Security-Policy source ({s} → *)."""
    if not tile_url:
        return []
    scheme, _, rest = tile_url.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return [f"{scheme}://{host}"]


def secret_key_file(path: Path) -> str:
    """A random secret key kept in `path`, created (readable by its owner only) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigurationError(f"{path} holds no usable secret key; delete it to make a new one")
    return key


def env_database(name: str, default_sqlite_path: Path) -> dict[str, Any]:
    """A database URL (sqlite:///path or postgres://user:pass@host:port/db)."""
    raw = os.environ.get(name, "").strip() or f"sqlite:///{default_sqlite_path}"
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=60))
    except (ValueError, KeyError) as error:
        raise ConfigurationError(f"{name} is not a valid database URL: {error}") from error
    engine = str(config.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        # WAL lets the task worker and the web server read while the other writes.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif "postgresql" not in engine:
        raise ConfigurationError(f"{name}: only SQLite and PostgreSQL are supported, not {engine}")
    return config


def env_email(name: str, default: str) -> dict[str, Any]:
    """An e-mail URL such as smtp://user:pass@host:25 or console:// ."""
    raw = os.environ.get(name, "").strip() or default
    try:
        parsed: dict[str, Any] = dict(dj_email_url.parse(raw))
    except (ValueError, KeyError) as error:
        raise ConfigurationError(f"{name} is not a valid e-mail URL: {error}") from error
    return parsed

"""Settings fail loudly on bad values, and every one of them is documented."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from learningcity import env

ROOT = Path(__file__).resolve().parents[1]


def test_it_documents_every_environment_variable() -> None:
    settings_source = (ROOT / "src" / "learningcity" / "settings.py").read_text()
    names = set(re.findall(r'env_[a-z_]+\("([A-Z_]+)"', settings_source))
    documented = (ROOT / "docs" / "configuration.md").read_text()
    assert names, "the settings read no variable?"
    assert sorted(name for name in names if f"`{name}`" not in documented) == []


@pytest.mark.parametrize(
    ("call", "value", "message"),
    [
        (lambda: env.env_bool("X_FLAG", False), "maybe", "not a boolean"),
        (lambda: env.env_int("X_NUMBER", 1, minimum=1), "zero", "not a whole number"),
        (lambda: env.env_int("X_NUMBER", 1, minimum=1), "0", "below its minimum"),
        (lambda: env.env_time_zone("X_ZONE", "Europe/Paris"), "Mars/Olympus", "not a known time zone"),
        (lambda: env.env_database("X_DB", Path("x.sqlite3")), "mysql://u@h/db", "only SQLite and PostgreSQL"),
    ],
)
def test_it_fails_loudly_on_bad_values(
    monkeypatch: pytest.MonkeyPatch, call: Callable[[], object], value: str, message: str
) -> None:
    for variable in ["X_FLAG", "X_NUMBER", "X_ZONE", "X_DB"]:
        monkeypatch.setenv(variable, value)
    with pytest.raises(env.ConfigurationError, match=message):
        call()


def test_it_reads_values_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    monkeypatch.delenv("X_MISSING", raising=False)
    assert env.env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env.env_bool("X_MISSING", True) is True
    assert env.env_database("X_MISSING", Path("x.sqlite3"))["ENGINE"].endswith("sqlite3")


def test_it_keeps_a_generated_secret_key(tmp_path: Path) -> None:
    key = env.secret_key_file(tmp_path / "secret-key")
    assert len(key) >= 50
    assert env.secret_key_file(tmp_path / "secret-key") == key
    assert (tmp_path / "secret-key").stat().st_mode & 0o077 == 0, "readable by its owner only"

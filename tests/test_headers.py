"""Security headers: what a browser is told about our pages (issue 9), and `check --deploy` in production."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from learningcity.env import tile_origins

REPO_ROOT = Path(__file__).resolve().parents[1]


def directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/fr/", "/en/accounts/signup/", "/en/accounts/login/", "/api/v1/opportunities"])
def test_every_response_forbids_inline_script_and_framing(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_map_tiles_are_allowed_from_their_own_host_only() -> None:
    assert tile_origins("") == []
    assert tile_origins("https://tiles.example.org/osm/{z}/{x}/{y}.png") == ["https://tiles.example.org"]
    assert tile_origins("https://{s}.tile.example.org/{z}/{x}/{y}.png") == ["https://*.tile.example.org"]


def production_environment(tmp_path: Path) -> dict[str, str]:
    """What docs/deployment.md tells a city to set, behind a TLS-terminating proxy."""
    ignored = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the last one is set by the browser tests
    environment = {key: value for key, value in os.environ.items() if key not in ignored}
    environment.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://learning.example.org",
        ALLOWED_HOSTS="learning.example.org",
        TRUST_X_FORWARDED_PROTO="true",
        LEARNINGCITY_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="learningcity.settings",
    )
    return environment


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT, env=production_environment(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_and_redirects_plain_http(tmp_path: Path) -> None:
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)\n"
    )
    result = subprocess.run(  # noqa: S603 (our interpreter and a fixed script)
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=production_environment(tmp_path),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True"]

"""Fixtures of the browser tests: one Chromium per session, a live server, a fresh context per page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.helpers import REPO_ROOT, OpenPage

# Playwright's sync API runs an asyncio event loop in the test thread, so Django sees an async context and
# raises SynchronousOnlyOperation on every ORM call made by the test (factories, assertions on the database).
# The ORM is not used from a coroutine here, so the safety check only gets in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000


def chromium_path() -> Path:
    """Debian's Chromium, or the one CHROMIUM_PATH names; Playwright never downloads its own here."""
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Browser]:
    """One headless Chromium for the whole session (starting it costs about a second)."""
    path = chromium_path()
    if not path.is_file():
        pytest.fail(f"No Chromium at {path}: run `apt-get install chromium` (or set CHROMIUM_PATH).", pytrace=False)
    snapshots = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        # From here an event loop runs in this thread, so asgiref's Local, which holds Django's connections,
        # hands out new connection objects. The snapshot that serialized rollback restores after each test
        # hangs on the old ones (the database was set up before): carry it over.
        for alias, snapshot in snapshots.items():
            if snapshot is not None:
                connections[alias]._test_serialized_contents = snapshot  # type: ignore[attr-defined]
        chromium = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, installed from package-lock.json."""
    if not AXE_PATH.is_file():
        pytest.fail(f"No axe-core at {AXE_PATH}: run `npm ci` at the repository root.", pytrace=False)
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture
def server(live_server: Any, django_db_serialized_rollback: None) -> str:
    """The live server's base URL.

    live_server empties the database after each test, including the building blocks and languages that a
    migration loads; serialized rollback puts them back for the next test.
    """
    return str(live_server.url)


@pytest.fixture
def open_page(browser: Browser, server: str) -> Iterator[OpenPage]:
    """A function opening a page in a new browser context (own cookies, locale and screen size)."""
    contexts = []
    script_errors: list[str] = []

    def make(*, locale: str = "en-GB", width: int = 1280, height: int = 900, phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=server, locale=locale, viewport={"width": width, "height": height},
            is_mobile=phone, has_touch=phone,
        )  # fmt: skip
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(f"{page.url}: {error}"))
        # The browser reports on the console what the Content-Security-Policy blocked: a page needs none of it.
        page.on(
            "console",
            lambda message: (
                script_errors.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    if script_errors:
        pytest.fail(
            "A script failed on the page, or the page broke its Content-Security-Policy:\n" + "\n".join(script_errors),
            pytrace=False,
        )

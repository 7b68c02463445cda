"""The analytics tests need no database, settings or personas: they run with or without pytest-django."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing() -> None:
    """Overrides the project-wide fixture, which needs Django's `settings`; analytics never touches Django."""

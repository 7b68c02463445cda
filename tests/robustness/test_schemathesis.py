"""Property-based tests of the API against the COMMITTED OpenAPI document (docs/openapi.json).

Schemathesis generates requests for every operation from the document, sends them straight to
the Django WSGI application (no server), and checks that nothing answers 5xx and that each
response's status code, content type and body are the ones the document promises. Operations
behind the session cookie are called logged in, with the CSRF token a browser would send.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from learningcity.accounts.models import User
from tests.factories import World

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Who calls each group of authenticated operations (by OpenAPI tag): the persona who may use it.
CALLER_BY_TAG = {"imports": "provider_staff", "registrations": "resident", "rosters": "provider_staff"}

schema = schemathesis.openapi.from_path(DOCUMENT)
schema.app = WSGIHandler()  # Django itself, without the search warm-up of learningcity.wsgi
schema.config.generation.update(max_examples=15, deterministic=True)
schema.config.seed = 20250609


def session_cookies(user: User) -> dict[str, str]:
    """The cookies of a browser logged in as `user` (session and CSRF token)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "learningcity.accounts.backends.AccountBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {settings.SESSION_COOKIE_NAME: session.session_key or "", settings.CSRF_COOKIE_NAME: CSRF_SECRET}


CSRF_SECRET = _get_new_csrf_string()


def caller(case: Any, world: World) -> User | None:
    """The persona calling the operation: nobody for open data, the right role behind the cookie."""
    if not case.operation.definition.raw.get("security"):
        return None
    tags = case.operation.definition.raw.get("tags") or []
    role = next((CALLER_BY_TAG[tag] for tag in tags if tag in CALLER_BY_TAG), "coordinator")
    return world.users[role]


@pytest.fixture(autouse=True)
def test_connection_kept_open() -> Iterator[None]:
    """Like Django's test client: requests must not close the test's connection (PostgreSQL) mid-test."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_it_answers_every_operation_as_its_document_says(case: Any, world: World) -> None:
    user = caller(case, world)
    cookies = session_cookies(user) if user is not None else {}
    headers = {"X-CSRFToken": CSRF_SECRET} if user is not None else {}
    case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)

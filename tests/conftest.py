"""Shared fixtures: the six personas and a logged-in client for each."""

from __future__ import annotations

import email
import email.policy
import socket
from typing import TYPE_CHECKING

import pytest
from django.test import Client

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.factories import World

ROLES = ["anonymous", "resident", "other_resident", "provider_staff", "other_provider_staff", "coordinator"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Tests create many accounts; a fast hasher keeps the suite quick (production uses the default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_search_memory() -> None:
    """Each test starts with no search data cached in memory (ids are reused between tests)."""
    from learningcity.search import facets, snapshot

    facets.forget_cached()
    snapshot.forget_all()


@pytest.fixture(autouse=True)
def empty_cache(settings) -> None:  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache of its own (rate-limit counters live there).

    In memory, so that test runs going on at the same time never share counters; the shared cache
    backends have their own tests (tests/api/test_rate_limits.py).
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def no_search_counts_left() -> Iterator[None]:
    """Search counts waiting in memory (search/demand.py) never reach another test's database."""
    yield
    from learningcity.search import demand

    demand.discard_pending()


@pytest.fixture
def world(db: None) -> World:
    """A city, two providers, their listings and the six personas."""
    from tests.factories import make_world  # imported here so Django-free tests (analytics) need no Django

    return make_world()


@pytest.fixture
def client_for(world: World):  # type: ignore[no-untyped-def]
    """A function giving a client logged in as a persona."""

    def make(role: str) -> Client:
        client = Client()
        user = world.users[role]
        if user is not None:
            client.force_login(user)
        return client

    return make


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SinkHandler:
    """Keeps every message the SMTP sink receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.peers: list[object] = []  # the client's (address, port) of each message: one per connection

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[attr-defined]
        self.peers.append(session.peer)  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server on localhost; mail goes through Django's SMTP backend to it."""
    from aiosmtpd.controller import Controller

    handler = SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def two_factor_verified_logins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test client logged in as a coordinator or admin has passed two-factor, as the real person has.

    `Client.force_login` and `Client.login` mark the session verified with the person's authenticator
    (one is made if they have none); the two-factor pages themselves are tested in
    tests/accounts/test_two_factor.py. Browser tests log in through the form like a person, so they
    run with TWO_FACTOR_REQUIRED off unless they turn it on (tests/browser/test_two_factor.py does).
    """
    from typing import Any

    def verified(original: Any) -> Any:
        def log_in_and_verify(self: Client, *args: Any, **kwargs: Any) -> Any:
            from tests.accounts.two_factor_helpers import pass_second_factor

            result = original(self, *args, **kwargs)
            pass_second_factor(self)
            return result

        return log_in_and_verify

    monkeypatch.setattr(Client, "force_login", verified(Client.force_login))
    monkeypatch.setattr(Client, "login", verified(Client.login))
    if "live_server" in request.fixturenames:
        request.getfixturevalue("settings").TWO_FACTOR_REQUIRED = False

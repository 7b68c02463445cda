"""One world for the whole permission matrix: the six personas, and an object of each kind the routes need.

The scene is built once per test module (building it costs seconds; a request costs milliseconds) inside a
transaction that is rolled back at the end; each test runs in a savepoint of its own, so what one test
changes (an allowed POST) is gone before the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone, translation

from learningcity.accounts.models import User
from tests.factories import World, make_world
from tests.festival.conftest import other_coordinator

# A seventh persona, for multi-city isolation: the coordinator of another city of the same instance.
OTHER_CITY_COORDINATOR = "other_city_coordinator"


@dataclass
class Scene:
    """The shared world plus named objects added by each area's `build`."""

    world: World
    objects: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # role → session key of a login made once

    def add(self, name: str, value: Any) -> Any:
        """Keep an object under a name (each name once: areas must not overwrite each other's)."""
        assert name not in self.objects, f"{name} is built twice"
        self.objects[name] = value
        return value

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]

    def user(self, role: str) -> User:
        """A persona's account (every role but anonymous has one)."""
        user = self.world.users[role]
        assert user is not None, role
        return user

    @property
    def resident(self) -> User:
        return self.user("resident")

    @property
    def coordinator(self) -> User:
        return self.user("coordinator")


def build_scene() -> Scene:
    """The world, every persona with a verified address, then each area's objects in AREAS order."""
    from tests.security.matrix import area_modules

    scene = Scene(make_world())
    for user in scene.world.users.values():
        if user is not None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
    with translation.override("en"):
        for module in area_modules():
            build = getattr(module, "build", None)
            if build is not None:
                build(scene)
    for role, user in scene.world.users.items():
        if user is not None:
            scene.sessions[role] = log_in(user)
    scene.sessions[OTHER_CITY_COORDINATOR] = log_in(other_coordinator())
    return scene


def log_in(user: User) -> str:
    """A session for the person, past the second factor when they must pass it (as tests/conftest.py does)."""
    from tests.accounts.two_factor_helpers import pass_second_factor

    client = Client()
    client.force_login(user)
    pass_second_factor(client)
    return client.session.session_key or ""


@contextmanager
def scene_for_module(media_root: Path) -> Iterator[Scene]:
    """Build the scene in a transaction kept open for the module's tests, then roll it all back."""
    with override_settings(
        MEDIA_ROOT=media_root,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        IMPORT_FETCH_URLS=True,  # so that calendar subscriptions are offered (nothing is fetched: no worker runs)
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_scene()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

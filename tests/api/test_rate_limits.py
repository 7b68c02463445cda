"""Per-client rate limits on /api/v1/, and the shared cache they count in."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from learningcity.accounts.token_services import token_create
from learningcity.cache_backends import FileCache
from learningcity.cache_url import env_cache_from
from learningcity.env import ConfigurationError
from tests.factories import World

MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate-tests"}}


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.CACHES = MEMORY
    settings.API_RATE_LIMIT_ANONYMOUS = 3
    settings.API_RATE_LIMIT_AUTHENTICATED = 5
    caches["default"].clear()
    return settings


def get(client: Client, path: str = "/api/v1/districts", **headers: str) -> Any:
    return client.get(path, headers=headers)


def test_it_answers_429_in_the_error_shape_with_retry_after(world: World, limits: Any) -> None:
    client = Client()
    assert [get(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = get(client)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert set(refused.json()["error"]) == {"status", "code", "message", "details"}
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_each_client_has_its_own_count(world: World, limits: Any) -> None:
    first = token_create(owner=world.users["resident"], name="a", scopes=["read"]).value  # type: ignore[arg-type]
    second = token_create(owner=world.users["other_resident"], name="b", scopes=["read"]).value  # type: ignore[arg-type]
    client = Client()
    statuses = [get(client, Authorization=f"Bearer {first}").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # a token earns the authenticated limit, even on open data
    assert get(client, Authorization=f"Bearer {second}").status_code == 200
    assert get(client, "/api/v1/registrations", Authorization=f"Bearer {second}").status_code == 200
    assert get(client).status_code == 200  # anonymous from this address: a count of its own
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert [get(other_address).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert get(Client(REMOTE_ADDR="192.0.2.8")).status_code == 200


def test_a_logged_in_person_counts_as_themselves(world: World, limits: Any, client_for: Any) -> None:
    client = client_for("resident")
    assert [get(client).status_code for _ in range(6)] == [200] * 5 + [429]
    assert get(client_for("other_resident")).status_code == 200


def test_zero_turns_a_limit_off(world: World, limits: Any) -> None:
    limits.API_RATE_LIMIT_ANONYMOUS = 0
    client = Client()
    assert {get(client).status_code for _ in range(8)} == {200}


def test_the_proxy_header_is_believed_only_from_trusted_proxies(world: World, limits: Any) -> None:
    client = Client()
    for address in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"]:
        last = get(client, **{"X-Forwarded-For": address})  # spoofed: ignored, all one address
    assert last.status_code == 429


def _count(directory: str, times: int) -> None:
    cache = FileCache(directory, {})
    for _ in range(times):
        if not cache.add("hits", 1, 60):
            cache.incr("hits")


def test_the_file_cache_counts_exactly_across_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_count, args=(str(tmp_path), 50)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert FileCache(str(tmp_path), {}).get("hits") == 200


def test_incr_keeps_the_expiry_in_the_file_cache(tmp_path: Path) -> None:
    cache = FileCache(str(tmp_path), {})
    cache.add("window", 1, 1)
    assert cache.incr("window") == 2
    import time

    time.sleep(1.1)
    assert cache.get("window") is None


def test_the_database_cache_table_is_created_and_counts(world: World, settings: Any) -> None:
    settings.CACHES = {"default": env_cache_from("db://learningcity_cache_test", Path("/unused"))}
    call_command("createcachetable", verbosity=0)
    settings.API_RATE_LIMIT_ANONYMOUS = 2
    client = Client()
    assert [get(client).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("", "learningcity.cache_backends.FileCache", "/srv/var/cache"),
        ("file:///srv/lc-cache", "learningcity.cache_backends.FileCache", "/srv/lc-cache"),
        ("db://learningcity_cache", "django.core.cache.backends.db.DatabaseCache", "learningcity_cache"),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", "learningcity"),
    ],
)
def test_cache_url_names_the_backend(url: str, backend: str, location: str) -> None:
    config = env_cache_from(url, Path("/srv/var/cache"))
    assert (config["BACKEND"], config["LOCATION"]) == (backend, location)


@pytest.mark.parametrize("url", ["redis://localhost", "file://relative/path", "db://drop table;", "nonsense"])
def test_a_bad_cache_url_fails_loudly(url: str) -> None:
    with pytest.raises(ConfigurationError, match="CACHE_URL"):
        env_cache_from(url, Path("/srv/var/cache"))

"""Authorization: every route of the project has an entry in the permission matrix, and answers each persona
as the entry says; refused POSTs change nothing (tests/security/matrix/ holds the entries, one file per area)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import ROLES
from tests.security import routes
from tests.security.matrix import (
    ACTS,
    BAD,
    DENIED,
    HIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    REDIRECT,
    REFUSALS,
    Route,
    all_routes,
)
from tests.security.scene import OTHER_CITY_COORDINATOR, Scene, scene_for_module

ROUTES = all_routes()
ADMIN_ENTRY = "admin:index"  # stands for the whole admin
# Tables a refused request may write to: who is logged in, and login-attempt records.
BOOKKEEPING = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


@pytest.fixture(scope="module")
def scene(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """One scene for the whole module (see tests/security/scene.py)."""
    media: Path = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), scene_for_module(media) as built:
        yield built


def client_as(scene: Scene, role: str) -> Client:
    """A browser logged in as the persona (anonymous: not logged in), with the session made once for the scene
    (what a test changes in it is rolled back with the rest)."""
    client = Client()
    if role in scene.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = scene.sessions[role]
    return client


def address(route: Route, scene: Scene) -> str:
    """The route's address with the entry's arguments, in English for pages."""
    kwargs = route.args(scene)
    if route.is_api:
        path = route.name.format(**kwargs)
    else:
        with translation.override("en"):
            path = reverse(route.name, kwargs=kwargs)
    return path + route.query_string(scene)


def send(client: Client, route: Route, scene: Scene, method: str) -> Any:
    url = address(route, scene)
    if method == "get":
        return client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    data = route.post_data(scene)
    if "files" in route.extra:  # a multipart form with files, for pages and the API alike
        from django.core.files.uploadedfile import SimpleUploadedFile

        files = {key: SimpleUploadedFile(name, content) for key, (name, content) in route.extra["files"].items()}
        return client.post(url, {**data, **files})
    if route.is_api:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


def outcome_matches(expected: str, response: Any, *, api: bool) -> bool:
    """Whether the response is what the vocabulary word means (see tests/security/matrix/__init__.py)."""
    status = response.status_code
    location = response.get("Location", "")
    to_login = status == 302 and "/login/" in location
    meanings: dict[str, bool] = {
        OK: status == 200,
        LOGIN: status == 401 if api else to_login,
        DENIED: status == 403,
        HIDDEN: status == 404,
        REDIRECT: status in (301, 302, 303) and not to_login,
        NOT_ALLOWED: status == 405,
        BAD: status == 400,
        ACTS: status < 500 and status not in (401, 403, 404, 405) and not to_login,
    }
    return meanings[expected]


def table_counts() -> dict[str, int]:
    """Rows in every table of the project (but bookkeeping): equal before and after means nothing was added
    or deleted."""
    tables = sorted(
        {model._meta.db_table for model in apps.get_models() if model._meta.managed and not model._meta.proxy}
        - BOOKKEEPING
    )
    quote = connection.ops.quote_name
    # Table names come from the models, not from input.
    selects = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _cases(method: str) -> list[Any]:
    return [
        pytest.param(route, index, id=f"{route.id}-{role}")
        for route in ROUTES
        if getattr(route, method) is not None
        for index, role in enumerate(ROLES)
    ]


def _show(response: Any) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}{' → ' + location if location else ''}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "role_index"), _cases("get"))
def test_each_persona_gets_what_the_matrix_says(scene: Scene, route: Route, role_index: int) -> None:
    role, expected = ROLES[role_index], route.get[role_index]  # type: ignore[index]
    response = send(client_as(scene, role), route, scene, "get")
    assert outcome_matches(expected, response, api=route.is_api), (
        f"GET {route.id} as {role}: expected {expected}, got {_show(response)}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "role_index"), _cases("post"))
def test_each_persona_may_act_only_as_the_matrix_says(scene: Scene, route: Route, role_index: int) -> None:
    role, expected = ROLES[role_index], route.post[role_index]  # type: ignore[index]
    client = client_as(scene, role)
    before = table_counts(), route.watch(scene) if route.watch else None
    response = send(client, route, scene, "post")
    assert outcome_matches(expected, response, api=route.is_api), (
        f"POST {route.id} as {role}: expected {expected}, got {_show(response)}"
    )
    refused = expected in REFUSALS or expected == BAD
    if refused or (route.only is not None and role not in route.only):
        after = table_counts(), route.watch(scene) if route.watch else None
        assert after[1] == before[1], f"POST {route.id} as {role} changed what only {route.only or 'nobody'} may"
    if refused:
        assert after[0] == before[0], f"POST {route.id} as {role} was refused but changed row counts: " + ", ".join(
            f"{table} {before[0][table]}→{count}" for table, count in after[0].items() if before[0][table] != count
        )


def test_every_route_is_in_the_matrix() -> None:
    """Every named route (and every API operation) has an entry; every entry names a route that exists."""
    found = list(routes.walk())
    operations = routes.api_operations()
    api_paths = {path for _method, path in operations}
    unnamed = sorted(f.template for f in found if not f.name and not f.in_admin)
    names = {f.name for f in found if f.name and routes.as_openapi_path(f.template) not in api_paths}
    pages = {f.name for f in found if f.name in names and not f.in_admin} | {ADMIN_ENTRY}
    covered = {route.name for route in ROUTES if not route.is_api}
    covered_operations = {
        (method, route.name) for route in ROUTES if route.is_api for method in ("get", "post") if getattr(route, method)
    }
    missing = sorted(pages - covered) + sorted(f"{m.upper()} {p}" for m, p in operations - covered_operations)
    gone = sorted(covered - names) + sorted(f"{m.upper()} {p}" for m, p in covered_operations - operations)
    assert not unnamed, f"routes without a name (name them, then add them to the matrix): {unnamed}"
    assert not missing, f"routes missing from tests/security/matrix/: {missing}"
    assert not gone, f"matrix entries naming routes that no longer exist: {gone}"


@pytest.mark.django_db
def test_the_nothing_changed_check_sees_a_change(scene: Scene) -> None:
    """The check that refused POSTs change nothing would notice an allowed one (Alice deleting her saved search)."""
    route = next(route for route in ROUTES if route.name == "search:saved-delete")
    before = table_counts(), route.watch(scene)  # type: ignore[misc]
    response = send(client_as(scene, "resident"), route, scene, "post")
    assert outcome_matches(REDIRECT, response, api=False)
    assert table_counts() != before[0]
    assert route.watch(scene) != before[1]  # type: ignore[misc]


def _coordinators_only(method: str) -> list[Any]:
    """Routes where, of the six personas, only the city's coordinator gets through."""
    others = range(1, 5)  # resident ... other_provider_staff
    return [
        pytest.param(route, id=route.id)
        for route in ROUTES
        if (expected := getattr(route, method)) is not None
        and expected[5] in {OK, ACTS, REDIRECT}
        and all(expected[index] in {*REFUSALS, BAD, NOT_ALLOWED} for index in others)
    ]


# Pages every coordinator has, each showing their own city only: for another city's coordinator they open,
# without anything of this city (the strings listed).
OWN_CITY_PAGES: dict[str, Callable[[Scene], list[str]]] = {
    "catalogue:review": lambda s: [s.world.pending.title_en, s.world.pending.title_fr],
    "festival:manage-list": lambda s: [s.world.city.name, s["festival"].name_en],
    "festival:create": lambda s: [s.world.city.name],
    "privacy:access-log": lambda s: [s.world.city.name],
    "admin:index": lambda s: [],
}


def refused_to_another_city(route: Route, response: Any) -> bool:
    """403 or 404; in the admin, Django's "does not exist" answer: back to the admin's index."""
    if route.name.startswith("admin:") and response.status_code == 302:
        with translation.override("en"):
            return bool(response["Location"] == reverse("admin:index"))
    return response.status_code in (403, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("route", _coordinators_only("get"))
def test_another_citys_coordinator_sees_nothing_of_this_city(scene: Scene, route: Route) -> None:
    response = send(client_as(scene, OTHER_CITY_COORDINATOR), route, scene, "get")
    if route.name in OWN_CITY_PAGES:
        assert response.status_code == 200, f"GET {route.id} as {OTHER_CITY_COORDINATOR}: got {_show(response)}"
        shown = [text for text in OWN_CITY_PAGES[route.name](scene) if text in response.content.decode()]
        assert not shown, f"GET {route.id} as {OTHER_CITY_COORDINATOR} shows this city's {shown}"
    else:
        assert refused_to_another_city(route, response), (
            f"GET {route.id} as {OTHER_CITY_COORDINATOR}: got {_show(response)}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("route", _coordinators_only("post"))
def test_another_citys_coordinator_changes_nothing_in_this_city(scene: Scene, route: Route) -> None:
    before = table_counts(), route.watch(scene) if route.watch else None
    response = send(client_as(scene, OTHER_CITY_COORDINATOR), route, scene, "post")
    assert refused_to_another_city(route, response), (
        f"POST {route.id} as {OTHER_CITY_COORDINATOR}: got {_show(response)}"
    )
    assert (table_counts(), route.watch(scene) if route.watch else None) == before


# Public lists, feeds and searches that would match the unpublished listings and pathways of the scene if they
# leaked: none may show them, to anyone (the provider's staff see their drafts in their workspace only).
PUBLIC_LISTS: list[Callable[[Scene], str]] = [
    lambda s: "/en/",
    lambda s: "/en/opportunities/",
    lambda s: "/en/search/?q=brouillon",
    lambda s: "/en/search/?q=draft",
    lambda s: "/en/search/suggest/?q=brou",
    lambda s: "/api/v1/search?q=brouillon&past=true",
    lambda s: "/api/v1/search/suggest?q=brou",
    lambda s: "/api/v1/opportunities",
    lambda s: f"/api/v1/sessions?opportunity={s.world.draft.pk}",
    lambda s: "/api/v1/hsds/services",
    lambda s: "/api/v1/hsds/service_at_locations",
    lambda s: "/api/v1/hsds/organizations?full=true",
    lambda s: "/api/v1/passport/pathways",
    lambda s: "/sitemap-1.xml",
    lambda s: f"/en/organisations/{s.world.org_a.pk}/",
    lambda s: f"/en/venues/{s.world.org_a.venues.get().pk}/",
    lambda s: f"/en/calendars/organisations/{s.world.org_a.pk}.ics",
    lambda s: f"/en/calendars/cities/{s.world.city.slug}/districts/01.ics",
    lambda s: f"/en/festival/{s['festival'].slug}/",
    lambda s: "/en/pathways/",
]


def unpublished_titles(scene: Scene) -> list[str]:
    world = scene.world
    titles = [getattr(listing, f"title_{language}") for listing in (world.draft, world.pending, world.other_draft)
              for language in ("fr", "en")]  # fmt: skip
    return [*titles, scene["pathway_draft"].name_en, scene["city_pathway_draft"].name_en]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "provider_staff"])
@pytest.mark.parametrize("url", PUBLIC_LISTS)
def test_public_lists_show_nothing_unpublished(scene: Scene, url: Callable[[Scene], str], role: str) -> None:
    response = client_as(scene, role).get(url(scene))
    assert response.status_code == 200, url(scene)
    body = response.content.decode()
    assert not [title for title in unpublished_titles(scene) if title in body], url(scene)

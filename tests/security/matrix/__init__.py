"""The permission matrix: every route of the project, what each persona gets from it.

One module per area (accounts.py, catalogue.py, ...) holds a list `ENTRIES` of `Route`s and, when its
routes need objects the shared world lacks, a `build(scene)` that adds them (`scene.add("name", object)`).
To add a route: append a `Route` to its area's `ENTRIES`; `tests/security/test_url_matrix.py` fails
for every named route (or API operation) without one, and for entries naming routes that are gone.

Expectations are per persona, in `ROLES` order (anonymous, resident, other_resident, provider_staff,
other_provider_staff, coordinator), from a small vocabulary:

- OK: 200.
- LOGIN: sent to log in (a page: 302 to the login page; the API: 401).
- DENIED: 403, refused to someone who is known but may not act.
- HIDDEN: 404, the project's convention for another person's objects (ids reveal nothing) and for
  listings that are not published.
- REDIRECT: 302 somewhere other than the login page (done, or sent on).
- NOT_ALLOWED: 405, the method is not served (GET on an action).
- BAD: 400, the request is refused for what it holds (not for who sent it).
- ACTS: the request is let through (any answer below 500 but a refusal: not 401, 403, 404, 405, nor
  a redirect to log in). Used for POSTs with an empty or minimal body, whose success or validation
  error does not matter here: what matters is that the persona was not turned away.

Objects in `Route.args` belong to the resident (Alice) or to provider A's organisation, whose staff is
`provider_staff`; `other_resident` and `other_provider_staff` using those ids prove object-level isolation.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.security.scene import Scene

OK, LOGIN, DENIED, HIDDEN, REDIRECT, NOT_ALLOWED, BAD, ACTS = (
    "OK", "LOGIN", "DENIED", "HIDDEN", "REDIRECT", "NOT_ALLOWED", "BAD", "ACTS",
)  # fmt: skip
OUTCOMES = {OK, LOGIN, DENIED, HIDDEN, REDIRECT, NOT_ALLOWED, BAD, ACTS}
REFUSALS = {LOGIN, DENIED, HIDDEN}

AREAS = [
    "accounts", "catalogue", "search", "enrolment", "festival", "credits", "calendars", "interop", "passport",
    "monitoring", "privacy", "site", "api",
]  # fmt: skip


class Expect(tuple[str, ...]):
    """One outcome per persona, in ROLES order."""

    def __new__(cls, *outcomes: str) -> Expect:
        assert len(outcomes) == 6, outcomes
        assert set(outcomes) <= OUTCOMES, outcomes
        return super().__new__(cls, outcomes)

    def but(self, **changes: str) -> Expect:
        """The same, with some personas' outcomes changed: `COORDINATORS.but(provider_staff=OK)`."""
        from tests.conftest import ROLES

        unknown = set(changes) - set(ROLES)
        assert not unknown, unknown
        return Expect(*(changes.get(role, outcome) for role, outcome in zip(ROLES, self, strict=True)))


def every(outcome: str) -> Expect:
    """The same outcome for everyone."""
    return Expect(*[outcome] * 6)


PUBLIC = every(OK)
ACCOUNT = Expect(LOGIN, OK, OK, OK, OK, OK)  # anyone logged in, for themselves
ACCOUNT_ACTS = Expect(LOGIN, ACTS, ACTS, ACTS, ACTS, ACTS)  # anyone logged in acts for themselves
OWNER = Expect(LOGIN, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN)  # the resident's own object
STAFF_A = Expect(LOGIN, DENIED, DENIED, OK, DENIED, DENIED)  # provider A's object, its staff only
STAFF_A_OR_COORDINATOR = Expect(LOGIN, DENIED, DENIED, OK, DENIED, OK)
PROVIDERS = Expect(LOGIN, DENIED, DENIED, OK, OK, DENIED)  # any provider's staff, for their own organisation
PROVIDERS_OR_COORDINATOR = Expect(LOGIN, DENIED, DENIED, OK, OK, OK)
COORDINATORS = Expect(LOGIN, DENIED, DENIED, DENIED, DENIED, OK)
POST_ONLY = Expect(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)  # behind login_required
POST_ONLY_PUBLIC = every(NOT_ALLOWED)


def _nothing(scene: Scene) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Route:
    """A route's expected outcomes for GET and (for routes that change things) POST.

    `name`: the URL name ("catalogue:opportunity"), or for the API the path template as in the OpenAPI
    document ("/api/v1/registrations/{registration_id}/cancel"). `args`: the URL's keyword arguments
    (or the API path's parameters), built from the scene. `post_data`: the POST body (a JSON body for the
    API). `watch`: what a refused POST must leave as it was (besides every table's row count).
    `only`: when given, the personas who alone may change what `watch` returns; for everyone else it must stay
    equal even when the request goes through (ACTS), e.g. a form that ignores a field the person may not set.
    `label` tells apart several entries of one route (a draft and a published listing, say).
    """

    name: str
    get: Expect | None
    post: Expect | None = None
    args: Callable[[Scene], dict[str, Any]] = _nothing
    query: str | Callable[[Scene], str] = ""
    post_data: Callable[[Scene], dict[str, Any]] = _nothing
    watch: Callable[[Scene], Any] | None = None
    only: tuple[str, ...] | None = None
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def query_string(self, scene: Scene) -> str:
        return self.query(scene) if callable(self.query) else self.query

    @property
    def is_api(self) -> bool:
        return self.name.startswith("/api/")

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name


def area_modules() -> list[Any]:
    """The per-area modules, in the order their `build` functions run."""
    return [importlib.import_module(f"tests.security.matrix.{area}") for area in AREAS]


def all_routes() -> list[Route]:
    """Every entry of every area."""
    return [route for module in area_modules() for route in module.ENTRIES]

"""Per-client rate limits on /api/v1/, counted in the shared cache (issue 9).

A client is a token, else a logged-in account, else an address. Each gets a fixed number of
requests per calendar minute (API_RATE_LIMIT_AUTHENTICATED, API_RATE_LIMIT_ANONYMOUS; 0 turns a
limit off); past it, 429 with Retry-After (the seconds left in the minute). Fixed windows cost one
or two cache operations a request, which the load benchmark needs; their price is that a client may
send up to twice its limit across a minute's boundary, which is acceptable for fairness limits.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from learningcity.accounts.models import ApiToken
from learningcity.accounts.security import client_ip
from learningcity.accounts.token_services import TokenRejectedError, token_find

WINDOW_SECONDS = 60
KEY_PREFIX = "api-rate"


def count_request(key: str, timeout: int) -> int:
    """Count one request under `key`; the count so far (1 for the first in the window)."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def client_of(request: HttpRequest, throttle: BaseThrottle) -> tuple[str, int]:
    """Who the request counts against, and their limit per minute."""
    authenticated = int(settings.API_RATE_LIMIT_AUTHENTICATED)
    found = getattr(request, "auth", None)
    # A token counts against its owner: making more tokens does not raise anyone's limit.
    if isinstance(found, ApiToken):
        return f"user:{found.owner_id}", authenticated
    if found is None:
        found = _bearer_token(request)
        if isinstance(found, ApiToken):
            return f"user:{found.owner_id}", authenticated
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", authenticated
    return f"address:{client_ip(request) or 'unknown'}", int(settings.API_RATE_LIMIT_ANONYMOUS)


def _bearer_token(request: HttpRequest) -> ApiToken | None:
    """On public endpoints a token is optional: a good one earns the authenticated limit."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    try:
        return token_find(value)
    except TokenRejectedError:
        return None  # a bad token on open data: counted by address, like anyone


class ApiClientThrottle(BaseThrottle):
    """django-ninja throttle: a fixed window per client, shared by every process through the cache."""

    def __init__(self) -> None:
        self._last = threading.local()  # wait() follows allow_request() in the same thread

    def allow_request(self, request: HttpRequest) -> bool:
        client, limit = client_of(request, self)
        if limit <= 0:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        count = count_request(f"{KEY_PREFIX}:{client}:{window}", WINDOW_SECONDS * 2)
        self._last.wait = math.ceil((window + 1) * WINDOW_SECONDS - now)
        return count <= limit

    def wait(self) -> float | None:
        return float(getattr(self._last, "wait", WINDOW_SECONDS))


RATE_LIMITED = {
    "description": "Too many requests from this client this minute: wait `Retry-After` seconds (code `rate_limited`)",
    "headers": {"Retry-After": {"description": "Seconds until the limit resets", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorSchema"}}},
}
BEARER_SCHEME_HELP = (
    "An API token `lc_<prefix>_<secret>` made at /accounts/api-tokens/ (or `learningcity api-token create`). "
    "Scopes: `read` (reading your registrations, rosters, imports), `registrations:write`, `imports:write`. "
    "See docs/api-access.md."
)


def document_limits(schema: Any) -> Any:
    """The OpenAPI document with the 429 of every operation and the token scheme described."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(429, RATE_LIMITED)  # django-ninja keys statuses by number
    schemes = schema.get("components", {}).get("securitySchemes", {})
    if "ApiTokenAuth" in schemes:
        schemes["ApiTokenAuth"]["description"] = BEARER_SCHEME_HELP
    return schema

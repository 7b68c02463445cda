"""The API's bearer-token authentication: a token with the right scope, or the session as before.

`client_auth(write_scope)` is what a router passes as `auth=`: reads (GET, HEAD) need the `read`
scope, writes the router's own scope. The session (with its CSRF check) stays the second way in,
so the pages' own JavaScript-free forms and existing clients keep working.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from learningcity.accounts.models import ApiScope, ApiToken
from learningcity.accounts.token_services import TokenRejectedError, has_scope, token_acting_user, token_find

READING_METHODS = {"GET", "HEAD", "OPTIONS"}


class ClientError(HttpError):
    """A refusal of the token itself, with its own error code in the API's error shape."""

    code = "client_error"


class InvalidTokenError(ClientError):
    """401: the token is unknown, revoked or expired."""

    code = "invalid_token"

    def __init__(self, reason: str) -> None:
        super().__init__(401, reason)


class InsufficientScopeError(ClientError):
    """403: the token lacks the scope this operation needs."""

    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(403, f"This token lacks the scope {str(scope)!r} that this operation needs.")
        self.scope = scope


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer lc_<prefix>_<secret>`: the token's owner, within the token's scopes."""

    def __init__(self, write_scope: str) -> None:
        super().__init__()
        self.write_scope = str(write_scope)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        try:
            found = token_find(token)
        except TokenRejectedError as rejection:
            raise InvalidTokenError(rejection.reason) from rejection
        needed = ApiScope.READ.value if request.method in READING_METHODS else self.write_scope
        if not has_scope(found, needed):
            raise InsufficientScopeError(needed)
        request.user = token_acting_user(found)
        return found


def client_auth(write_scope: str) -> list[Any]:
    """A router's `auth=`: a bearer token with `read` (reads) or `write_scope` (writes), or the session."""
    return [ApiTokenAuth(write_scope), django_auth]

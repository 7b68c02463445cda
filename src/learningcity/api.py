"""The read API under /api/v1/: one error shape, limit/offset pagination, bilingual content."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from learningcity.accounts.token_auth import ClientError, InvalidTokenError
from learningcity.catalogue.api import router as catalogue_router
from learningcity.failures import RETRY_AFTER_SECONDS, failure_for
from learningcity.throttling import ApiClientThrottle, document_limits


class LimitedAPI(NinjaAPI):
    """The API whose OpenAPI document states every operation's rate limit (429) and the token scheme."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        return document_limits(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = LimitedAPI(
    title="learningcity API",
    version="1.0.0",
    description=(
        "Open data of a learning city: learning opportunities, their sessions, providers, venues and districts. "
        "Content is given in French and English. Every error has the shape "
        '`{"error": {"status", "code", "message", "details"}}`.'
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    throttle=[ApiClientThrottle()],
)
api.add_router("/", catalogue_router)
api.add_router("/", "learningcity.search.api.router")
api.add_router("/", "learningcity.enrolment.api.router")
api.add_router("/", "learningcity.interop.api.router")
api.add_router("/hsds", "learningcity.interop.hsds_api.router")
api.add_router("/passport", "learningcity.passport.api.router")


def openapi_document() -> str:
    """The OpenAPI document as committed under docs/ (stable key order, trailing newline)."""
    import json

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def error_response(
    request: HttpRequest, *, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> HttpResponse:
    """Every API error, whatever its cause, in one shape."""
    body = {"error": {"status": status, "code": code, "message": message, "details": details or []}}
    return api.create_response(request, body, status=status)


def validation_error_response(
    request: HttpRequest, error: DjangoValidationError, aliases: dict[str, str] | None = None
) -> HttpResponse:
    """A service's ValidationError as a 400, each message on its field (`aliases`: service name → API name)."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        details: list[dict[str, Any]] = [
            {"field": None if name == "__all__" else aliases.get(name, name), "message": " ".join(messages)}
            for name, messages in error.message_dict.items()
        ]
    else:
        details = [{"field": None, "message": message} for message in error.messages]
    return error_response(
        request, status=400, code="invalid_request", message="The request is not valid.", details=details
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details: list[dict[str, Any]] = []
    for error in exc.errors:
        field = _field_name(error.get("loc", []))
        if not any(detail["field"] == field for detail in details):
            details.append({"field": field, "message": error.get("msg", "")})
    return error_response(
        request, status=400, code="invalid_request", message="The request is not valid.", details=details
    )


# Query parameters are grouped in schemas (filters, page); clients know them by their own names.
PARAMETER_GROUPS = {"filters", "page"}


def _field_name(location: list[Any]) -> str | None:
    """The request field an error is about, as the client named it."""
    parts = [str(part) for part in location[1:]]
    if len(parts) > 1 and parts[0] in PARAMETER_GROUPS:
        parts = parts[1:]  # the schema that groups query parameters, not a parameter of the client's
    return parts[0] if parts else None


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message="Nothing exists at this address.")


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, status=403, code="forbidden", message=str(exc) or "Not allowed.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, status=401, code="unauthenticated", message="Log in first.")


@api.exception_handler(Throttled)
def on_rate_limited(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # django-ninja adds the Retry-After header to this response.
    message = "Too many requests from this client this minute: wait before trying again."
    return error_response(request, status=429, code="rate_limited", message=message)


@api.exception_handler(ClientError)
def on_token_refused(request: HttpRequest, exc: ClientError) -> HttpResponse:
    response = error_response(request, status=exc.status_code, code=exc.code, message=str(exc))
    if isinstance(exc, InvalidTokenError):
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, status=exc.status_code, code="http_error", message=str(exc))


@api.exception_handler(MultiPartParserError)
def on_malformed_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A client's broken body (e.g. multipart without a boundary) is its mistake, not a server error.
    return error_response(request, status=400, code="malformed_body", message=f"The request body is malformed: {exc}")


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"The request body is larger than the limit of {limit} bytes (UPLOAD_MAX_BYTES)."
    return error_response(request, status=413, code="too_large", message=message)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
@api.exception_handler(OSError)
def on_outage(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database restarting (503) or a full disk (507) is an outage to wait out, not a bug.
    failure = failure_for(exc)
    if failure is None:
        return on_server_error(request, exc)
    status, code, message = failure
    response = error_response(request, status=status, code=code, message=message)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(Exception)
def on_server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    import logging

    logging.getLogger("learningcity.api").exception("Unhandled API error")
    return error_response(request, status=500, code="server_error", message="Something went wrong on our side.")

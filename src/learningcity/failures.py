"""Failures that are not bugs, told clearly: the database is unreachable (503), the disk is full (507).

During a database restart a request fails with Django's OperationalError/InterfaceError; instead of a
500 traceback page the visitor gets a 503 "try again shortly" (the API its usual error shape), with
Retry-After. The connection is health-checked at the next request (CONN_HEALTH_CHECKS), so the site
recovers by itself once the database is back. Writes run in `transaction.atomic`, so an interrupted
one leaves nothing behind. A full disk (ENOSPC, EDQUOT) while saving an upload gets a 507 that says
so; learningcity.storage has already removed the partial file. The same holds when the database
fails outside a view, in a middleware (reading a logged-in visitor's session or account, saving the
session afterwards): Django's 500 handler (`server_error`) answers 503 for an outage.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("learningcity.failures")
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
RETRY_AFTER_SECONDS = 10


def is_database_unavailable(error: BaseException) -> bool:
    """Whether the error means the database cannot be reached right now."""
    return isinstance(error, OperationalError | InterfaceError)


def is_disk_full(error: BaseException) -> bool:
    """Whether the error means there is no room left to write a file."""
    return isinstance(error, OSError) and error.errno in DISK_FULL


def failure_for(error: BaseException) -> tuple[int, str, str] | None:
    """(status, code, message) for an error that is an outage rather than a bug, else None."""
    if is_database_unavailable(error):
        return 503, "unavailable", _("The service is briefly unavailable. Please try again in a few moments.")
    if is_disk_full(error):
        return (
            507,
            "insufficient_storage",
            _("The server has no room left to store this file. Nothing was saved; please try again later."),
        )
    return None


def page_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """A plain, accessible page (no database needed to render it)."""
    context = {"status": status, "message": message, "language": get_language() or "fr"}
    body = render_to_string("failures/unavailable.html", context, request=None)
    response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _discard_spooled(request: HttpRequest) -> None:
    """Close (and so delete) the temporary file an upload handler was writing when the disk filled."""
    for handler in request.upload_handlers:
        spooled = getattr(handler, "file", None)
        if spooled is not None:
            spooled.close()


def _is_api(request: HttpRequest) -> bool:
    """API requests are parsed by django-ninja, which reports errors in the API's own shape."""
    return request.path.startswith("/api/")


class OutageMiddleware:
    """Turns an outage raised by a page (database down, disk full) into a clear 503 or 507 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data" and not _is_api(request):
            # Parse the upload here, before the CSRF check reads it: a full disk while spooling the
            # upload to FILE_UPLOAD_TEMP_DIR would otherwise be a 500 raised outside any view.
            try:
                request.FILES  # noqa: B018 (parses the body once; Django keeps the result)
            except OSError as error:
                failure = failure_for(error)
                if failure is None:
                    raise
                _discard_spooled(request)
                return page_response(request, failure[0], failure[2])
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        failure = failure_for(exception)
        if failure is None:
            return None
        status, code, message = failure
        logger.warning("%s on %s: %s", code, request.path, exception)
        return page_response(request, status, message)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler (urls.handler500): an outage raised outside a view is still a 503 or 507.

    Errors in views are turned into outages by OutageMiddleware and the API's handlers; this covers
    the middleware around them (the session and the account read before the view, the session saved
    after it), where Django calls this handler while the error is being handled.
    """
    error = sys.exc_info()[1]
    failure = failure_for(error) if error is not None else None
    if error is None or failure is None:
        return defaults.server_error(request)
    logger.warning("%s outside a view on %s: %s", failure[1], request.path, error)
    if _is_api(request):
        from learningcity.api import on_outage  # the API module imports this one

        return on_outage(request, error)  # type: ignore[arg-type]  # an Exception: failure_for said so
    return page_response(request, failure[0], failure[2])

"""Django's 500 handler: an outage met outside a view (in a middleware) is a 503 in the page's or the API's shape."""

from __future__ import annotations

import json

from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from learningcity import failures


def handled(path: str, error: Exception) -> HttpResponse:
    """What the handler answers while `error` is being handled, as Django calls it."""
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:  # the handler reads the error being handled, as Django calls it
        return failures.server_error(request)


def test_a_database_outage_outside_a_view_is_a_503_page() -> None:
    response = handled("/en/registrations/", OperationalError("server closed the connection unexpectedly"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "<h1>" in response.content.decode()


def test_in_the_api_it_is_a_503_in_the_api_shape() -> None:
    response = handled("/api/v1/registrations", OperationalError("server closed the connection unexpectedly"))
    assert response.status_code == 503
    assert json.loads(response.content)["error"]["code"] == "unavailable"


def test_a_bug_is_still_a_500() -> None:
    assert handled("/en/", RuntimeError("a bug")).status_code == 500

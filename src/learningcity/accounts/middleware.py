"""Sends a logged-in person to the second factor before any other page, when they must pass it.

Runs after django-otp's OTPMiddleware (which tells whether this session passed the second factor):
- someone with an authenticator goes to the verify page after their password;
- a coordinator or admin without one goes to the set-up page (TWO_FACTOR_REQUIRED, on by default).
Logging out, the two-factor pages, the language switch and the health check stay open; the API
answers 403 in its own error shape instead of redirecting. This also covers the Django admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from learningcity.accounts import two_factor

# Views a person who has not passed the second factor yet may still reach.
OPEN_VIEWS = {
    "accounts:logout",
    "accounts:two-factor-verify",
    "accounts:two-factor-setup",
    "switch-language",
    "set_language",
    "reading-mode",
    "healthz",
    "manifest",
    "javascript-catalog",
}
OPEN_PREFIXES = ("/static/", "/media/")


class TwoFactorMiddleware:
    """Redirect to verifying or setting up two-factor authentication until the session has passed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if not user.is_authenticated or user.is_verified() or self.is_open(request):
            return self.get_response(request)
        needs = two_factor.two_factor_needs(user)
        if needs.must_verify:
            return self.refuse(request, "accounts:two-factor-verify")
        if needs.must_set_up:
            return self.refuse(request, "accounts:two-factor-setup")
        if needs.required_by_role:  # two-factor switched off (the demo): a staff session still ends early
            two_factor.session_limit_for_staff(request)
        return self.get_response(request)

    @staticmethod
    def is_open(request: HttpRequest) -> bool:
        if request.path_info.startswith(OPEN_PREFIXES):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in OPEN_VIEWS

    @staticmethod
    def refuse(request: HttpRequest, view_name: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            body = {
                "error": {
                    "status": 403,
                    "code": "two_factor_required",
                    "message": "This account must pass two-factor authentication in the browser first.",
                    "details": [],
                }
            }
            return JsonResponse(body, status=403)
        target = reverse(view_name)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)

"""Login throttling and lockout with django-axes: who is counted, and the page a locked-out person sees.

Failures are counted per (e-mail address, client address): after AXES_FAILURE_LIMIT failures in
AXES_COOLOFF minutes that pair is refused until the cool-off ends. The address is counted whether or
not an account uses it, and the page says the same thing in both cases, so it reveals nothing.
Operators unlock with axes' own commands (docs/accounts-security.md).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses logins of a locked-out (address, client) pair; lets the next backend check the password.

    Axes can only count what arrives in a request. `authenticate()` called without one (a shell, a
    management command, Django's test `Client.login`) is not throttled rather than refused.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The e-mail address being tried, in the form accounts store it, so ``Alice@`` and ``alice@`` count as one."""
    credentials = credentials or {}
    raw = credentials.get("username") or credentials.get("email") or request.POST.get("username")
    return str(raw).strip().lower() if raw else None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the one TRUSTED_PROXY_COUNT proxies in front of us recorded
    (an IPv6 address stands for its /64 network: one subscriber, one client).

    Only the last entries of X-Forwarded-For are trusted (each proxy appends the address it saw); the
    client can write anything to the left of them.
    """
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return _subscriber(remote)
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if not forwarded:
        return _subscriber(remote)
    return _subscriber(forwarded[-min(proxies, len(forwarded))])  # as the API's rate limits read it


def _subscriber(address: str | None) -> str | None:
    """One IPv6 subscriber holds a whole /64 (2^64 addresses): count it as one client, by its network."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def cool_off() -> timedelta:
    """How long a locked-out pair waits (AXES_COOLOFF minutes)."""
    return get_cool_off() or timedelta(minutes=15)


def unlocks_at(request: HttpRequest, credentials: dict[str, Any] | None) -> datetime:
    """When the pair this request tried may log in again: its last counted failure plus the cool-off."""
    attempts = AccessAttempt.objects.filter(
        username=login_username(request, credentials), ip_address=getattr(request, "axes_ip_address", None)
    )
    last = attempts.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    return (last or timezone.now()) + cool_off()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The page shown instead of the login form once the pair is locked out (429, with Retry-After)."""
    until = unlocks_at(request, credentials)
    seconds = max(60, int((until - timezone.now()).total_seconds()))
    context = {"until": until, "minutes": (seconds + 59) // 60}
    response = render(request, "accounts/lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response

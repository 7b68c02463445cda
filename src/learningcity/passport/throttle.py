"""How many credentials one address may verify per minute (the verify page and API need no login).

Verification is bounded per credential (crypto.check_plain and the canonicalisation budget); this
bounds how often. The count lives in Django's cache: configure a shared cache (CACHES) when the
instance runs several processes, or each process counts on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from learningcity.accounts.security import client_ip
from learningcity.throttling import count_request

WINDOW_SECONDS = 60


def verification_allowed(request: HttpRequest) -> bool:
    """Count one verification for the request's address; False past PASSPORT_VERIFICATIONS_PER_MINUTE."""
    key = f"passport:verifications:{client_ip(request) or 'unknown'}"  # behind proxies: TRUSTED_PROXY_COUNT
    count = count_request(key, WINDOW_SECONDS)  # the window starts at the first verification
    return count <= int(settings.PASSPORT_VERIFICATIONS_PER_MINUTE)

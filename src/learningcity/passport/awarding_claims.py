"""Claim codes: a resident types the code given at an event (or scans its QR code) and gets the achievement.

Codes are long and random (10 characters from 31, about 8·10^14 possibilities), and each person may
get a code wrong only `CLAIM_ATTEMPTS_PER_HOUR` times an hour, so codes cannot be guessed.
The count lives in Django's cache: configure a shared cache (CACHES) when running several processes.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from learningcity.passport import services
from learningcity.passport.models import Achievement, Award, AwardMethod

CLAIM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and copied by hand
CLAIM_CODE_LENGTH = 10
CLAIM_ATTEMPTS_PER_HOUR = 10
WINDOW_SECONDS = 3600


class ClaimError(Exception):
    """A code that gives nothing; `code` for programs and tests, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def new_claim_code() -> str:
    """A fresh random code, e.g. `K7QX2M9HTA`."""
    return "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(CLAIM_CODE_LENGTH))


def normalise_code(text: str) -> str:
    """The code as stored: upper case, without spaces (people type `k7qx 2m9h ta`)."""
    return "".join((text or "").split()).upper()


def _failures_key(user: Any) -> str:
    return f"passport:claim-failures:{user.pk}"


def attempts_left(user: Any) -> int:
    return max(0, CLAIM_ATTEMPTS_PER_HOUR - int(cache.get(_failures_key(user), 0)))


def _count_failure(user: Any) -> None:
    key = _failures_key(user)
    cache.add(key, 0, WINDOW_SECONDS)  # the window starts at the first wrong code
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)


def _refuse(user: Any, code: str, message: str) -> ClaimError:
    _count_failure(user)
    return ClaimError(code, message)


def find_claimable(user: Any, code: str) -> Achievement:
    """The achievement whose claim code is open, or ClaimError (wrong and expired codes count as attempts)."""
    if attempts_left(user) <= 0:
        raise ClaimError(
            "rate_limited", _("Too many wrong codes. For safety, try again in an hour or ask the organiser.")
        )
    code = normalise_code(code)
    if len(code) < 6:
        raise _refuse(user, "wrong", _("This code is not valid. Check it and type it again."))
    found = list(Achievement.objects.filter(claim_code__iexact=code).select_related("city", "organisation"))
    if not found:
        raise _refuse(user, "wrong", _("This code is not valid. Check it and type it again."))
    open_now = [achievement for achievement in found if achievement.claim_open()]
    if not open_now:
        raise _refuse(user, "expired", _("This code has expired: it can no longer be used."))
    return open_now[0]


def holds(user: Any, achievement: Achievement) -> bool:
    return Award.objects.filter(
        achievement=achievement, recipient=user, family_member__isnull=True, revoked_at__isnull=True
    ).exists()


def claim(*, user: Any, code: str) -> Award:
    """Award the achievement of an open code to the person typing it (method `claim`)."""
    achievement = find_claimable(user, code)
    if holds(user, achievement):
        raise ClaimError("held", _("You already hold this achievement."))
    try:
        return services.award(achievement, services.Holder(user=user), by=None, method=AwardMethod.CLAIM)
    except services.AwardError as error:
        raise ClaimError("refused", str(error)) from error

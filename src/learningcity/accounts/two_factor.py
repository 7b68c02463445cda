"""TOTP two-factor authentication (django-otp): who needs it, setting it up, verifying, recovery codes.

Coordinators and admins must use it (TWO_FACTOR_REQUIRED, on by default); anyone else may turn it on.
A person with a confirmed authenticator is asked for a code after every password login. Recovery
codes (django-otp's static plugin) each work once, for a lost phone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningcity.accounts.models import User

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


@dataclass(frozen=True)
class TwoFactorNeeds:
    """What a logged-in person must do before using the site."""

    has_authenticator: bool  # they set it up: a code is asked after every password login
    required_by_role: bool  # coordinator or admin: they must set it up (when TWO_FACTOR_REQUIRED)

    @property
    def must_verify(self) -> bool:
        return self.has_authenticator

    @property
    def must_set_up(self) -> bool:
        return not self.has_authenticator and self.required_by_role and two_factor_required()


def two_factor_required() -> bool:
    """Coordinators and admins must use two-factor (TWO_FACTOR_REQUIRED; only the demo turns it off)."""
    return bool(getattr(settings, "TWO_FACTOR_REQUIRED", True))


def needs_annotations() -> dict[str, Exists]:
    """What `two_factor_needs` asks of the database, as annotations of a User query.

    The request's user is read with them (accounts.backends.AccountBackend), so that the check every
    request of a logged-in person goes through costs no query of its own.
    """
    return {
        "has_confirmed_authenticator": Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
        "coordinates_a_city": Exists(User.coordinated_cities.through.objects.filter(user_id=OuterRef("pk"))),
    }


def two_factor_needs(user: Any) -> TwoFactorNeeds:
    """Whether `user` has an authenticator and whether their role requires one.

    Read from the annotations of `needs_annotations` when the user was loaded with them (the request's
    user), else in one query.
    """
    flags = (getattr(user, "has_confirmed_authenticator", None), getattr(user, "coordinates_a_city", None))
    if None in flags:
        query = User.objects.filter(pk=user.pk).values_list(*needs_annotations().values())
        flags = query.get()
    has_authenticator, coordinator = flags
    return TwoFactorNeeds(
        has_authenticator=bool(has_authenticator),
        required_by_role=bool(user.is_superuser or user.is_staff or coordinator),
    )


def required_by_role(user: Any) -> bool:
    """Coordinators and admins (superusers, staff with admin access, anyone coordinating a city)."""
    return bool(user.is_superuser or user.is_staff or user.coordinated_cities.exists())


def authenticator(user: Any) -> TOTPDevice | None:
    """The person's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


PENDING_KEY = "two_factor_pending_device"


def pending_authenticator(request: Any, *, fresh: bool) -> TOTPDevice:
    """The not-yet-confirmed authenticator this browser session is setting up.

    `fresh` (each time the set-up page is shown): a new secret, and any other unconfirmed one of the
    person is deleted, so a secret seen earlier (by someone else who had the password, say) can never
    be the one confirmed later. Confirming takes only the device this session was shown.
    """
    user = request.user
    device = None
    if not fresh:
        device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=request.session.get(PENDING_KEY)).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        request.session[PENDING_KEY] = device.pk
    return device


def pending_forget(user: Any) -> None:
    """Drop unconfirmed authenticators (after a password change or reset: their secrets may have been seen)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an authenticator app by hand."""
    encoded = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(encoded[index : index + 4] for index in range(0, len(encoded), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (an <img>, no script: the CSP forbids inline script)."""
    code = segno.make(device.config_url, error="m")
    return str(code.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))


def clean_token(token: str) -> str:
    """A typed code without spaces or dashes, lower case (recovery codes are shown in lower case)."""
    return "".join(character for character in token if character.isalnum()).lower()


@transaction.atomic
def authenticator_confirm(*, user: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new authenticator with its first code; replaces any older one. Returns fresh recovery codes.

    None when the code is wrong: nothing changes.
    """
    if device.user_id != user.pk or device.confirmed or not device.verify_token(clean_token(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user: Any) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODE_COUNT new ones (the old ones stop working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user: Any) -> int:
    """How many unused recovery codes the person has."""
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def two_factor_verify(*, user: Any, token: str) -> Device | None:
    """The device (authenticator, or recovery codes) that accepts `token`, or None.

    A code from the authenticator works once (django-otp refuses a replay) and repeated failures are
    slowed down exponentially by django-otp's throttling; a recovery code is deleted when used.
    """
    token = clean_token(token)
    if not token:
        return None
    with transaction.atomic():
        devices: list[Device] = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        for device in devices:
            if device.verify_token(token):
                return device
    return None


def verification_wait(user: Any) -> int:
    """Seconds before the authenticator accepts another try after repeated wrong codes (0: none)."""
    device = authenticator(user)
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)


@transaction.atomic
def two_factor_disable(*, user: Any) -> None:
    """Remove the person's authenticator and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def session_verify(request: HttpRequest, device: Device) -> None:
    """Mark this session as having passed the second factor; a staff session then lasts STAFF_SESSION_AGE at most."""
    request.session.cycle_key()  # a new session id at each step up in privilege
    otp_login(request, device)
    if required_by_role(request.user):
        session_limit_for_staff(request)


def session_limit_for_staff(request: HttpRequest) -> None:
    """A coordinator's or admin's session ends STAFF_SESSION_AGE seconds after it started, active or not."""
    if "_session_expiry" not in request.session:
        request.session.set_expiry(timezone.now() + timedelta(seconds=int(settings.STAFF_SESSION_AGE)))


def session_is_verified(request: HttpRequest) -> bool:
    """The session passed the second factor (the OTP middleware checked the device still exists)."""
    user: Any = request.user
    return bool(user.is_authenticated and DEVICE_ID_SESSION_KEY in request.session and user.is_verified())

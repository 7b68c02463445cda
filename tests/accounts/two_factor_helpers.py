"""Two-factor helpers for tests: a session that passed the second factor, and the codes an app would show."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from learningcity.accounts import two_factor
from learningcity.accounts.models import User


def pass_second_factor(client: Client) -> None:
    """If the client's person must pass two-factor, mark its session as having passed it with their authenticator.

    Someone without one gets a confirmed authenticator first: what a coordinator has after setting it up.
    """
    session: Any = client.session
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return
    user = User.objects.get(pk=user_id)
    needs = two_factor.two_factor_needs(user)
    if not (needs.has_authenticator or needs.required_by_role):
        return
    device = two_factor.authenticator(user) or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or `steps_ahead` 30-second steps later), as they would type it."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"

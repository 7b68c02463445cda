"""Background jobs used by the fault tests: they block at a point the test controls."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_two_with_a_pause(first: str, second: str, gate: str) -> int:
    """Mail `first`, then wait until the file `gate`.open exists, then mail `second`."""
    sent = send_mail("First message", "Sent before the pause.", settings.DEFAULT_FROM_EMAIL, [first])
    Path(gate + ".reached").touch()
    while not Path(gate + ".open").exists():
        time.sleep(0.05)
    sent += send_mail("Second message", "Sent after the pause.", settings.DEFAULT_FROM_EMAIL, [second])
    return sent

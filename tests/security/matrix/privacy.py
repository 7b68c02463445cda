"""Privacy: the privacy notice, a person's own data (consents, export, erasure), the staff access log."""

from __future__ import annotations

from typing import Any

from learningcity.accounts.models import User
from tests.factories import PASSWORD
from tests.security.matrix import ACCOUNT, ACCOUNT_ACTS, COORDINATORS, POST_ONLY, PUBLIC, Route
from tests.security.scene import Scene


def alice(scene: Scene) -> Any:
    """The resident's account as stored: each person consents for, or erases, themselves only."""
    return list(User.objects.filter(pk=scene.resident.pk).values()), list(scene.resident.consent_records.values())


ENTRIES = [
    Route("privacy:notice", get=PUBLIC),
    Route("privacy:my-data", get=ACCOUNT),
    Route("privacy:consent", get=POST_ONLY, post=ACCOUNT_ACTS, watch=alice, only=("resident",)),
    Route("privacy:export", get=ACCOUNT),
    # Each persona erases their own account with their own password; Alice's stays unless she is the one.
    Route(
        "privacy:erase",
        get=ACCOUNT,
        post=ACCOUNT_ACTS,
        post_data=lambda s: {"password": PASSWORD, "confirm": "on"},
        watch=alice,
        only=("resident",),
    ),
    Route("privacy:access-log", get=COORDINATORS),
]

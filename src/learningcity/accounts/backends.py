"""The authentication backend: Django's ModelBackend, with the request's user read in one query.

Every request of a logged-in person reads their account (AuthenticationMiddleware) and then asks
whether they must pass or set up the second factor (accounts.middleware.TwoFactorMiddleware). Both
come from the same SELECT here: the user row with two EXISTS annotations (accounts.two_factor).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from learningcity.accounts import two_factor
from learningcity.accounts.models import User


class AccountBackend(ModelBackend):
    """Password login as ModelBackend; the session's user comes with what two-factor needs to know."""

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.annotate(**two_factor.needs_annotations()).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

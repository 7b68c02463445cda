"""Who may see and change what in the voucher scheme."""

from __future__ import annotations

from typing import Any

from learningcity.catalogue.permissions import is_coordinator_of
from learningcity.credits.models import Account


def can_manage_credits(user: Any, city_id: int) -> bool:
    """Only the city's coordinators run its schemes, check identities and read its ledger."""
    return is_coordinator_of(user, city_id)


def can_view_account(user: Any, account: Account) -> bool:
    """A resident sees their own credit; the city's coordinators see every account of its schemes."""
    if not user.is_authenticated:
        return False
    return bool(account.user_id == user.pk or can_manage_credits(user, account.scheme.city_id))

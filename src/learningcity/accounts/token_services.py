"""API tokens: create (the secret shown once), revoke, and find the token a request carries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from learningcity.accounts.models import ApiToken, Membership, User
from learningcity.catalogue.models import City, Organisation

TOKEN_PREFIX = "lc"  # noqa: S105 (the public start of every token, not a secret)
PREFIX_BYTES = 4  # 8 hex digits: finds the row; the secret proves the token
SECRET_BYTES = 32  # 256 bits of randomness
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most this often
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret value, which exists nowhere else once shown."""

    token: ApiToken
    value: str


class TokenRejectedError(Exception):
    """The bearer token is unknown, revoked, expired, or its owner may no longer use it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_hash(value: str) -> str:
    """The stored form of a token: its SHA-256 (a 256-bit random secret needs no slow hash)."""
    return hashlib.sha256(value.encode()).hexdigest()


def bindable_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations a person may bind a token to: those they work for."""
    return Organisation.objects.filter(memberships__user_id=user.pk).order_by("name").distinct()


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first."""
    return ApiToken.objects.filter(owner_id=user.pk).select_related("organisation")


MAX_TOKENS_PER_PERSON = 20  # working (not revoked, not expired) tokens one account may hold


def token_create(
    *,
    owner: User,
    name: str,
    scopes: list[str],
    organisation: Organisation | None = None,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Make a token for `owner`; the returned value is the only copy of its secret."""
    now = timezone.now()
    if organisation is not None and not Membership.objects.filter(user=owner, organisation=organisation).exists():
        raise ValidationError({"organisation": _("You can only bind a token to an organisation you work for.")})
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    working = ApiToken.objects.filter(owner=owner, revoked_at__isnull=True).exclude(expires_at__lte=now)
    if working.count() >= MAX_TOKENS_PER_PERSON:
        raise ValidationError(
            {"name": _("You have %(count)d tokens that work: revoke one you no longer use first.")
             % {"count": MAX_TOKENS_PER_PERSON}}
        )  # fmt: skip
    for _attempt in range(5):
        prefix = secrets.token_hex(PREFIX_BYTES)
        value = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        token = ApiToken(
            owner=owner, name=name.strip(), scopes=sorted(set(scopes)), organisation=organisation,
            prefix=prefix, token_hash=token_hash(value), created_at=now, expires_at=expires_at,
        )  # fmt: skip
        token.full_clean(exclude=["prefix", "token_hash"])
        try:
            with transaction.atomic():
                token.save()
        except IntegrityError:  # the same 8-digit prefix already exists: draw again
            continue
        return IssuedToken(token=token, value=value)
    raise RuntimeError("Could not draw a unique token prefix")


def token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    """Stop a token at once; only its owner revokes it (revoking twice changes nothing)."""
    if token.owner_id != getattr(by, "pk", None):
        raise PermissionDenied(_("This token is not yours."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token


def token_find(value: str) -> ApiToken:
    """The active token whose secret is `value`, its last use noted; TokenRejectedError says why not."""
    parts = value.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        raise TokenRejectedError("The token is not a learningcity API token (lc_<prefix>_<secret>).")
    token = ApiToken.objects.select_related("owner").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_hash(value.strip())):
        raise TokenRejectedError("The token is unknown.")
    if token.revoked_at is not None:
        raise TokenRejectedError("The token was revoked.")
    if token.expires_at is not None and token.expires_at <= timezone.now():
        raise TokenRejectedError("The token has expired.")
    if not token.owner.is_active:
        raise TokenRejectedError("The token's owner can no longer sign in.")
    if (
        token.organisation_id is not None
        and not Membership.objects.filter(user_id=token.owner_id, organisation_id=token.organisation_id).exists()
    ):
        raise TokenRejectedError("The token's owner no longer works for its organisation.")
    _note_use(token)
    return token


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def token_acting_user(token: ApiToken) -> User:
    """Who the API sees: the owner, or for an organisation token its staff role there and nothing more.

    The permission rules read `user.memberships` and `user.coordinated_cities`; a copy of the owner
    whose related managers are pre-filled (Django's prefetch cache) shows them only the token's
    organisation and no city, and the copy is never an admin. It is never saved.
    """
    owner = token.owner
    if token.organisation_id is None:
        return owner
    fields = User._meta.concrete_fields
    names = [field.attname for field in fields]
    actor = User.from_db(owner._state.db, names, [getattr(owner, name) for name in names])
    actor.is_superuser = actor.is_staff = False
    actor._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "memberships": Membership.objects.filter(user_id=owner.pk, organisation_id=token.organisation_id),
        "coordinated_cities": City.objects.none(),
    }
    # Saving would write is_superuser=False to the owner.
    actor.save = _never_saved  # type: ignore[method-assign]
    return actor


def _never_saved(*args: Any, **kwargs: Any) -> None:
    raise TypeError("The view of a token's owner is never saved.")


def has_scope(token: ApiToken, scope: str) -> bool:
    """The token was given `scope`."""
    return scope in (token.scopes or [])

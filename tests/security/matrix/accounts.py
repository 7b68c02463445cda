"""Accounts: log in and out, sign up, the account page, address verification, the family list, password reset
and change, two-factor authentication, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from learningcity.accounts import token_services
from learningcity.accounts.models import ApiToken, FamilyMember
from learningcity.accounts.services import email_verification_token, family_member_add
from tests.security.matrix import (
    ACCOUNT,
    ACCOUNT_ACTS,
    ACTS,
    BAD,
    HIDDEN,
    LOGIN,
    NOT_ALLOWED,
    POST_ONLY,
    PUBLIC,
    REDIRECT,
    Expect,
    Route,
    every,
)
from tests.security.scene import Scene

OWNER_DONE = Expect(LOGIN, REDIRECT, HIDDEN, HIDDEN, HIDDEN, HIDDEN)


def build(scene: Scene) -> None:
    """Alice's child on her family list, and an API token of hers."""
    scene.add("family_member", family_member_add(account=scene.resident, name="Léo", year_of_birth=2016))
    issued = token_services.token_create(owner=scene.resident, name="Mine", scopes=["read"])
    scene.add("api_token", issued.token)


def _member(scene: Scene) -> Any:
    return list(FamilyMember.objects.filter(pk=scene["family_member"].pk).values())


def tokens(scene: Scene) -> Any:
    return list(ApiToken.objects.order_by("pk").values())


def _reset_link(scene: Scene) -> dict[str, Any]:
    user = scene.resident
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


ENTRIES = [
    Route("accounts:login", get=PUBLIC, post=every(ACTS)),
    # Django's LogoutView answers POST only; logging out is open to anyone (a no-op when logged out).
    Route("accounts:logout", get=every(NOT_ALLOWED), post=every(REDIRECT)),
    Route("accounts:signup", get=PUBLIC, post=every(ACTS)),
    Route("accounts:account", get=ACCOUNT),
    Route("accounts:verification", get=ACCOUNT, post=ACCOUNT_ACTS),
    # The link in the e-mail verifies whoever follows it (the token is the proof), then sends them on
    # (to log in, when they are not).
    Route(
        "accounts:verify",
        get=every(REDIRECT).but(anonymous=LOGIN),
        args=lambda s: {"token": email_verification_token(s.resident)},
    ),
    Route("accounts:family", get=ACCOUNT, post=ACCOUNT_ACTS),
    Route(
        "accounts:family-remove",
        get=POST_ONLY,
        post=OWNER_DONE,
        args=lambda s: {"pk": s["family_member"].pk},
        watch=_member,
    ),
    Route(
        "accounts:password-reset", get=PUBLIC, post=every(ACTS), post_data=lambda s: {"email": "alice@resident.test"}
    ),
    Route("accounts:password-reset-sent", get=PUBLIC),
    # A valid link (whoever follows it: it is the proof) goes on to the form that sets the new password.
    Route("accounts:password-reset-confirm", get=every(REDIRECT), args=_reset_link),
    Route("accounts:password-change", get=ACCOUNT, post=ACCOUNT_ACTS),
    Route("accounts:two-factor", get=ACCOUNT),
    Route("accounts:two-factor-setup", get=ACCOUNT, post=ACCOUNT_ACTS, post_data=lambda s: {"token": "000000"}),
    # Nothing to verify: the personas either have no authenticator or already passed it this session.
    Route(
        "accounts:two-factor-verify",
        get=Expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        post=Expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        post_data=lambda s: {"token": "000000"},
    ),
    Route("accounts:two-factor-recovery-codes", get=POST_ONLY, post=ACCOUNT_ACTS),
    Route("accounts:two-factor-disable", get=POST_ONLY, post=ACCOUNT_ACTS, post_data=lambda s: {"token": "000000"}),
    Route(
        "accounts:api-tokens",
        get=ACCOUNT,
        post=ACCOUNT_ACTS,
        post_data=lambda s: {"name": "Script", "scopes": ["read"]},
        watch=tokens,
    ),
    # A token bound to provider A's organisation: only its staff may make one. Staff of provider B are told it is
    # not theirs; people who work for no provider have no such field (theirs is made unbound).
    Route(
        "accounts:api-tokens",
        get=None,
        post=Expect(LOGIN, ACTS, ACTS, ACTS, BAD, ACTS),
        post_data=lambda s: {"name": "Script", "scopes": ["imports:write"], "organisation": s.world.org_a.pk},
        watch=lambda s: list(ApiToken.objects.filter(organisation=s.world.org_a).values()),
        only=("provider_staff",),
        label="bound to provider A",
    ),
    Route(
        "accounts:api-token-revoke",
        get=POST_ONLY,
        post=OWNER_DONE,
        args=lambda s: {"pk": s["api_token"].pk},
        watch=tokens,
    ),
]

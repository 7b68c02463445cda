"""`learningcity api-token create|list|revoke`: API tokens from the command line (the coordinator's tool)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click


def setup_django() -> None:
    from learningcity.cli import setup_django as setup  # imported late: learningcity.cli registers this group

    setup()


def fail(message: str) -> None:
    from learningcity.cli import fail as stop

    stop(message)


SCOPE_NAMES = ["read", "registrations:write", "imports:write"]


@click.group("api-token", help="Make, list and revoke API tokens (docs/api-access.md).")
def api_token() -> None:
    """The command group."""


@api_token.command("create")
@click.option("--owner", required=True, help="E-mail address of the account the token acts as.")
@click.option("--name", required=True, help="What will use the token.")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPE_NAMES), help="Repeatable.")
@click.option("--organisation", type=int, default=None, help="Id of an organisation the owner works for.")
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day it works (YYYY-MM-DD).")
def create(owner: str, name: str, scopes: tuple[str, ...], organisation: int | None, expires: datetime | None) -> None:
    """Make a token and print it (the only time it is shown)."""
    setup_django()
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from learningcity.accounts.models import User
    from learningcity.accounts.token_services import token_create
    from learningcity.catalogue.models import Organisation

    user = User.objects.filter(email__iexact=owner.strip()).first()
    if user is None:
        fail(f"No account with the e-mail address {owner}.")
    bound = None
    if organisation is not None:
        bound = Organisation.objects.filter(pk=organisation).first()
        if bound is None:
            fail(f"No organisation with id {organisation}.")
    try:
        issued = token_create(
            owner=user, name=name, scopes=list(scopes), organisation=bound,  # type: ignore[arg-type]
            expires_at=_end_of(expires.date(), settings.TIME_ZONE) if expires else None,
        )  # fmt: skip
    except ValidationError as error:
        fail("; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()))
    click.echo(issued.value)
    click.echo(f"Token {issued.token.pk} made; it is shown only now: keep it secret.", err=True)


def _end_of(day: date, zone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(zone))


@api_token.command("list")
@click.option("--owner", default=None, help="Only this account's tokens.")
def list_tokens(owner: str | None) -> None:
    """One line per token: id, prefix, owner, organisation, scopes, state, last use."""
    setup_django()
    from learningcity.accounts.models import ApiToken

    tokens = ApiToken.objects.select_related("owner", "organisation").order_by("id")
    if owner:
        tokens = tokens.filter(owner__email__iexact=owner.strip())
    for token in tokens:
        state = "revoked" if token.revoked_at else ("active" if token.is_active else "expired")
        used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never"
        organisation = token.organisation.name if token.organisation else "-"
        scopes = ",".join(token.scopes)
        click.echo(f"{token.pk}\tlc_{token.prefix}_…\t{token.owner.email}\t{organisation}\t{scopes}\t{state}\t{used}")


@api_token.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token by its id (see `list`); it stops working at once."""
    setup_django()
    from learningcity.accounts.models import ApiToken
    from learningcity.accounts.token_services import token_revoke

    token = ApiToken.objects.select_related("owner").filter(pk=token_id).first()
    if token is None:
        fail(f"No token with id {token_id}.")
    assert token is not None  # fail() raised otherwise
    token_revoke(token=token, by=token.owner)
    click.echo(f"Token {token_id} is revoked.")

"""`learningcity passport ...`: bulk awards from a CSV file, signing-key rotation, the keys' encryption key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def _setup() -> None:
    from learningcity.cli import setup_django  # imported late: learningcity.cli registers this group

    setup_django()


@click.group("passport")
def passport() -> None:
    """The learning passport: award from a CSV file, rotate signing keys, re-encrypt private keys."""


@passport.command("award")
@click.option("--achievement", "achievement_uuid", required=True, help="The achievement's UUID (see its page).")
@click.option(
    "--csv", "csv_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Columns: email (required), name, note, evidence_url.",
)  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Print each row's outcome; award nobody.")
@click.option("--valid-rows-only", is_flag=True, help="Award the valid rows even if some rows have errors.")
def award_command(achievement_uuid: str, csv_path: Path, dry_run: bool, valid_rows_only: bool) -> None:
    """Award an achievement to everyone in a CSV file: all or nothing, nobody twice."""
    _setup()
    from django.core.exceptions import ValidationError

    from learningcity.passport import awarding_csv

    achievement = _achievement(achievement_uuid)
    try:
        lines = awarding_csv.parse(csv_path.read_bytes())
    except awarding_csv.CsvRejected as error:
        raise click.ClickException(str(error)) from error
    checked = awarding_csv.preview(achievement, lines)
    for row in checked.rows:
        detail = f"\t{row.detail}" if row.detail else ""
        click.echo(f"row {row.line.row}\t{row.line.email}\t{row.outcome}{detail}")
    counts = ", ".join(f"{outcome}: {count}" for outcome, count in checked.counts.items())
    click.echo(f"{len(checked.rows)} rows ({counts}).")
    if dry_run:
        click.echo("Dry run: nobody was awarded.")
        return
    try:
        # The operator at the command line is trusted like the issuer's staff; `awarded_by` stays empty.
        result = awarding_csv.write_awards(
            achievement=achievement, by=None, lines=lines, valid_rows_only=valid_rows_only
        )
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from error
    click.echo(f"{result.awarded} awarded, {result.held} already held it, {result.left_out} rows left out.")


def _achievement(value: str) -> Any:
    from django.core.exceptions import ValidationError

    from learningcity.passport.models import Achievement

    try:
        found = Achievement.objects.select_related("city", "organisation").filter(uuid=value).first()
    except ValidationError:
        found = None
    if found is None:
        raise click.ClickException(f"No achievement {value!r}: give the UUID shown in its address.")
    return found


@passport.command("rotate-key")
@click.option("--organisation", "organisation_id", type=int, help="The organisation's id.")
@click.option("--city", "city_flag", is_flag=True, help="The city's own key (the instance's city, or --city-slug).")
@click.option("--city-slug", help="Which city, with --city (default: the instance's city).")
def rotate_key_command(organisation_id: int | None, city_flag: bool, city_slug: str | None) -> None:
    """Retire the issuer's signing key and make a new one; credentials signed before keep verifying."""
    if (organisation_id is None) == (not city_flag):
        raise click.UsageError("Give either --organisation ID or --city.")
    _setup()
    from learningcity.catalogue.models import City, Organisation
    from learningcity.catalogue.selectors import current_city
    from learningcity.passport import documents, services

    if organisation_id is not None:
        organisation = Organisation.objects.select_related("city").filter(pk=organisation_id).first()
        if organisation is None:
            raise click.ClickException(f"No organisation {organisation_id}.")
        city, owner = organisation.city, organisation
    else:
        found = City.objects.filter(slug=city_slug).first() if city_slug else current_city()
        if found is None:
            raise click.ClickException(f"No city {city_slug!r}." if city_slug else "No city yet.")
        city, owner = found, None
    key = services.rotate_key(city, owner)
    click.echo(f"New signing key {documents.key_id(key)}; earlier keys stay published and keep verifying.")


@passport.command("new-encryption-key")
def new_encryption_key_command() -> None:
    """Print a new key for PASSPORT_KEY_ENCRYPTION_KEYS (put it first, keep the old ones after it)."""
    from learningcity.passport.keys import new_encryption_key

    click.echo(new_encryption_key())


@passport.command("reencrypt-keys")
def reencrypt_keys_command() -> None:
    """Encrypt every private signing key again with the first PASSPORT_KEY_ENCRYPTION_KEYS key."""
    _setup()
    from cryptography.fernet import InvalidToken

    from learningcity.passport.keys import reencrypt_all

    try:
        count = reencrypt_all()
    except InvalidToken as error:
        raise click.ClickException(
            "A private key cannot be decrypted with PASSPORT_KEY_ENCRYPTION_KEYS: keep the key that encrypted it "
            "in the list (after the new one) until this command has run."
        ) from error
    click.echo(f"{count} private keys encrypted with the first key of PASSPORT_KEY_ENCRYPTION_KEYS.")

"""`learningcity privacy ...`: removing personal data past its retention period."""

from __future__ import annotations

import click


def _setup() -> None:
    from learningcity.cli import setup_django  # imported late: learningcity.cli registers this group

    setup_django()


@click.group("privacy")
def privacy() -> None:
    """Personal data: retention of what the platform keeps (docs/privacy.md)."""


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="Print what would be removed; change nothing.")
def retention_command(dry_run: bool) -> None:
    """Remove personal data past its period (periods from RETENTION_* settings); run it daily from cron."""
    _setup()
    from learningcity.privacy.retention import KINDS, retention_run

    counts = retention_run(dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for kind in KINDS:
        click.echo(f"{kind.name}: {verb} {counts[kind.name]} {kind.label}")

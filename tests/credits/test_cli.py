"""`learningcity credits`: the daily expiry and the ledger check, as an operator runs them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from click.testing import CliRunner
from django.utils import timezone

from learningcity.cli import main
from learningcity.credits.models import Account, Entry, EntryKind, Scheme


def test_it_expires_the_credit_of_ended_schemes_once(credited: Scheme) -> None:
    today = timezone.localdate()
    Scheme.objects.filter(pk=credited.pk).update(valid_from=today - timedelta(days=60),
                                                 valid_until=today - timedelta(days=1))  # fmt: skip
    first = CliRunner().invoke(main, ["credits", "expire"])
    assert first.exit_code == 0, first.output
    assert "60.00 € of credit expired." in first.output
    assert CliRunner().invoke(main, ["credits", "expire"]).output == "0.00 € of credit expired.\n"
    assert Entry.objects.filter(kind=EntryKind.EXPIRY).count() == 2


def test_it_checks_that_every_balance_matches_its_entries(credited: Scheme) -> None:
    result = CliRunner().invoke(main, ["credits", "check", "--city", "testville"])
    assert result.exit_code == 0, result.output
    assert "Every balance equals the sum of its ledger entries." in result.output
    Account.objects.filter(user__email="bob@resident.test").update(balance=Decimal("99.00"))
    result = CliRunner().invoke(main, ["credits", "check"])
    assert result.exit_code == 1
    assert "bob@resident.test): balance 99.00 € ≠ entries 30.00 €" in result.output

"""Fixtures shared by the import and export tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command


def database_state() -> tuple[int, ...]:
    """How many listings, sessions, venues, providers and source records there are: equal means untouched."""
    from learningcity.catalogue.models import Opportunity, Organisation, Session, Venue
    from learningcity.interop.models import SourceRecord

    return (
        Opportunity.objects.count(),
        Session.objects.count(),
        Venue.objects.count(),
        Organisation.objects.count(),
        SourceRecord.objects.count(),
    )


def run_worker() -> None:
    """Run every queued task, as `learningcity worker` does."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


@pytest.fixture
def records_format(monkeypatch: pytest.MonkeyPatch) -> str:
    """A format whose files are JSON lists of records, to test the pipeline apart from any parser."""
    from learningcity.interop import formats

    monkeypatch.setitem(formats.MODULES, "records", "tests.interop.records_format")
    return "records"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages of parsers and of the pipeline are asserted in English (pages choose their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield

"""A large file is parsed in a second process (interop/formats/aside.py): what it hands over is what the parser gave."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from learningcity.interop.formats import aside, openagenda
from learningcity.interop.records import OpportunityRecord, ParseOptions, SessionRecord
from learningcity.search import analysis


def test_records_parsed_aside_are_the_records_parsed_here() -> None:
    export = (Path(__file__).parent / "fixtures" / "openagenda_events.json").read_bytes()
    here = list(openagenda.parse(export, ParseOptions()))

    there = list(aside.parse_aside(openagenda.parse, export, ParseOptions(), analyse=True))

    assert there == here
    assert [repr(item) for item in there] == [repr(item) for item in here]  # zones included
    records = [item for item in there if isinstance(item, OpportunityRecord)]
    assert records
    assert any(record.sessions for record in records)
    for record in records:
        assert aside.fingerprint(record) == record.fingerprint()
        assert aside.own_terms(record) == analysis.own_terms(
            record.title_fr.strip(),
            record.title_en.strip(),
            record.description_fr.strip(),
            record.description_en.strip(),
        )


def test_moments_share_a_zone_only_with_moments_of_the_same_offset_and_name() -> None:
    zones: dict[tuple[timedelta | None, str | None], timezone] = {}
    summer, named = timezone(timedelta(hours=2)), timezone(timedelta(hours=2), "CEST")
    first = aside._shared(datetime(2027, 6, 1, 10, tzinfo=summer), zones)
    second = aside._shared(datetime(2027, 6, 2, 10, tzinfo=timezone(timedelta(hours=2))), zones)
    third = aside._shared(datetime(2027, 6, 3, 10, tzinfo=named), zones)

    assert second.tzinfo is first.tzinfo
    assert second == datetime(2027, 6, 2, 10, tzinfo=summer)
    assert repr(second) == repr(datetime(2027, 6, 2, 10, tzinfo=summer))
    assert third.tzinfo is named
    assert third.tzname() == "CEST"
    session = SessionRecord(start=first, end=second)
    assert repr(session).count("timedelta(seconds=7200)") == 2

"""Open-data dumps of the public catalogue (CSV, Parquet, iCalendar) and the `learningcity export` command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner
from django.utils import timezone, translation
from icalendar import Calendar

from learningcity.catalogue.models import AudienceLabel, Opportunity, Session, Topic
from learningcity.cli import main
from learningcity.enrolment.models import SessionCancellation
from learningcity.interop.exports import catalogue
from learningcity.interop.exports.catalogue import (
    OPPORTUNITY_SCHEMA,
    SESSION_SCHEMA,
    write_csv,
    write_ics,
    write_parquet,
)
from learningcity.interop.exports.registry import EXPORTERS, ExportUnavailableError, export, writer_for
from tests.factories import World, make_city, make_opportunity, make_organisation

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class Catalogue:
    """The test world plus a paid online listing with a formula for a title, and a listing of another city."""

    world: World
    paid: Opportunity
    elsewhere: Opportunity
    next_start: datetime


@pytest.fixture
def catalogue_world(world: World) -> Catalogue:
    topic = Topic.objects.create(code="painting", name_fr="Peinture", name_en="Painting")
    names = {"name_fr": "Familles", "name_en": "Families"}
    audience = AudienceLabel.objects.get_or_create(code="families", defaults=names)[0]
    world.published.topics.set([topic])
    world.published.audience_labels.set([audience])
    paid = make_opportunity(
        world.org_b, title_fr="=HYPERLINK(\"http://evil.test\")", title_en="@SUM(1+1)", description_fr="-2+3",
        mode="online", online_url="https://visio.test/room", venue=None, is_free=False, price=Decimal("12.50"),
        kind="course",
    )  # fmt: skip
    past = timezone.now() - timedelta(days=40)
    Session.objects.create(opportunity=paid, start=past, end=past + timedelta(hours=1))
    soon = timezone.now() + timedelta(days=1)
    cancelled = Session.objects.create(opportunity=paid, start=soon, end=soon + timedelta(hours=1))
    SessionCancellation.objects.create(session=cancelled)
    elsewhere = make_opportunity(make_organisation(make_city("elsewhere"), "Ailleurs"), title_fr="Ailleurs")
    next_start = world.published.sessions.get().start
    return Catalogue(world=world, paid=paid, elsewhere=elsewhere, next_start=next_start)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def test_it_dumps_exactly_the_published_listings_of_the_city_to_csv(catalogue_world: Catalogue, tmp_path: Path) -> None:
    count = write_csv(catalogue_world.world.city, tmp_path)
    listings = read_csv(tmp_path / "opportunities.csv")
    assert count == 2
    assert list(listings.columns) == OPPORTUNITY_SCHEMA.names
    world = catalogue_world.world
    assert sorted(listings["id"].astype(int)) == sorted([world.published.pk, catalogue_world.paid.pk])
    sessions = read_csv(tmp_path / "sessions.csv")
    assert list(sessions.columns) == SESSION_SCHEMA.names
    assert set(sessions["opportunity_id"].astype(int)) == {world.published.pk, catalogue_world.paid.pk}
    assert len(sessions) == 4  # the published listing's session, and the paid one's three (past, cancelled, upcoming)
    assert (tmp_path / "opportunities.csv").stat().st_mode & 0o777 == 0o644, "open data, readable by a web server"


def test_it_writes_the_values_a_reader_expects_in_csv(catalogue_world: Catalogue, tmp_path: Path) -> None:
    write_csv(catalogue_world.world.city, tmp_path)
    world = catalogue_world.world
    row = read_csv(tmp_path / "opportunities.csv").set_index("id").loc[str(world.published.pk)]
    venue = world.org_a.venues.get()
    assert row["title_en"] == "Watercolour workshop"
    assert row["organisation_name"] == "Médiathèque A"
    assert (row["venue_name"], row["venue_latitude"], row["district_code"]) == (venue.name, "47.39", "01")
    assert (row["district_name"], row["age_min"], row["age_max"]) == ("Centre", "8", "120")
    assert (row["is_free"], row["price"], row["kind"], row["mode"]) == ("true", "", "workshop", "on_site")
    assert (row["topics"], row["languages"], row["audiences"]) == ("painting", "fr", "families")
    assert row["building_blocks"] == "culture-of-learning"
    assert datetime.fromisoformat(str(row["next_session_start"])) == catalogue_world.next_start
    assert row["next_session_start"].endswith(("+01:00", "+02:00")), "local time with its offset"
    assert row["sessions_count"] == "1"
    assert row["url"].endswith(f"/fr/opportunities/{world.published.pk}/atelier-daquarelle/")
    assert row["last_verified"] == timezone.localdate().isoformat()


def test_it_neutralises_formulas_and_writes_prices_of_paid_listings(catalogue_world: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    write_csv(catalogue_world.world.city, path)
    row = read_csv(path).set_index("id").loc[str(catalogue_world.paid.pk)]
    assert row["title_fr"] == '\'=HYPERLINK("http://evil.test")'
    assert row["title_en"] == "'@SUM(1+1)"
    assert row["description_fr"] == "'-2+3"
    assert (row["is_free"], row["price"], row["mode"], row["venue_name"]) == ("false", "12.50", "online", "")
    assert row["online_url"] == "https://visio.test/room"
    assert row["sessions_count"] == "3"
    upcoming = catalogue_world.paid.sessions.filter(cancellation__isnull=True, start__gt=timezone.now()).get()
    assert datetime.fromisoformat(str(row["next_session_start"])) == upcoming.start, "cancelled sessions are not next"
    sessions = read_csv(tmp_path / "catalogue-sessions.csv")
    assert sorted(sessions["cancelled"]) == ["false", "false", "false", "true"]


def test_it_writes_sessions_as_local_times_with_their_offset(catalogue_world: Catalogue, tmp_path: Path) -> None:
    write_csv(catalogue_world.world.city, tmp_path)
    sessions = read_csv(tmp_path / "sessions.csv")
    row = sessions[sessions["opportunity_id"] == str(catalogue_world.world.published.pk)].iloc[0]
    start = datetime.fromisoformat(row["start"])
    assert start == catalogue_world.next_start
    assert start.utcoffset() == catalogue_world.next_start.astimezone(PARIS).utcoffset()
    assert row["time_zone"] == "Europe/Paris"
    assert (tmp_path / "sessions.csv").read_bytes().startswith(b"id,opportunity_id,start,end,"), "UTF-8, no BOM"


def test_it_dumps_the_same_listings_to_parquet_with_types(catalogue_world: Catalogue, tmp_path: Path) -> None:
    count = write_parquet(catalogue_world.world.city, tmp_path)
    table = pq.read_table(tmp_path / "opportunities.parquet")
    assert count == 2
    assert table.schema.equals(OPPORTUNITY_SCHEMA)
    rows = {row["id"]: row for row in table.to_pylist()}
    world = catalogue_world.world
    assert set(rows) == {world.published.pk, catalogue_world.paid.pk}
    published, paid = rows[world.published.pk], rows[catalogue_world.paid.pk]
    assert published["topics"] == ["painting"]
    assert published["next_session_start"] == catalogue_world.next_start
    assert published["venue_longitude"] == pytest.approx(0.69)
    assert paid["price"] == Decimal("12.50")
    assert paid["title_fr"] == '=HYPERLINK("http://evil.test")', "Parquet holds the text itself: nothing runs it"
    sessions = pd.read_parquet(tmp_path / "sessions.parquet")
    assert len(sessions) == 4
    assert str(sessions["start"].dt.tz) == "UTC"


def test_it_streams_in_chunks_and_row_groups(
    catalogue_world: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "CHUNK_SIZE", 1)
    monkeypatch.setattr(catalogue, "ROW_GROUP_LISTINGS", 1)
    chunks = list(catalogue.catalogue_chunks(catalogue_world.world.city))
    assert [len(chunk.opportunities) for chunk in chunks] == [1, 1]
    for chunk in chunks:
        assert {row["opportunity_id"] for row in chunk.sessions} == {chunk.opportunities[0]["id"]}
    write_parquet(catalogue_world.world.city, tmp_path / "dump.parquet")
    assert pq.ParquetFile(tmp_path / "dump.parquet").num_row_groups == 2
    assert pq.read_table(tmp_path / "dump-sessions.parquet").num_rows == 4


def test_it_writes_readable_empty_files_for_an_empty_catalogue(db: None, tmp_path: Path) -> None:
    city = make_city("empty")
    assert write_parquet(city, tmp_path) == 0
    assert pq.read_table(tmp_path / "opportunities.parquet").num_rows == 0
    assert write_csv(city, tmp_path) == 0
    assert (tmp_path / "opportunities.csv").read_text(encoding="utf-8").startswith("id,title_fr,title_en,")


def test_it_leaves_no_file_behind_when_an_export_fails(
    catalogue_world: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, object]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(catalogue, "opportunity_row", broken)
    with pytest.raises(OSError, match="No space left"):
        write_csv(catalogue_world.world.city, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_it_writes_the_whole_public_programme_as_one_calendar(catalogue_world: Catalogue, tmp_path: Path) -> None:
    with translation.override("fr"):
        count = write_ics(catalogue_world.world.city, tmp_path)
    calendar = Calendar.from_ical((tmp_path / "programme.ics").read_bytes())
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.events)
    # The paid listing's past session is older than the calendar's month of history.
    assert count == len(summaries) == 3
    assert "Atelier d'aquarelle" in summaries
    assert not {"Brouillon A", "En attente A", "Ailleurs"} & set(summaries)
    assert [zone.tz_name for zone in calendar.timezones] == ["Europe/Paris"]
    cancelled = [event for event in calendar.events if str(event.get("STATUS")) == "CANCELLED"]
    assert len(cancelled) == 1
    assert "Testville" in str(calendar["NAME"])


def test_it_names_every_exporter_and_refuses_unknown_ones(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(EXPORTERS) == {"hsds", "lheo", "csv", "parquet", "ics"}
    assert writer_for("csv") is write_csv
    with pytest.raises(ExportUnavailableError, match="Unknown export format 'xml'"):
        export("xml", make_city(), Path("unused"))
    monkeypatch.setitem(EXPORTERS, "future", "learningcity.interop.exports.not_written_yet:write")
    with pytest.raises(ExportUnavailableError, match="not available"):
        writer_for("future")


@pytest.mark.parametrize(
    ("format_name", "files"),
    [("csv", ["opportunities.csv", "sessions.csv"]), ("parquet", ["opportunities.parquet", "sessions.parquet"]),
     ("ics", ["programme.ics"])],
)  # fmt: skip
def test_it_exports_from_the_command_line(
    catalogue_world: Catalogue, tmp_path: Path, format_name: str, files: list[str]
) -> None:
    result = CliRunner().invoke(main, ["export", "--format", format_name, "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == files
    assert f"as {format_name}" in result.output
    for name in files:
        assert f"Wrote {tmp_path / name}" in result.output


def test_it_exports_to_a_file_name_and_another_city(catalogue_world: Catalogue, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.csv"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--output", str(target), "--city", "elsewhere"])
    assert result.exit_code == 0, result.output
    assert "Exported 1 items of Elsewhere as csv." in result.output
    assert list(read_csv(target)["title_fr"]) == ["Ailleurs"]
    assert (tmp_path / "elsewhere-sessions.csv").exists()


@pytest.mark.parametrize(
    ("arguments", "exit_code", "message"),
    [
        (["--format", "xml", "--output", "{tmp}"], 2, "Invalid value for '--format'"),
        (["--format", "csv"], 2, "Missing option '--output'"),
        (["--format", "csv", "--output", "{tmp}/missing/dump.csv"], 1, "does not exist"),
        (["--format", "csv", "--output", "{tmp}", "--city", "atlantis"], 1, "No city 'atlantis'"),
    ],
)
def test_it_refuses_bad_options_clearly(
    world: World, tmp_path: Path, arguments: list[str], exit_code: int, message: str
) -> None:
    result = CliRunner().invoke(main, ["export", *[argument.format(tmp=tmp_path) for argument in arguments]])
    assert result.exit_code == exit_code
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(("format_name", "target"), [("lheo", "offers.xml"), ("hsds", "hsds.zip")])
def test_it_runs_the_other_exporters_through_the_same_command(
    catalogue_world: Catalogue, tmp_path: Path, format_name: str, target: str
) -> None:
    result = CliRunner().invoke(main, ["export", "--format", format_name, "--output", str(tmp_path / target)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / target).stat().st_size > 0
    assert f"Wrote {tmp_path / target}" in result.output


def test_it_reports_an_unwritable_target_without_a_traceback(catalogue_world: Catalogue, tmp_path: Path) -> None:
    target = tmp_path / ("x" * 300 + ".csv")  # longer than any file system allows
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--output", str(target)])
    assert result.exit_code == 1
    assert "Cannot write" in result.output
    assert "File name too long" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []

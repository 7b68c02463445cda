"""Whatever bytes arrive, the event parsers only refuse the file or report rows: never a crash.

Property-based (hypothesis): arbitrary bytes, arbitrary JSON in every OpenAgenda field, files cut
short, very deep nesting, gigantic strings, and iCalendar files assembled from real property names
with odd parameters and values. Each record that comes out must be one the pipeline can store.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learningcity.interop.formats import icalendar as ics
from learningcity.interop.formats import openagenda
from learningcity.interop.records import FileRejected, OpportunityRecord, Parsed, ParseOptions, RowError

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = (FIXTURES / "openagenda_events.json").read_bytes()
CALENDAR = (FIXTURES / "ics_library_agenda.ics").read_bytes()
EVENTS: list[dict[str, Any]] = json.loads(EXPORT)
FIELDS = sorted({name for event in EVENTS for name in event} | {"lang", "languages", "title_en", "description_en"})
# Fields every event of the fixture reads, whatever else it holds.
ALWAYS_READ = [
    "title_fr",
    "title_en",
    "description_fr",
    "longdescription_fr",
    "conditions_fr",
    "canonicalurl",
    "location_name",
    "location_address",
    "location_postalcode",
    "location_city",
    "location_district",
    "originagenda_title",
    "onlineaccesslink",
]
Parser = Callable[[bytes, ParseOptions], Iterator[Parsed]]
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["2027-03-20T14:00:00+01:00", "2027-03-20", "9999-12-31T23:59:59", "0001-01-01", "€ 5"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


def outcome(parser: Parser, data: bytes, **options: Any) -> list[Parsed] | FileRejected:
    """What the parser gives: its items, each checked storable, or the FileRejected it raised."""
    rejection: FileRejected | None = None
    try:
        items = list(parser(data, ParseOptions(**options)))
    except FileRejected as rejected:
        rejection, items = rejected, []
    if rejection is not None:
        assert isinstance(rejection.reason, str)
        assert rejection.reason
        return rejection
    for item in items:
        assert isinstance(item, OpportunityRecord | RowError)
        assert item.line >= 1
        if isinstance(item, OpportunityRecord):
            assert_storable(item)
        else:
            assert item.reason
    return items


def assert_storable(record: OpportunityRecord) -> None:
    """The pipeline can fingerprint the record and store its texts, times and coordinates."""
    assert len(record.fingerprint()) == 64
    text = json.dumps(asdict(record), default=str, ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogates
    assert "\x00" not in text
    assert "\\u0000" not in text
    assert 0 < len(record.external_id) <= openagenda.MAX_ID_CHARS
    for linked in (record.venue, record.organisation):
        assert linked is None or len(linked.external_id) <= openagenda.MAX_ID_CHARS
    assert len(record.sessions) <= openagenda.MAX_SESSIONS
    for session in record.sessions:
        assert session.start.tzinfo is not None
        assert session.end.tzinfo is not None
        assert session.end > session.start
        assert session.start.astimezone(UTC).year >= openagenda.MIN_YEAR
    venue = record.venue
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        assert math.isfinite(venue.latitude)
        assert -90 <= venue.latitude <= 90
        assert math.isfinite(venue.longitude)
        assert -180 <= venue.longitude <= 180


# Both parsers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("parser", [openagenda.parse, ics.parse], ids=["openagenda", "ics"])
@FUZZ
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_are_refused_or_read(parser: Parser, data: bytes) -> None:
    outcome(parser, data)


@pytest.mark.parametrize(("parser", "content"), [(openagenda.parse, EXPORT), (ics.parse, CALENDAR)], ids=["oa", "ics"])
@FUZZ
@given(data=st.data())
def test_a_file_cut_anywhere_is_refused_or_read(parser: Parser, content: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(content.rstrip()) - 1))

    result = outcome(parser, content[:cut])

    if parser is openagenda.parse:
        assert isinstance(result, FileRejected)  # a JSON array cut short is never a whole array


@pytest.mark.parametrize(("parser", "content"), [(openagenda.parse, EXPORT), (ics.parse, CALENDAR)], ids=["oa", "ics"])
@FUZZ
@given(data=st.data())
def test_a_file_with_a_byte_changed_is_refused_or_read(parser: Parser, content: bytes, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(content) - 1))
    byte = data.draw(st.integers(min_value=0, max_value=255))

    outcome(parser, content[:position] + bytes([byte]) + content[position + 1 :])


# OpenAgenda ----------------------------------------------------------------------------------------


def with_any_values() -> st.SearchStrategy[dict[str, Any]]:
    """A fixture event whose fields are each kept, dropped, or replaced by any JSON value."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        event = dict(draw(st.sampled_from(EVENTS)))
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=8, unique=True)):
            if draw(st.booleans()):
                event[name] = draw(json_values)
            else:
                event.pop(name, None)
        return event

    return build()


def shaped(events: list[Any], shape: str) -> bytes:
    if shape == "jsonl":
        return "\n".join(json.dumps(event) for event in events).encode()
    wrapped: Any = {
        "array": events,
        "records": {"records": [{"fields": e} for e in events]},
        "results": {"results": events},
    }
    return json.dumps(wrapped[shape]).encode()


@FUZZ
@given(
    events=st.lists(with_any_values() | json_values, min_size=1, max_size=4),
    shape=st.sampled_from(["array", "records", "results", "jsonl"]),
)
def test_any_json_value_in_any_field_gives_records_or_row_errors(events: list[Any], shape: str) -> None:
    result = outcome(openagenda.parse, shaped(events, shape))

    if isinstance(result, FileRejected):
        # Lists of empty lists nest deeply without a single value; one line of JSON Lines is a whole document.
        assert "nested" in result.reason or (shape == "jsonl" and len(events) == 1)
    elif shape != "jsonl" or len(events) > 1:  # one line of JSON Lines is a whole document: a list is the events
        assert len(result) == len(events)


@FUZZ
@given(depth=st.integers(min_value=openagenda.MAX_DEPTH + 1, max_value=20_000), brace=st.booleans())
def test_deep_nesting_is_refused(depth: int, brace: bool) -> None:
    opening, closing = (b'{"a":', b"}") if brace else (b"[", b"]")

    result = outcome(openagenda.parse, opening * depth + b"1" + closing * depth)

    assert isinstance(result, FileRejected)
    assert "nested" in result.reason


@FUZZ
@given(field=st.sampled_from(ALWAYS_READ), size=st.integers(min_value=1001, max_value=300_000))
def test_a_gigantic_string_rejects_its_event_naming_the_field(field: str, size: int) -> None:
    event = dict(EVENTS[0])
    event[field] = "é" * size

    result = outcome(openagenda.parse, json.dumps([event]).encode(), max_field_chars=1000)

    assert isinstance(result, list)
    [error] = result
    assert isinstance(error, RowError)
    assert error.field == field


# iCalendar ------------------------------------------------------------------------------------------

PROPERTIES = [
    "UID",
    "SUMMARY",
    "DESCRIPTION",
    "X-ALT-DESC;FMTTYPE=text/html",
    "LOCATION",
    "GEO",
    "CATEGORIES",
    "ORGANIZER",
    "URL",
    "STATUS",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "EXDATE",
    "RDATE",
    "RECURRENCE-ID",
]
PARAMETERS = [
    "",
    ";TZID=Europe/Paris",
    ";TZID=Nowhere/Land",
    ";VALUE=DATE",
    ";VALUE=PERIOD",
    ";CN=Musée",
    ";LANGUAGE=en",
]
VALUES = [
    "20270309T180000",
    "20270309T180000Z",
    "20270309",
    "99991231T235959Z",
    "20270309T180000Z/PT1H",
    "PT1H30M",
    "-PT1H",
    "P1D",
    "FREQ=WEEKLY;COUNT=3",
    "FREQ=WEEKLY;UNTIL=20270413T220000Z;BYDAY=TU",
    "FREQ=DAILY;UNTIL=20270320",
    "FREQ=MONTHLY;BYDAY=-1SU;COUNT=400",
    "FREQ=HOURLY;COUNT=2",
    "FREQ=SECONDLY;COUNT=2",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=WEEKLY;BYDAY=XX",
    "47.39;0.69",
    "91;200",
    "mailto:a@b.fr",
    "CANCELLED",
    "Bibliothèque\\, 1 rue X\\, 37000 Testville",
    "<p>Bonjour</p>",
]
lines = st.builds(
    lambda name, parameter, value: f"{name}{parameter}:{value}",
    st.sampled_from(PROPERTIES),
    st.sampled_from(PARAMETERS),
    st.sampled_from(VALUES)
    | st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=20),
)
vevents = st.builds(
    lambda uid, body: "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in [f"UID:{uid}", *body]) + "END:VEVENT\r\n",
    st.sampled_from(["a", "b", ""]),
    st.lists(lines, max_size=10),
)


@FUZZ
@given(events=st.lists(vevents, max_size=4))
def test_calendars_of_odd_properties_give_records_or_row_errors(events: list[str]) -> None:
    content = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()

    outcome(ics.parse, content)


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text_inside_a_calendar_is_refused_or_read(text: str) -> None:
    outcome(ics.parse, f"BEGIN:VCALENDAR\r\n{text}\r\nEND:VCALENDAR\r\n".encode("utf-8", "surrogatepass"))


def test_a_gigantic_calendar_text_rejects_its_event() -> None:
    content = f"UID:x\r\nSUMMARY:{'é' * 200_000}\r\nDTSTART:20270601T100000Z\r\nDURATION:PT1H\r\n"

    result = outcome(ics.parse, f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{content}END:VEVENT\r\nEND:VCALENDAR\r\n".encode())

    assert isinstance(result, list)
    [error] = result
    assert isinstance(error, RowError)
    assert error.field == "SUMMARY"


# Large exports are read an event at a time, with the same outcome as reading them whole -----------


def read_whole(data: bytes, options: ParseOptions) -> list[Parsed] | str:
    """What the whole-file reader gives (events, or the reason the file is refused)."""
    try:
        items = openagenda._load(data, options)
        openagenda._check_count(len(items), options)
        return [openagenda._event(line, item, options) for line, item in items]
    except FileRejected as rejected:
        return rejected.reason


def read_streamed(data: bytes, options: ParseOptions) -> list[Parsed] | str:
    try:
        return list(openagenda.parse(data, options))
    except FileRejected as rejected:
        return rejected.reason


arrays = st.lists(with_any_values() | json_values, max_size=5).map(lambda events: json.dumps(events).encode())


@FUZZ
@given(
    data=arrays | arrays.map(lambda text: json.dumps(json.loads(text), indent=1).encode()),
    cut=st.integers(min_value=0, max_value=2_000),
    noise=st.sampled_from([b"", b"\n", b" x", b"\n[1]", b"\n{}", b"]", b","]),
    window=st.sampled_from([1, 3, 16, 1 << 20]),
    max_rows=st.sampled_from([2, 200_000]),
)
def test_an_array_read_event_by_event_gives_what_reading_it_whole_gives(
    data: bytes, cut: int, noise: bytes, window: int, max_rows: int
) -> None:
    content = (data[:cut] if cut < len(data) else data) + noise
    options = ParseOptions(max_rows=max_rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(openagenda, "WINDOW_BYTES", window)  # events cut by the window's edge, everywhere

        assert read_streamed(content, options) == read_whole(content, options)


def test_the_export_fixture_read_event_by_event_is_the_same_in_any_window() -> None:
    options = ParseOptions()
    whole = read_whole(EXPORT, options)
    for window in (1, 7, 100, 1 << 20):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(openagenda, "WINDOW_BYTES", window)
            assert read_streamed(b"\xef\xbb\xbf" + EXPORT, options) == whole


@FUZZ
@given(text=st.text(max_size=40))
def test_folding_a_text_is_folding_its_characters(text: str) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())

    assert openagenda.fold(text) == "".join(char for char in decomposed if not unicodedata.combining(char))


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("ab <>&;/p\r\n\t\x00é\u00a0\u2028")) | st.characters(), max_size=50))
def test_plain_text_skips_the_sanitiser_with_the_same_result(text: str) -> None:
    from learningcity.interop import records

    def outcome(convert: Callable[[str], str]) -> str:
        try:
            return convert(text) if text else ""
        except UnicodeError as error:  # lone surrogates: the sanitiser refuses them, and so does the shortcut
            return type(error).__name__

    assert outcome(records.html_to_text) == outcome(records._sanitised)


def _sanitised_twice(markup: str) -> str:
    """What `records._sanitised` gave when the sanitiser's second pass removed the remaining tags."""
    import html

    import nh3

    from learningcity.interop import records

    cleaned = nh3.clean(markup, tags={"p", "br", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6"})
    cleaned = records._LIST_ITEM.sub("\n• ", cleaned)
    cleaned = records._BLOCK_END.sub("\n\n", cleaned)
    return records._tidy(html.unescape(nh3.clean(cleaned, tags=set())).replace("\r", ""))


_MARKUP_PIECES = st.sampled_from(
    [
        *("<p>", "</p>", "<br>", "<br/>", "<li>", "</li>", "<ul>", "</ul>", "<ol>", "<div>", "</div>", "<h1>"),
        *("</h2>", "<b>", "</i>", "<table><tr><td>", "</td></tr>", "<script>x</script>", "<style>y</style>"),
        *('<p title="a>b" lang=en>', "<a href='x'>", "<!-- c -->", "&lt;", "&gt;", "&amp;", "&nbsp;", "&eacute;"),
        *("&#60;", "<", ">", "&", '"', "'", " ", "\n", "\r\n", "\t", "\x00", "é", "texte", "•"),
        *("<pre>\n", "<textarea>"),
    ]
)


@FUZZ
@given(pieces=st.lists(_MARKUP_PIECES | st.text(max_size=5), max_size=25))
def test_the_sanitised_text_is_what_a_second_sanitiser_pass_gave(pieces: list[str]) -> None:
    from learningcity.interop import records

    markup = "".join(pieces)

    assert records._sanitised(markup) == _sanitised_twice(markup)


def test_the_export_fixture_descriptions_are_what_a_second_sanitiser_pass_gave() -> None:
    from learningcity.interop import records

    for event in json.loads(EXPORT):
        for name in ("description_fr", "longdescription_fr", "longdescription_en", "conditions_fr"):
            if isinstance(event.get(name), str):
                assert records._sanitised(event[name]) == _sanitised_twice(event[name])


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("ab \n\r\t\x0b\x0c\x1c\x85\u00a0\u2028\u3000é")), max_size=30))
def test_tidying_a_single_line_is_tidying_it_as_lines(text: str) -> None:
    from learningcity.interop import records

    lines = [" ".join(line.split()) for line in text.split("\n")]

    assert records._tidy(text) == records._BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()

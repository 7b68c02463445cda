"""Property-based tests: however a LHÉO file is broken, the parser gives records, row errors or FileRejected.

Never another exception (that would be a 500 or a failed task), never a record the catalogue could
not even start to check (naive times, sessions ending before they start).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from learningcity.interop.formats import lheo
from learningcity.interop.records import FileRejected, OpportunityRecord, ParseOptions, RowError

VALID = (Path(__file__).parent / "fixtures" / "lheo-2.3-two-formations.xml").read_bytes()
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Values a careless export or a hostile file might hold, mixed with any text at all.
TRICKY = [
    "", " ", "00000000", "99999999", "20260231", "2026-09-07", "２０２６０９０７", "0", "-1", "1e400", "NaN",
    "Infinity", "1 250,00 €", "12,5,3", "9" * 400, "81023", "2", "<p>texte</p>", "&lt;b&gt;", "é" * 300,
]  # fmt: skip
XML_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t"), max_size=60),
    st.sampled_from(TRICKY),
)


def leaves(root: Any) -> list[Any]:
    """Elements holding text rather than other elements."""
    return [element for element in root.iter() if isinstance(element.tag, str) and len(element) == 0]


LEAF_COUNT = len(leaves(etree.fromstring(VALID)))


def assert_parses_cleanly(document: bytes, options: ParseOptions | None = None) -> None:
    """Records, row errors, or the whole file refused with a reason: nothing else."""
    try:
        items = list(lheo.parse(document, options or ParseOptions()))
    except FileRejected as rejection:
        reason = rejection.reason
        assert reason.strip()
        return
    for item in items:
        if isinstance(item, RowError):
            assert item.reason.strip()
            assert item.field
            assert item.line >= 1
            continue
        assert isinstance(item, OpportunityRecord)
        assert item.external_id.strip()
        assert item.line >= 1
        item.fingerprint()  # everything in it can be serialised
        for session in item.sessions:
            assert session.start.tzinfo is not None
            assert session.end > session.start


@FUZZ
@given(st.data())
def test_a_mutated_document_never_crashes_the_parser(data: st.DataObject) -> None:
    document = bytearray(VALID)
    for _step in range(data.draw(st.integers(1, 4), label="mutations")):
        operation = data.draw(st.sampled_from(["delete", "insert", "replace", "truncate", "repeat"]))
        start = data.draw(st.integers(0, len(document)))
        end = min(len(document), start + data.draw(st.integers(0, 200)))
        if operation == "delete":
            del document[start:end]
        elif operation == "insert":
            document[start:start] = data.draw(st.binary(max_size=40) | st.sampled_from([b"<", b"&", b"]]>", b"<a>"]))
        elif operation == "replace":
            document[start:end] = data.draw(st.binary(max_size=40))
        elif operation == "truncate":
            del document[start:]
        else:
            document[end:end] = document[start:end] * data.draw(st.integers(1, 5))
    assert_parses_cleanly(bytes(document))


@FUZZ
@given(st.lists(XML_TEXT, min_size=LEAF_COUNT, max_size=LEAF_COUNT))
def test_any_text_in_any_element_gives_records_or_row_errors(texts: list[str]) -> None:
    root = etree.fromstring(VALID)
    for element, text in zip(leaves(root), texts, strict=True):
        element.text = text
    assert_parses_cleanly(etree.tostring(root, encoding="UTF-8"))


@FUZZ
@given(st.data())
def test_removing_or_repeating_elements_gives_records_or_row_errors(data: st.DataObject) -> None:
    root = etree.fromstring(VALID)
    elements = [element for element in root.iter() if element is not root]
    for element in data.draw(st.lists(st.sampled_from(elements), max_size=8, unique_by=id), label="removed"):
        if element.getparent() is not None:
            element.getparent().remove(element)
    remaining = [element for element in root.iter() if element is not root] or [root]
    for element in data.draw(st.lists(st.sampled_from(remaining), max_size=3, unique_by=id), label="repeated"):
        if element is not root:
            element.addnext(copy.deepcopy(element))
    for element in data.draw(st.lists(st.sampled_from(remaining), max_size=3, unique_by=id), label="renumbered"):
        element.set("numero", data.draw(XML_TEXT))
    assert_parses_cleanly(etree.tostring(root, encoding="UTF-8"))


@FUZZ
@given(
    max_rows=st.integers(1, 4),
    max_field_chars=st.integers(1, 200),
    time_zone=st.sampled_from(["UTC", "Pacific/Kiritimati", "Europe/Paris"]),
)
def test_any_limits_and_time_zone_give_records_row_errors_or_a_refusal(
    max_rows: int, max_field_chars: int, time_zone: str
) -> None:
    options = ParseOptions(max_rows=max_rows, max_field_chars=max_field_chars, time_zone=time_zone)
    assert_parses_cleanly(VALID, options)

"""Listings published by a large import enter the search index in bulk, exactly as a rebuild would index them."""

from __future__ import annotations

from typing import Any

import pytest

from learningcity.interop.formats import aside
from learningcity.interop.pipeline import run_import
from learningcity.interop.records import OpportunityRecord
from learningcity.search import analysis, indexing
from learningcity.search.engines import engine
from learningcity.search.query import parse
from tests.factories import World
from tests.interop.test_pipeline import content, item, search_index

pytestmark = pytest.mark.django_db

WORDS = ("aquarelle", "robotique", "calligraphie", "jardinage", "astronomie")


def many(count: int) -> bytes:
    """`count` listings, each with a word of its own in its title and one of five words in its description."""
    return content(
        *(
            item(
                f"m{number}",
                title_fr=f"Atelier numero{number}",
                title_en="Workshop" if number % 3 == 0 else "",
                description_fr=f"Séance de {WORDS[number % len(WORDS)]} pour débutants.",
                venue={"name": f"Salle {number % 7}", "latitude": 47.40 + number % 7 / 100, "longitude": 0.70},
            )
            for number in range(count)
        )
    )


def found(word: str, among: dict[str, int]) -> set[int]:
    """Listings (of the import) whose indexed text holds `word`, as the full-text engine in use finds them."""
    return {pk for pk, _in_title in engine().matches_with_title(parse(word), list(among.values()))}


@pytest.mark.parametrize("aside_from", [None, 0], ids=["in-process", "parsed-aside"])
def test_a_large_published_import_is_indexed_as_a_rebuild_would_and_is_found_at_once(
    world: World, records_format: str, monkeypatch: pytest.MonkeyPatch, aside_from: int | None
) -> None:
    if aside_from is not None:
        monkeypatch.setattr(aside, "ASIDE_FROM_BYTES", aside_from)  # texts analysed by the parsing process
    count = indexing.BULK_INSERT_FROM + 30  # new entries written in bulk, not upserted one by one
    result = run_import(
        city=world.city,
        format=records_format,
        content=many(count),
        organisation=world.org_a,
        target_status="published",
        dry_run=False,
    )
    assert result.counts["created"] == count
    ids = dict(zip((row["external_id"] for row in result.rows), result.opportunity_ids, strict=True))

    assert found("numero7", ids) == {ids["m7"]}
    assert found("aquarelle", ids) == {ids[f"m{number}"] for number in range(0, count, len(WORDS))}
    assert found("robotique debutant", ids) == {ids[f"m{number}"] for number in range(1, count, len(WORDS))}
    from_the_import = search_index(world.city.pk)

    indexing.rebuild(world.city)

    assert search_index(world.city.pk) == from_the_import
    assert found("numero7", ids) == {ids["m7"]}


def test_the_parsing_process_analysis_serves_only_the_texts_it_was_made_from() -> None:
    record = OpportunityRecord(
        line=1, external_id="a", title_fr="  Théâtre d'improvisation ", description_en="Painting landscapes"
    )
    setattr(record, aside.ANALYSED, aside._analyse(record))

    analyses: dict[tuple[str, str], Any] = aside.analyses(record)

    assert {key: (terms, tuple(known)) for key, (terms, known) in analyses.items()} == {
        ("Théâtre d'improvisation", "fr"): analysis.analysed("Théâtre d'improvisation", "fr"),
        ("Painting landscapes", "en"): analysis.analysed("Painting landscapes", "en"),
    }
    assert analyses[("Théâtre d'improvisation", "fr")][0] == "theatr improvis"
    # A text that differs from the one analysed (here: another language) is analysed where it is indexed.
    vocabulary: set[str] = set()
    assert analysis.index_text([("Painting landscapes", "fr")], vocabulary, analyses) == analysis.index_text(
        [("Painting landscapes", "fr")]
    )
    assert aside.analyses(OpportunityRecord(line=1, external_id="b", title_fr="Atelier")) == {}

"""Listings published by a large import enter the search index in bulk, exactly as a rebuild would index them."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

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


def test_the_parsing_process_analysis_serves_only_the_texts_it_was_made_from(world: World) -> None:
    record = OpportunityRecord(
        line=1, external_id="a", title_fr="  Théâtre d'improvisation ", description_en="Painting landscapes"
    )
    setattr(record, aside.ANALYSED, aside._analyse(record))

    own = aside.own_terms(record)

    assert own == analysis.own_terms("Théâtre d'improvisation", "", "", "Painting landscapes")
    assert own is not None
    assert own.title == "theatr improvis"
    assert own.words == {"theatre", "improvisation", "painting", "landscapes"}
    assert aside.own_terms(OpportunityRecord(line=1, external_id="b", title_fr="Atelier")) is None
    # Handed to the index with a listing whose texts are others, it is not used: the listing's texts are analysed.
    row: dict[str, Any] = dict.fromkeys(indexing.LISTING_VALUES)
    row |= {"pk": 1, "city_id": world.city.pk, "city__time_zone": "Europe/Paris", "organisation__name": "Asso"}
    row |= {"title_fr": "Improvisation", "title_en": "", "description_fr": "", "description_en": "Painting landscapes"}
    row |= {"kind": "workshop", "mode": "on_site"}
    listing = indexing.Listing(
        row=row, blocks=[], languages=[], topics=(set(), []), audiences=[], audiences_en=[], sessions=[], own=own
    )
    _rows, texts, words = indexing._entries([1], timezone.now(), {1: listing})
    assert texts[0][1] == "improvis"
    assert "improvisation" in words
    assert "theatre" not in words
    listing.row["title_fr"] = "Théâtre d'improvisation"  # now the texts analysed: the analysis is used as it is
    assert indexing._entries([1], timezone.now(), {1: listing})[1][0][1] == "theatr improvis"

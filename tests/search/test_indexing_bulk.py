"""Index texts analysed in pieces, and bulk writes through the engines' own full-text structures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningcity.bulk import STATEMENT_ROWS, TableWriter
from learningcity.search import analysis
from learningcity.search.engines import engine
from learningcity.search.models import SearchTerm

texts = st.lists(
    st.tuples(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(["", " ", "Théâtre", "les ateliers", "de la", "Painting 2027", "Œuvres d'été"]),
        ),
        st.sampled_from(analysis.LANGUAGES),
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_texts_indexed_in_two_groups_give_the_terms_of_all_of_them_at_once(
    first: list[tuple[str, str]], second: list[tuple[str, str]]
) -> None:
    whole: set[str] = set()
    apart: set[str] = set()

    at_once = analysis.index_text(first + second, whole)
    in_groups = analysis.joined([analysis.index_text(first, apart), analysis.index_text(second, apart)])

    assert in_groups == at_once
    assert apart == whole


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from(analysis.LANGUAGES))
def test_a_text_is_analysed_into_the_stems_of_its_meaningful_words(text: str, language: str) -> None:
    terms, known = analysis.analysed(text, language)

    assert terms == " ".join(analysis.stem(word, language) for word in analysis.content_words(text))
    assert set(known) <= set(analysis.content_words(text))


@pytest.mark.django_db
def test_rows_written_in_bulk_reach_the_full_text_structures_however_many_statements_they_take() -> None:
    count = 2 * STATEMENT_ROWS + 7  # three multi-row statements on SQLite, one COPY on PostgreSQL
    words = [f"bibliotheque{number:04d}" for number in range(count)]

    TableWriter(SearchTerm, ("term", "frequency")).write([(word, 1) for word in words])

    assert SearchTerm.objects.count() == count
    assert ("bibliotheque0999", 1) in engine().spelling_candidates("bibliotheque0999")
    assert ("bibliotheque0000", 1) in engine().spelling_candidates("bibliotheque0000")

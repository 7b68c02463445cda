"""Index texts analysed in pieces, and bulk writes through the engines' own full-text structures."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from learningcity.bulk import STATEMENT_ROWS, TableWriter, checked_per_statement, copying_aside
from learningcity.search import analysis
from learningcity.search.engines import engine
from learningcity.search.indexing import TEXT_COLUMNS
from learningcity.search.models import SearchTerm, SearchText

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


@pytest.mark.django_db
def test_rows_copied_aside_are_read_by_the_next_query_and_a_failed_copy_is_raised() -> None:
    writer = TableWriter(SearchTerm, ("term", "frequency"))
    words = [f"mediatheque{number:04d}" for number in range(300)]
    with transaction.atomic(), copying_aside():
        writer.write([(word, 1) for word in words])
        # The query waits for the copy (a writer thread's, on PostgreSQL) queued before it.
        assert SearchTerm.objects.filter(term__startswith="mediatheque").count() == len(words)

    def then_query() -> None:
        with transaction.atomic(), copying_aside():
            writer.write([("mediatheque0001", 1)])
            SearchTerm.objects.count()

    def then_nothing() -> None:
        with transaction.atomic(), copying_aside():
            writer.write([("nouveau", 1)])
            writer.write([("mediatheque0002", 1)])

    # A copy that fails (a term already there) is raised by the next query, or by the end of the block.
    with pytest.raises(IntegrityError):
        then_query()
    with pytest.raises(IntegrityError):
        then_nothing()
    assert SearchTerm.objects.filter(term__startswith="mediatheque").count() == len(words)
    assert not SearchTerm.objects.filter(term="nouveau").exists()  # all or nothing


@pytest.mark.django_db
def test_foreign_keys_checked_per_statement_refuse_a_row_at_once_and_are_deferred_again_after() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL's foreign keys change: Django defers them to the commit")
    writer = TableWriter(SearchText, TEXT_COLUMNS)
    orphan = (987_654, "atelier", "", 1)  # the text of an entry that does not exist

    def written_checked() -> None:
        with transaction.atomic(), checked_per_statement([SearchText]):
            writer.write([orphan])

    with pytest.raises(IntegrityError):
        written_checked()  # refused by the statement itself, not by the commit

    def written_after(checked_before: bool) -> bool:
        with transaction.atomic():
            if checked_before:
                with checked_per_statement([SearchText]):
                    pass
            writer.write([orphan])  # deferred again: checked only at the commit, which a rollback replaces here
            found = SearchText.objects.filter(entry_id=orphan[0]).exists()
            transaction.set_rollback(True)
        return found

    assert written_after(checked_before=False)  # after a failed block (its rollback restored the constraints)
    assert written_after(checked_before=True)  # after a block that ended normally

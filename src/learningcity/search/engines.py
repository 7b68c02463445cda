"""The two full-text engines behind search: SQLite FTS5 (embedded default) and PostgreSQL.

Both index the same analysed terms (see `analysis`) and receive the same parsed query (see
`query`), so they agree on what matches. Each engine only supplies SQL: how to create its index
structures, the condition "this entry matches", "its title matches", a prefix match for
completions, and spelling candidates from the vocabulary (FTS5 trigram table / `pg_trgm`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from learningcity.search import query as q

ENTRY = "search_searchentry"
TEXT = "search_searchtext"
TERM = "search_searchterm"

_SQLITE_STRUCTURES = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title_terms, body_terms, content='{TEXT}', content_rowid='entry_id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON {TEXT} BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.entry_id, new.title_terms, new.body_terms); END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON {TEXT} BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.entry_id, old.title_terms, old.body_terms); END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE OF title_terms, body_terms ON {TEXT} BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.entry_id, old.title_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.entry_id, new.title_terms, new.body_terms); END""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS search_term_trigram USING fts5(
        term, content='{TERM}', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS search_term_insert AFTER INSERT ON {TERM} BEGIN
        INSERT INTO search_term_trigram(rowid, term) VALUES (new.id, new.term); END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_term_delete AFTER DELETE ON {TERM} BEGIN
        INSERT INTO search_term_trigram(search_term_trigram, rowid, term) VALUES ('delete', old.id, old.term); END""",
]

_POSTGRES_STRUCTURES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""ALTER TABLE {TEXT} ADD COLUMN IF NOT EXISTS document tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', title_terms || ' zzsep ' || body_terms)) STORED""",
    f"""ALTER TABLE {TEXT} ADD COLUMN IF NOT EXISTS title_document tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', title_terms)) STORED""",
    f"CREATE INDEX IF NOT EXISTS search_text_document ON {TEXT} USING gin (document)",
    f"CREATE INDEX IF NOT EXISTS search_term_trigram ON {TERM} USING gin (term gin_trgm_ops)",
]


class Engine:
    """SQL for one database vendor; `entry` is the alias of the search entry table."""

    vendor = ""

    def structures(self) -> list[str]:
        raise NotImplementedError

    def install(self, connection: BaseDatabaseWrapper | None = None) -> None:
        """Create the engine's index structures if they are missing (idempotent)."""
        with (connection or default_connection).cursor() as cursor:
            for statement in self.structures():
                cursor.execute(statement)

    def matches(self, parsed: q.ParsedQuery) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def title_matches(self, parsed: q.ParsedQuery) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def prefix_matches(self, parsed: q.ParsedQuery, prefixes: tuple[str, ...]) -> tuple[str, list[Any]]:
        """Titles holding every word of `parsed` and a word starting with one of `prefixes`."""
        raise NotImplementedError

    def spelling_candidates(self, word: str, limit: int = 40) -> list[tuple[str, int]]:
        raise NotImplementedError

    def matches_with_title(self, parsed: q.ParsedQuery, among: list[int] | None = None) -> list[tuple[int, bool]]:
        """Every listing (of any city, or among `among`) whose text matches, and whether its title does."""
        raise NotImplementedError

    def postings(self, city_id: int) -> Iterator[tuple[str, bool, np.ndarray]] | None:
        """Every term of a city's listings with the ids of the listings holding it (`True`: in the
        title), for the in-memory copy (`postings`); `None` when this engine cannot list them in bulk."""
        return None

    def terms_of(self, ids: list[int]) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
        """The terms of these listings: in their whole text, and in their title."""
        raise NotImplementedError

    def after_bulk_load(self) -> None:
        """Tidy the index after a rebuild."""


class SqliteEngine(Engine):
    vendor = "sqlite"

    def structures(self) -> list[str]:
        return _SQLITE_STRUCTURES

    def matches(self, parsed: q.ParsedQuery) -> tuple[str, list[Any]]:
        return "entry.opportunity_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)", [q.fts5(parsed)]

    def title_matches(self, parsed: q.ParsedQuery) -> tuple[str, list[Any]]:
        return (
            "entry.opportunity_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)",
            ["{title_terms} : (" + q.fts5(parsed) + ")"],
        )

    def prefix_matches(self, parsed: q.ParsedQuery, prefixes: tuple[str, ...]) -> tuple[str, list[Any]]:
        return (
            "entry.opportunity_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)",
            ["{title_terms} : (" + q.prefix_fts5(parsed, prefixes) + ")"],
        )

    def spelling_candidates(self, word: str, limit: int = 40) -> list[tuple[str, int]]:
        grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        if not grams:
            return []
        match = " OR ".join(f'"{gram}"' for gram in grams)
        sql = (
            f"SELECT t.term, t.frequency FROM search_term_trigram JOIN {TERM} t ON t.id = search_term_trigram.rowid "
            "WHERE search_term_trigram MATCH %s ORDER BY rank LIMIT %s"
        )
        with default_connection.cursor() as cursor:
            cursor.execute(sql, [match, limit])
            return [(term, frequency) for term, frequency in cursor.fetchall()]

    def matches_with_title(self, parsed: q.ParsedQuery, among: list[int] | None = None) -> list[tuple[int, bool]]:
        everywhere = q.fts5(parsed)
        in_titles = "{title_terms} : (" + everywhere + ")"
        found: dict[int, bool] = {}
        for chunk in _chunks(among):
            limit = f" AND rowid IN ({', '.join(['%s'] * len(chunk))})" if chunk is not None else ""
            with default_connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s{limit}", [everywhere, *(chunk or [])]
                )
                found.update((row[0], False) for row in cursor.fetchall())
                cursor.execute(
                    f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s{limit}", [in_titles, *(chunk or [])]
                )
                found.update((row[0], True) for row in cursor.fetchall() if row[0] in found)
        return list(found.items())

    def after_bulk_load(self) -> None:
        with default_connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            # Statistics let the planner start from the full-text matches rather than the city.
            cursor.execute(f"ANALYZE {ENTRY}")
            cursor.execute(f"ANALYZE {TEXT}")
            cursor.execute(f"ANALYZE {TERM}")


class PostgresEngine(Engine):
    vendor = "postgresql"

    def structures(self) -> list[str]:
        return _POSTGRES_STRUCTURES

    def install(self, connection: BaseDatabaseWrapper | None = None) -> None:
        """Create what is missing; an ALTER of a table with pending trigger events would fail, so ask first."""
        with (connection or default_connection).cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = %s "
                "AND column_name IN ('document', 'title_document')",
                [TEXT],
            )
            complete = cursor.fetchone()[0] == 2
        if not complete:
            super().install(connection)

    def matches(self, parsed: q.ParsedQuery) -> tuple[str, list[Any]]:
        return (
            f"entry.opportunity_id IN (SELECT entry_id FROM {TEXT} WHERE document @@ to_tsquery('simple', %s))",
            [q.tsquery(parsed)],
        )

    def title_matches(self, parsed: q.ParsedQuery) -> tuple[str, list[Any]]:
        return (
            f"entry.opportunity_id IN (SELECT entry_id FROM {TEXT} WHERE document @@ to_tsquery('simple', %s) "
            "AND title_document @@ to_tsquery('simple', %s))",
            [q.tsquery(parsed), q.tsquery(parsed)],
        )

    def prefix_matches(self, parsed: q.ParsedQuery, prefixes: tuple[str, ...]) -> tuple[str, list[Any]]:
        return (
            f"entry.opportunity_id IN (SELECT entry_id FROM {TEXT} WHERE document @@ to_tsquery('simple', %s) "
            "AND title_document @@ to_tsquery('simple', %s))",
            [q.prefix_tsquery(parsed, prefixes), q.prefix_tsquery(parsed, prefixes)],
        )

    def spelling_candidates(self, word: str, limit: int = 40) -> list[tuple[str, int]]:
        sql = (
            f"SELECT term, frequency FROM {TERM} WHERE term %% %s "
            "ORDER BY similarity(term, %s) DESC, frequency DESC LIMIT %s"
        )
        with default_connection.cursor() as cursor:
            cursor.execute("SET pg_trgm.similarity_threshold = 0.2")
            cursor.execute(sql, [word, word, limit])
            return [(term, frequency) for term, frequency in cursor.fetchall()]

    def matches_with_title(self, parsed: q.ParsedQuery, among: list[int] | None = None) -> list[tuple[int, bool]]:
        query = q.tsquery(parsed)
        limit = " AND entry_id = ANY(%s)" if among is not None else ""
        with default_connection.cursor() as cursor:
            cursor.execute(
                f"SELECT entry_id, title_document @@ to_tsquery('simple', %s) FROM {TEXT} "
                f"WHERE document @@ to_tsquery('simple', %s){limit}",
                [query, query, *([among] if among is not None else [])],
            )
            return [(row[0], bool(row[1])) for row in cursor.fetchall()]

    def postings(self, city_id: int) -> Iterator[tuple[str, bool, np.ndarray]]:
        # PostgreSQL groups the tsvectors' own lexemes (50 million pairs for a million listings in
        # about half a minute) and sends each term's ids as one binary string, read without parsing.
        with transaction.atomic(), default_connection.cursor() as cursor:
            cursor.execute(f"SELECT max(opportunity_id) FROM {ENTRY} WHERE city_id = %s", [city_id])
            largest = cursor.fetchone()[0] or 0
            width, send = (4, "int4send(text.entry_id::integer)") if largest < 2**31 else (8, "int8send(text.entry_id)")
            cursor.execute("SET LOCAL work_mem = '512MB'")
            for column, in_title in (("document", False), ("title_document", True)):
                cursor.execute(
                    f"SELECT term.lexeme, string_agg({send}, ''::bytea) FROM {TEXT} text "
                    f"JOIN {ENTRY} entry ON entry.opportunity_id = text.entry_id, unnest(text.{column}) AS term "
                    "WHERE entry.city_id = %s GROUP BY term.lexeme",
                    [city_id],
                )
                for lexeme, packed in cursor.fetchall():
                    ids = np.frombuffer(packed, dtype=f">i{width}").astype(np.int64)
                    yield str(lexeme), in_title, ids

    def terms_of(self, ids: list[int]) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
        with default_connection.cursor() as cursor:
            cursor.execute(
                f"SELECT entry_id, tsvector_to_array(document), tsvector_to_array(title_document) FROM {TEXT} "
                "WHERE entry_id = ANY(%s)",
                [ids],
            )
            return {int(row[0]): (frozenset(row[1]), frozenset(row[2])) for row in cursor.fetchall()}

    def after_bulk_load(self) -> None:
        with default_connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ENTRY}")
            cursor.execute(f"ANALYZE {TEXT}")
            cursor.execute(f"ANALYZE {TERM}")


def _chunks(ids: list[int] | None, size: int = 500) -> list[list[int] | None]:
    """`ids` in slices small enough for one statement's parameters; `[None]` means no restriction."""
    if ids is None:
        return [None]
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def engine(connection: BaseDatabaseWrapper | None = None) -> Engine:
    """The engine for the database in use."""
    vendor = (connection or default_connection).vendor
    if vendor == "sqlite":
        return SqliteEngine()
    if vendor == "postgresql":
        return PostgresEngine()
    raise RuntimeError(f"Search supports SQLite and PostgreSQL, not {vendor}.")

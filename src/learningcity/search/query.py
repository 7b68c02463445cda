"""What a resident typed, read safely: words and quoted phrases, never search-engine syntax.

The text is cleaned of control characters, cut into words by the same analysis as the index,
and turned into clauses that every result must satisfy (all words, each phrase). Nothing the
user types reaches an engine as syntax: `*`, `-`, `:`, parentheses, `NEAR`, `OR` are words or
nothing. The builders write the one query in SQLite FTS5 and in PostgreSQL `tsquery` syntax.

This module never imports Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from learningcity.search import analysis
from learningcity.search.synonyms import QUERY_SYNONYMS

MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 10
_QUOTED = re.compile(r'"([^"]*)"')


class QueryError(ValueError):
    """The query cannot be searched; the message says why, for the person who typed it.

    `code` ("too_long" or "too_many_words") and `limit` let an interface say it in its own language.
    """

    def __init__(self, message: str, *, code: str, limit: int) -> None:
        super().__init__(message)
        self.code = code
        self.limit = limit


@dataclass(frozen=True)
class Word:
    """One word: it matches where any of its stems is indexed."""

    text: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other, in French or in English stemming."""

    text: str
    variants: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ParsedQuery:
    """The clauses of a query; empty means "browse everything"."""

    clauses: tuple[Word | Phrase, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def words(self) -> list[Word]:
        return [clause for clause in self.clauses if isinstance(clause, Word)]

    def replace_words(self, replacements: dict[str, str]) -> ParsedQuery:
        """The same query with some words swapped for others (spelling fixes)."""
        clauses: list[Word | Phrase] = []
        for clause in self.clauses:
            if isinstance(clause, Word) and clause.text in replacements:
                clauses.append(make_word(replacements[clause.text]))
            else:
                clauses.append(clause)
        return ParsedQuery(tuple(clauses))

    def display(self) -> str:
        """The query as a person would write it back."""
        return " ".join(clause.text if isinstance(clause, Word) else f'"{clause.text}"' for clause in self.clauses)


def clean(text: str) -> str:
    """Remove control and format characters; collapse white space."""
    kept = "".join(" " if unicodedata.category(char)[0] in {"C", "Z"} else char for char in text)
    return " ".join(kept.split())


def make_word(word: str) -> Word:
    """A query word: its own stems and those of its synonyms (see `synonyms`)."""
    stems = list(analysis.query_stems(word))
    for alternative in QUERY_SYNONYMS.get(word, ()):
        stems.extend(analysis.query_stems(alternative))
    return Word(text=word, stems=tuple(dict.fromkeys(stems)))


def parse(text: str) -> ParsedQuery:
    """Read a query; raise `QueryError` if it is too long to be a search."""
    if len(text) > MAX_QUERY_LENGTH * 2:
        raise QueryError(
            f"The search text is too long: at most {MAX_QUERY_LENGTH} characters.",
            code="too_long",
            limit=MAX_QUERY_LENGTH,
        )
    text = clean(text)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The search text is too long: at most {MAX_QUERY_LENGTH} characters.",
            code="too_long",
            limit=MAX_QUERY_LENGTH,
        )
    clauses: list[Word | Phrase] = []
    position = 0
    for match in _QUOTED.finditer(text):
        clauses.extend(_words(text[position : match.start()]))
        phrase = _phrase(match.group(1))
        if phrase is not None:
            clauses.append(phrase)
        position = match.end()
    clauses.extend(_words(text[position:].replace('"', " ")))
    unique = tuple(dict.fromkeys(clauses))
    if len(unique) > MAX_CLAUSES:
        raise QueryError(f"Too many words: at most {MAX_CLAUSES}.", code="too_many_words", limit=MAX_CLAUSES)
    return ParsedQuery(unique)


def _words(text: str) -> list[Word]:
    return [make_word(word) for word in analysis.content_words(text)]


def _phrase(text: str) -> Word | Phrase | None:
    words = analysis.content_words(text)
    if not words:
        return None
    if len(words) == 1:
        return make_word(words[0])
    variants = tuple(
        dict.fromkeys(tuple(analysis.stem(word, language) for word in words) for language in analysis.LANGUAGES)
    )
    return Phrase(text=" ".join(words), variants=variants)


def fts5(query: ParsedQuery) -> str:
    """The query in SQLite FTS5 syntax (every term quoted, so nothing is read as an operator)."""
    parts = []
    for clause in query.clauses:
        if isinstance(clause, Word):
            options = [f'"{stem}"' for stem in clause.stems]
        else:
            options = ['"' + " ".join(variant) + '"' for variant in clause.variants]
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


def tsquery(query: ParsedQuery) -> str:
    """The query in PostgreSQL `to_tsquery('simple', ...)` syntax."""
    parts = []
    for clause in query.clauses:
        if isinstance(clause, Word):
            options = [f"'{stem}'" for stem in clause.stems]
        else:
            options = ["(" + " <-> ".join(f"'{stem}'" for stem in variant) + ")" for variant in clause.variants]
        parts.append("(" + " | ".join(options) + ")")
    return " & ".join(parts)


def prefix_fts5(query: ParsedQuery, prefixes: tuple[str, ...]) -> str:
    """Every clause of `query` and a term starting with one of `prefixes` (normalised words)."""
    started = "(" + " OR ".join(f'"{prefix}" *' for prefix in prefixes) + ")"
    return f"{fts5(query)} AND {started}" if query else started


def prefix_tsquery(query: ParsedQuery, prefixes: tuple[str, ...]) -> str:
    started = "(" + " | ".join(f"'{prefix}':*" for prefix in prefixes) + ")"
    return f"{tsquery(query)} & {started}" if query else started

"""Text analysis shared by both search engines: one pipeline, so SQLite and PostgreSQL agree.

Every text is lower-cased, stripped of accents, cut into words, cleared of the commonest
French and English words, and stemmed with the Snowball stemmer of its language (the same
algorithms PostgreSQL's `french` and `english` configurations use). The index stores the stems;
a query word matches if its French or its English stem is there, so a resident can type in
either language, with or without accents ("theatre" finds "théâtre", "ateliers" finds "atelier",
"painting" finds "paint").

This module never imports Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

import Stemmer

LANGUAGES = ("fr", "en")
_STEMMER_NAMES = {"fr": "french", "en": "english"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

_STOPWORD_TEXT = (
    # French
    "a au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me "
    "meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes "
    "toi ton tu un une vos votre vous c d j l m n s t y est sont ete etre avoir ai as avons avez ont "
    "cet cette ceux celle celui ca sans sous chez vers entre "
    # English
    "an and are as at be but by for from has have he her his how i if in into is it its me my no "
    "not of on or our she so than that the their them then there these they this those to too us "
    "near was we were what when where which who why will with you your"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _latin_table() -> dict[int, str]:
    """Accented Latin letters mapped to their base letters (the common case, done by `str.translate`)."""
    table: dict[int, str] = {
        ord("œ"): "oe",
        ord("æ"): "ae",
        ord("ß"): "ss",
        ord("ø"): "o",
        ord("đ"): "d",
        ord("ł"): "l",
    }
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        if base != char and base.isascii():
            table[code] = base.lower()
    return table


_LATIN = _latin_table()


def unaccent(text: str) -> str:
    """Lower-case `text` and remove its accents ("Théâtre" -> "theatre", "Œuvre" -> "oeuvre")."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.translate(_LATIN)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased and without accents, in order (stop words kept)."""
    return _WORD.findall(unaccent(text))


def content_words(text: str) -> list[str]:
    """The words of `text` that carry meaning (stop words dropped), in order."""
    return [word for word in words(text) if word not in STOPWORDS]


@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES[language], 100_000)


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of an already normalised word in `language` ("fr" or "en")."""
    return str(_stemmer(language).stemWord(word))


def stems(text: str, language: str) -> list[str]:
    """The stems of the meaningful words of `text`, in order (what the index stores)."""
    return [stem(word, language) for word in content_words(text)]


Analysed = tuple[str, Sequence[str]]  # a text's stems (space-separated) and its words worth offering as fixes


def index_text(texts: Iterable[tuple[str, str]], vocabulary: set[str] | None = None, *, repeated: bool = True) -> str:
    """Index terms for several `(text, language)` pairs, as one space-separated string.

    Each text keeps its word order (phrases match inside one text); texts are separated by a
    marker term that no query can contain, so a phrase never spans two texts. The meaningful
    words seen are added to `vocabulary` when it is given. With `repeated`, analyses are remembered
    (names and titles that repeat); texts seen once (descriptions) are cheaper without.
    """
    analyse = _analysed if repeated else analysed
    parts = []
    for text, language in texts:
        if not text:
            continue
        terms, known = analyse(text, language)
        if vocabulary is not None:
            vocabulary.update(known)
        if terms:
            parts.append(terms)
    return joined(parts)


def joined(parts: Iterable[str]) -> str:
    """Index terms of consecutive groups of texts (each from `index_text`) as `index_text` would give them for
    all the texts at once: the non-empty ones, separated by the marker term."""
    return " zzsep ".join(part for part in parts if part)


def analysed(text: str, language: str) -> Analysed:
    """The stems of a text (as `index_text` stores them) and its words worth offering as spelling fixes."""
    found = content_words(text)
    known = tuple(word for word in found if len(word) >= 3 and not word.isdigit())
    return " ".join(_stemmer(language).stemWords(found)), known


_analysed = lru_cache(maxsize=50_000)(analysed)  # names and titles repeat from listing to listing


class OwnTerms(NamedTuple):
    """What a listing's own texts give its index entry: its title terms, the start of its body terms (its
    descriptions; the provider, place and topics follow), and their words worth offering as fixes."""

    texts: tuple[str, str, str, str]  # the texts analysed: title_fr, title_en, description_fr, description_en
    title: str
    body: str
    words: frozenset[str]


def own_terms(
    title_fr: str, title_en: str, description_fr: str, description_en: str, *, repeated: bool = True
) -> OwnTerms:
    """Analyse a listing's own texts as its index entry stores them (see `OwnTerms`); `repeated` as for
    `index_text` (an import's parsing process sees each listing once)."""
    vocabulary: set[str] = set()
    title = index_text([(title_fr, "fr"), (title_en, "en")], vocabulary, repeated=repeated)
    body = index_text([(description_fr, "fr"), (description_en, "en")], vocabulary, repeated=repeated)
    return OwnTerms((title_fr, title_en, description_fr, description_en), title, body, frozenset(vocabulary))


def query_stems(word: str) -> tuple[str, ...]:
    """The distinct stems a normalised query word may have in the index (French, English)."""
    return tuple(dict.fromkeys(stem(word, language) for language in LANGUAGES))

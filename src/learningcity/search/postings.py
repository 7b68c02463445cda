"""Which listings hold each indexed term, in memory: the word half of the in-memory search.

Without it, every word of a query that the snapshot has not seen recently is a trip to the
full-text index, and a common word ("atelier", "online") brings back most of a million listings:
hundreds of milliseconds on PostgreSQL, whatever the index. With it, a word is a few array
lookups: the engine hands over, once, every term with the listings whose text holds it (and,
separately, whose title does), as the database itself tokenised them, so a word matches here
exactly where `document @@ to_tsquery(...)` matches there.

The copy follows the catalogue like the rest of the snapshot: listings whose text changed after
the copy was taken are *overridden*; their old postings are ignored and their current terms are
kept beside (a few per edit), until the next full load. Phrases still go to the engine: they need
word positions, which this copy does not keep.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

EMPTY = np.empty(0, dtype=np.int64)


@dataclass
class Terms:
    """One listing's current terms: in its whole text, and in its title."""

    text: frozenset[str]
    title: frozenset[str]


@dataclass
class Postings:
    """Positions (in the snapshot) of the listings holding each term, with later edits on top."""

    text: dict[str, np.ndarray] = field(default_factory=dict)
    title: dict[str, np.ndarray] = field(default_factory=dict)
    overridden: dict[int, Terms] = field(default_factory=dict)
    _added_text: dict[str, set[int]] = field(default_factory=dict)
    _added_title: dict[str, set[int]] = field(default_factory=dict)
    _overridden_array: np.ndarray | None = None

    @property
    def postings(self) -> int:
        """How many (term, listing) pairs the copy holds (its size, for the logs)."""
        return sum(array.size for array in self.text.values()) + sum(array.size for array in self.title.values())

    def override(self, position: int, terms: Terms | None) -> None:
        """From now on, the listing at `position` holds `terms` (or nothing, when `None`)."""
        previous = self.overridden.get(position)
        if previous is not None:
            for term in previous.text:
                self._added_text.get(term, set()).discard(position)
            for term in previous.title:
                self._added_title.get(term, set()).discard(position)
        terms = terms or Terms(frozenset(), frozenset())
        self.overridden[position] = terms
        for term in terms.text:
            self._added_text.setdefault(term, set()).add(position)
        for term in terms.title:
            self._added_title.setdefault(term, set()).add(position)
        self._overridden_array = None

    def matches(self, stems: Iterable[str], capacity_bits: int) -> tuple[np.ndarray, np.ndarray]:
        """Packed bitsets of the listings holding any of `stems`: in their text, and in their title."""
        stems = tuple(stems)
        return (
            self._marks(stems, self.text, self._added_text, capacity_bits),
            self._marks(stems, self.title, self._added_title, capacity_bits),
        )

    def _marks(
        self, stems: tuple[str, ...], base: dict[str, np.ndarray], added: dict[str, set[int]], capacity_bits: int
    ) -> np.ndarray:
        marks = np.zeros(capacity_bits, dtype=bool)
        for stem in stems:
            found = base.get(stem)
            if found is not None:
                marks[found] = True
        if self.overridden:
            if self._overridden_array is None:
                self._overridden_array = np.fromiter(self.overridden, dtype=np.int64, count=len(self.overridden))
            marks[self._overridden_array] = False
            for stem in stems:
                positions = added.get(stem)
                if positions:
                    marks[np.fromiter(positions, dtype=np.int64, count=len(positions))] = True
        return np.packbits(marks)


def positions(ids: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Positions in the sorted `ids` of the listings in `found` (those `ids` lacks are dropped)."""
    if not found.size or not ids.size:
        return EMPTY
    index = np.searchsorted(ids, found)
    index[index >= ids.size] = 0
    kept: np.ndarray = index[ids[index] == found]
    return kept.astype(np.int32) if ids.size < 2**31 else kept

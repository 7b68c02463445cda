"""Result cards kept in memory: the opportunities a search page shows, loaded once per process.

A page of results costs one query for the listings and one per related table (organisation, venue,
blocks, languages, coming sessions, and for the API city, topics, audiences): most of a search's
time once the snapshot has found the ids. Popular searches show the same listings again and again,
so each process keeps the loaded listings (at most `LIMIT`, least recently used dropped first).

Never stale beyond the search's own snapshot: every change to what a card shows re-indexes the
listing (see `search/signals.py`), and the snapshot's refresh forgets the listings it re-reads
(`forget`). A card loaded by one thread while another refresh forgets it is not kept: each card is
stored with the snapshot generation seen before it was read, and refused if its listing was
forgotten at a later generation. Cards also expire after `MAX_AGE` seconds, because "the next
session" moves with the clock without any change in the database. Cards hold public data only.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

LIMIT = 1500  # cards per process (some 20 KB each with what they hold: 30 MB)
MAX_AGE = 60.0  # seconds
FORGOTTEN_LIMIT = 20_000


class CardCache:
    """Loaded opportunities by id (for one database), with the generation each was read at."""

    def __init__(self, limit: int = LIMIT, max_age: float = MAX_AGE) -> None:
        self.limit, self.max_age = limit, max_age
        self.cards: OrderedDict[int, tuple[Any, float]] = OrderedDict()
        self.forgotten: dict[int, int] = {}  # listing → generation at which it changed
        self.floor = -1  # cards read before this generation are refused (forgotten entries were pruned)
        self.lock = threading.Lock()

    def get_many(self, ids: Iterable[int]) -> dict[int, Any]:
        """The fresh cards among `ids`."""
        now = time.monotonic()
        found = {}
        with self.lock:
            for pk in ids:
                entry = self.cards.get(pk)
                if entry is None:
                    continue
                if now - entry[1] > self.max_age:
                    del self.cards[pk]
                    continue
                self.cards.move_to_end(pk)
                found[pk] = entry[0]
        return found

    def put_many(self, cards: Iterable[Any], *, generation: int) -> None:
        """Keep cards read from the database after the snapshot reached `generation`."""
        now = time.monotonic()
        with self.lock:
            if generation < self.floor:
                return
            for card in cards:
                if generation < self.forgotten.get(card.pk, -1):
                    continue
                self.cards[card.pk] = (card, now)
                self.cards.move_to_end(card.pk)
            while len(self.cards) > self.limit:
                self.cards.popitem(last=False)

    def forget(self, ids: Iterable[int], *, generation: int) -> None:
        """Listings that changed at `generation`: drop their cards, refuse older reads of them."""
        with self.lock:
            for pk in ids:
                self.cards.pop(pk, None)
                self.forgotten[pk] = generation
            if len(self.forgotten) > FORGOTTEN_LIMIT:
                self.floor = max(self.floor, *self.forgotten.values())
                self.forgotten.clear()

    def clear(self, *, generation: int) -> None:
        """Drop every card (after a full reload of the snapshot)."""
        with self.lock:
            self.cards.clear()
            self.forgotten.clear()
            self.floor = max(self.floor, generation)


_caches: dict[str, CardCache] = {}
_caches_lock = threading.Lock()


def for_database(name: str) -> CardCache:
    """This process's cards for one database (tests switch databases)."""
    with _caches_lock:
        found = _caches.get(name)
        if found is None:
            found = _caches[name] = CardCache()
        return found


def forget_all() -> None:
    """Drop every cache of this process (tests)."""
    with _caches_lock:
        _caches.clear()

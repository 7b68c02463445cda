"""Run a parser in a second process, so that reading a large file and writing it to the database overlap.

Parsers are pure (bytes in, records out, no database), which makes this safe: the child is a fork of
the importing process that only parses, computes each record's fingerprint (and, for listings that
will be searchable, the search analysis of its own texts), and sends the items back in batches
through a pipe; it never touches the database connections it inherited, and ends with
`os._exit` (no clean-up runs in it). What it raises comes back as it would have been raised here:
`FileRejected` with its reason and line; anything else as a ValueError, which the pipeline turns into
"the file could not be read" (a parser's promise is never to raise).

Worth it for large files only (a fork and a pipe cost a few milliseconds), on a machine with a second
core, where `fork` exists.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from multiprocessing.connection import Connection
from typing import Any

from django.utils import translation

from learningcity.interop.records import FileRejected, OpportunityRecord, Parsed, ParseOptions, Parser
from learningcity.search import analysis

ASIDE_FROM_BYTES = 2 * 1024 * 1024  # below this a file is read faster in the importing process
BATCH = 500  # items per message: large enough that pickling dominates, small enough to start writing early
AHEAD = 40  # messages the child may be ahead of the importing process: 20,000 items, four chunks
FINGERPRINT = "_fingerprint"  # the attribute a record's precomputed fingerprint travels in
ANALYSED = "_analysed"  # the attribute the search analysis of a record's texts travels in
# A record's texts the search index analyses as they are (stripped, as the listing stores them), in the order of
# `analysis.own_terms`.
SEARCHED_TEXTS = ("title_fr", "title_en", "description_fr", "description_en")
_APART = "\x1f"  # between the parts of a packed analysis: terms and words are letters, digits and spaces


@dataclass
class Waited:
    """How long the importing process waited for the parser's next batch in the last `parse_aside` (seconds):
    the benchmark shows it."""

    seconds: float = 0.0


waited = Waited()


def worth_it(size: int) -> bool:
    """Whether a file of `size` bytes is parsed faster in a second process here."""
    return size >= ASIDE_FROM_BYTES and (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def fingerprint(record: OpportunityRecord) -> str:
    """The record's fingerprint, computed by the parsing process when it was the one to read it."""
    known = getattr(record, FINGERPRINT, None)
    return known if isinstance(known, str) else record.fingerprint()


def own_terms(record: OpportunityRecord) -> analysis.OwnTerms | None:
    """The search analysis of the record's own texts made by the parsing process (`analysis.own_terms`), or
    None when it made none. It names the texts it was made from: the index uses it only for those texts."""
    packed = getattr(record, ANALYSED, None)
    if not isinstance(packed, str):
        return None
    title, body, words = packed.split(_APART)
    texts = (
        record.title_fr.strip(),
        record.title_en.strip(),
        record.description_fr.strip(),
        record.description_en.strip(),
    )
    return analysis.OwnTerms(texts, title, body, frozenset(words.split()))


def _analyse(record: OpportunityRecord) -> str:
    """The analysis `own_terms` gives back, packed as one string (one object to pickle rather than four)."""
    own = analysis.own_terms(*(getattr(record, name).strip() for name in SEARCHED_TEXTS), repeated=False)
    return _APART.join((own.title, own.body, " ".join(own.words)))


def parse_aside(parse: Parser, content: bytes, options: ParseOptions, *, analyse: bool = False) -> Iterator[Parsed]:
    """The items `parse(content, options)` gives, parsed in a forked process; with `analyse`, records also carry
    the search analysis of their texts (see `analyses`)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(parse, content, options, translation.get_language(), sender, analyse), daemon=True
    )
    child.start()
    sender.close()
    # A thread empties the pipe as batches arrive, so that the child parses ahead while this process
    # checks and writes a chunk (a pipe holds 64 kB: the child would wait for every read).
    batches: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    reader = threading.Thread(target=_drain, args=(receiver, batches, stop), daemon=True)
    reader.start()
    waited.seconds = 0.0
    try:
        while True:
            asked = time.perf_counter()
            message = batches.get()
            waited.seconds += time.perf_counter() - asked
            if message is None:
                raise ValueError("The parsing process ended without a word")
            kind, payload = pickle.loads(message)  # noqa: S301 (our own child's message)
            if kind == "items":
                yield from payload
            elif kind == "rejected":
                reason, line = payload
                raise FileRejected(reason, line=line)
            elif kind == "failed":
                raise ValueError(payload)
            else:
                return
    finally:
        stop.set()
        if child.is_alive():
            child.terminate()  # the import stopped early (a database error, say): the rest is not needed
        child.join()
        reader.join()
        receiver.close()


def _drain(receiver: Connection, batches: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """Move the child's messages from the pipe to the queue until the pipe closes or the reader stops."""
    while not stop.is_set():
        try:
            message: bytes | None = receiver.recv_bytes()
        except (EOFError, OSError):
            message = None
        while not stop.is_set():
            try:
                batches.put(message, timeout=0.1)
                break
            except queue.Full:
                continue
        if message is None:
            return


def _shared(moment: datetime, zones: dict[tuple[timedelta | None, str | None], timezone]) -> datetime:
    """`moment` with a fixed-offset zone equal to its own (same offset and name) that other moments share: a batch
    then carries one zone object per offset, pickled and rebuilt once, rather than one per moment."""
    zone = moment.tzinfo
    if type(zone) is not timezone:
        return moment  # none, or a ZoneInfo (pickled by its name, already shared)
    shared = zones.setdefault((zone.utcoffset(None), zone.tzname(None)), zone)
    return moment if shared is zone else moment.replace(tzinfo=shared)


def _child(
    parse: Parser, content: bytes, options: ParseOptions, language: str | None, sender: Connection, analyse: bool
) -> None:
    if language:
        translation.activate(language)
    # What the child inherited is never garbage: kept out of collections (which would also copy its pages), and
    # the parser's own objects are collected once per batch rather than every few hundred allocations.
    gc.freeze()
    gc.disable()
    zones: dict[tuple[timedelta | None, str | None], timezone] = {}
    try:
        batch: list[Any] = []
        for item in parse(content, options):
            if isinstance(item, OpportunityRecord):
                setattr(item, FINGERPRINT, item.fingerprint())
                if analyse:
                    setattr(item, ANALYSED, _analyse(item))
                for session in item.sessions:
                    session.start, session.end = _shared(session.start, zones), _shared(session.end, zones)
            batch.append(item)
            if len(batch) >= BATCH:
                sender.send(("items", batch))
                batch = []
                gc.collect(0)
        sender.send(("items", batch))
        sender.send(("done", None))
    except FileRejected as rejection:
        sender.send(("rejected", (rejection.reason, rejection.line)))
    except BaseException as error:  # whatever it is, the importing process must hear of it
        sender.send(("failed", f"{type(error).__name__}: {error}"[:500]))
    finally:
        sender.close()

"""Compute the next batch in a worker thread while the caller writes the current one.

Generating a chunk is pure Python; writing it is mostly time inside SQLite or the PostgreSQL
driver, which release the GIL. Overlapping the two roughly hides generation behind the writes on a
machine with two cores. There is one producer, so batches come out in order and the result stays
deterministic; the caller keeps the database connection on its own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from queue import Empty, Full, Queue
from typing import Generic, TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.1


class _Outcome(Generic[T]):
    """A produced value, a failure, or the end of the stream."""

    def __init__(self, value: T | None = None, error: BaseException | None = None, done: bool = False) -> None:
        self.value = value
        self.error = error
        self.done = done


def produce_ahead(make: Callable[[int], T], sizes: Iterable[int], depth: int = 1) -> Iterator[T]:
    """Yield `make(size)` for each size, in order, computing up to `depth` results ahead in a thread."""
    queue: Queue[_Outcome[T]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(outcome: _Outcome[T]) -> bool:
        """Queue an outcome unless the consumer has gone; False once it has."""
        while not stop.is_set():
            try:
                queue.put(outcome, timeout=POLL_SECONDS)
                return True
            except Full:
                continue
        return False

    def work() -> None:
        """The producer thread: make every batch, then signal the end (or the failure)."""
        try:
            for size in sizes:
                if not put(_Outcome(make(size))):
                    return
        except BaseException as error:  # handed over to the consuming thread
            put(_Outcome(error=error))
            return
        put(_Outcome(done=True))

    thread = threading.Thread(target=work, name="demo-generator", daemon=True)
    thread.start()
    try:
        yield from _consume(queue)
    finally:
        stop.set()
        _drain(queue, thread)


def _consume(queue: Queue[_Outcome[T]]) -> Iterator[T]:
    while True:
        outcome = queue.get()
        if outcome.error is not None:
            raise outcome.error
        if outcome.done:
            return
        yield outcome.value  # type: ignore[misc]


def _drain(queue: Queue[_Outcome[T]], thread: threading.Thread) -> None:
    """Let a producer blocked on a full queue notice the stop and finish."""
    while thread.is_alive():
        try:
            queue.get_nowait()
        except Empty:
            thread.join(POLL_SECONDS)

"""Fast inserts for the demo generator: executemany with ids we assign ourselves.

`Model.objects.bulk_create` builds a model instance per row and one huge statement per batch; for
millions of rows that costs more than generating them. Here rows are plain tuples of database-ready
values written with `cursor.executemany`, which works through Django's cursor on SQLite and
PostgreSQL alike (`%s` placeholders, quoted names). Ids are assigned by the caller so that rows can
reference each other without a round trip; `reset_sequences` then realigns PostgreSQL's identity
sequences (SQLite's AUTOINCREMENT follows explicit ids by itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from learningcity.bulk import TableWriter

__all__ = ["TableWriter", "adapt_json", "analyze", "next_id", "reset_sequences", "sqlite_tuned", "value_adapters"]


def next_id(model: type[models.Model]) -> int:
    """The first free primary key above every existing row."""
    highest = model._default_manager.aggregate(highest=Max("pk"))["highest"]
    return int(highest or 0) + 1


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the ids we assigned (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def analyze(model_list: Sequence[type[models.Model]]) -> None:
    """Refresh PostgreSQL's planner statistics for freshly loaded tables.

    Without them the planner still believes the tables are empty (even inside the loading
    transaction) and joins millions of rows with nested loops. SQLite plans well from its indexes.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(model._meta.db_table) for model in model_list))


def value_adapters() -> tuple[Callable[[datetime], Any], Callable[[date], Any]]:
    """Functions turning aware datetimes and dates into what the driver wants (UTC strings on SQLite).

    They are bound to this thread's connection, so a generator thread can use them safely.
    """
    operations = connection.ops
    return operations.adapt_datetimefield_value, operations.adapt_datefield_value


def adapt_json(model: type[models.Model], field_name: str, value: Any) -> Any:
    """A JSON value as the database driver wants it (jsonb on PostgreSQL, text on SQLite)."""
    field = model._meta.get_field(field_name)
    return field.get_db_prep_save(value, connection)  # type: ignore[union-attr]


@contextmanager
def sqlite_tuned(cache_kib: int = 262_144) -> Iterator[None]:
    """A bigger page cache while the build runs on SQLite, so index pages stay in memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")

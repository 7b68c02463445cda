"""Fast inserts: rows as plain tuples, or with `RETURNING` ids.

`Model.objects.bulk_create` builds a model instance per row and prepares every value through the
query compiler; for hundreds of thousands of rows that costs more than the database's own work.
Here rows are tuples written through Django's cursor (`%s` placeholders, quoted names): multi-row
INSERT statements on SQLite, COPY on PostgreSQL. The demo generator assigns ids itself; imports, which run beside other
writers, let the database assign them and read them back (`insert_returning`).

Inside `copying_aside()`, PostgreSQL's COPYs run in a writer thread on the same connection (so in the same
transaction), in order, while the caller prepares what comes next: the database server inserts one batch while
Python computes the next (see `copying_aside`); `checked_per_statement` moves the foreign-key checks Django defers
to the commit into those statements, where they overlap too.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations

RETURNING_BATCH = 500
STATEMENT_ROWS = 500  # rows per multi-row INSERT on SQLite


class TableWriter:
    """Inserts tuples into one model's table; columns are given by attribute name (`city_id`)."""

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], *, adapt: bool = False, ready: Collection[str] = ()
    ) -> None:
        self.model = model
        self.columns = tuple(columns)
        fields = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in self.columns if name not in fields]
        if unknown:
            raise ImproperlyConfigured(f"{model.__name__} has no columns {unknown}")
        # With `adapt`, Python values (aware datetimes, dates, decimals, JSON) are turned into what the
        # driver wants, column by column, except in the `ready` columns (JSON given as its text, say);
        # without it the caller passes database-ready values.
        self.adapters = [None if name in ready else _adapter(fields[name]) for name in self.columns] if adapt else None
        self.extra = tuple(_default_value(field) for field in _missing_fields(model, self.columns))
        names = [fields[name].column for name in self.columns]
        names += [field.column for field in _missing_fields(model, self.columns)]
        self._names = names
        quote = connection.ops.quote_name
        placeholders = ", ".join(["%s"] * len(names))
        # Names come from model metadata and are quoted; every value is a parameter.
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(name) for name in names)}) "  # noqa: S608
            f"VALUES ({placeholders})"
        )
        self._qmark_sql = self.sql.replace("%s", "?")  # SQLite's own placeholders (names hold no "%s")

    def write(self, rows: list[tuple[Any, ...]]) -> int:
        """Insert the rows; returns how many were written."""
        if not rows:
            return 0
        rows = self._ready(rows)
        if connection.vendor == "postgresql":
            self._copy(self._names, rows)
            return len(rows)
        self._insert_many(rows)
        return len(rows)

    def _insert_many(self, rows: list[tuple[Any, ...]]) -> None:
        """SQLite: multi-row INSERT statements of a few hundred rows each.

        `executemany` runs the statement once per row, and every run is a statement of its own: a table
        with triggers feeding an FTS5 index (search texts) then makes FTS5 write its pending terms to disk
        after each row, ten times the cost of a few hundred rows per statement. Plain tables gain a little.
        """
        head, values = self._qmark_sql.split(" VALUES ", 1)
        per_statement = max(1, min(STATEMENT_ROWS, _max_parameters() // max(1, len(self._names))))
        full = f"{head} VALUES {', '.join([values] * per_statement)}"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per_statement):
                batch = rows[start : start + per_statement]
                statement = full if len(batch) == per_statement else f"{head} VALUES {', '.join([values] * len(batch))}"
                _run_sqlite(cursor, statement, [value for row in batch for value in row])

    def _copy(self, names: list[str], rows: list[tuple[Any, ...]]) -> None:
        """PostgreSQL's COPY, the fastest way in: rows stream to the server with no statement per row."""
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        statement = f"COPY {table} ({', '.join(quote(name) for name in names)}) FROM STDIN"
        writer = getattr(_aside, "writer", None)
        if writer is not None:
            writer.add(statement, rows)
            return
        with connection.wrap_database_errors, connection.cursor() as cursor:  # the driver's errors made Django's
            _copy_rows(cursor.cursor, statement, rows)

    def insert_returning(self, rows: list[tuple[Any, ...]]) -> list[int]:
        """Insert the rows and return their new primary keys, in order."""
        ready = self._ready(rows)
        if not ready:
            return []
        quote = connection.ops.quote_name
        pk = quote(self.model._meta.pk.column)
        if connection.vendor == "postgresql":
            return self._insert_with_reserved_ids(ready)
        head, values = self._qmark_sql.split(" VALUES ", 1)
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(ready), RETURNING_BATCH):
                batch = ready[start : start + RETURNING_BATCH]
                statement = f"{head} VALUES {', '.join([values] * len(batch))} RETURNING {pk}"
                _run_sqlite(cursor, statement, [value for row in batch for value in row])
                ids.extend(int(row[0]) for row in cursor.fetchall())
        return ids

    def _insert_with_reserved_ids(self, rows: list[tuple[Any, ...]]) -> list[int]:
        """PostgreSQL: take ids from the table's sequence (safe beside other writers), then COPY the rows
        with them. (A multi-row INSERT of thousands of placeholders costs psycopg more to convert than
        the server takes to run it.)"""
        table = self.model._meta.db_table
        pk_column = self.model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk_column, len(rows)],
            )
            ids = [int(row[0]) for row in cursor.fetchall()]
        self._copy([pk_column, *self._names], [(pk_value, *row) for pk_value, row in zip(ids, rows, strict=True)])
        return ids

    def _ready(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        extra = self.extra
        adapted = [(index, adapt) for index, adapt in enumerate(self.adapters or []) if adapt is not None]
        if not adapted:
            return [row + extra for row in rows] if extra else rows
        ready = []
        for row in rows:
            values = list(row)
            for index, adapt in adapted:
                value = values[index]
                if value is not None:
                    values[index] = adapt(value)
            ready.append((*values, *extra))
        return ready


_aside = threading.local()  # this thread's writer, inside `copying_aside`


@contextmanager
def checked_per_statement(models_written: Sequence[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, inside the caller's transaction: check the foreign keys of these tables at the end of each
    statement rather than at the commit (Django makes them deferred), until the block ends.

    The same rows are refused, by the same `IntegrityError`, only sooner; what changes is when the server does the
    work. A bulk import's checks (a dozen per listing) would otherwise all run in the commit, with nothing else
    to do meanwhile; per statement, they run in the COPYs that `copying_aside` overlaps with the import's own
    work. The constraints are deferred again at the end (their initial state); a failed block leaves that to
    the rollback, which restores it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models_written]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.contype = 'f' AND c.condeferrable AND c.condeferred AND c.conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1",
            [tables],
        )
        names = ", ".join(row[0] for row in cursor.fetchall())
    if not names:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")  # names quoted by the server
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


@contextmanager
def copying_aside() -> Iterator[None]:
    """On PostgreSQL, let the `TableWriter` COPYs made inside run in a writer thread, one after another.

    The caller holds a transaction (the writer uses the same connection: psycopg's lock lets one thread use it
    at a time). This thread goes on at once: a query it makes through Django first waits for the COPYs queued
    before it (and raises what failed in them), so it reads what they wrote; the end of the block waits for
    them all, before the caller commits. Elsewhere (SQLite, or nested) it changes nothing.
    """
    if connection.vendor != "postgresql" or getattr(_aside, "writer", None) is not None:
        yield
        return
    connection.ensure_connection()
    writer = _CopyWriter(connection.connection)
    _aside.writer = writer

    def settled(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any) -> Any:
        writer.settle()
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(settled):
            yield
            writer.settle()
    finally:
        _aside.writer = None
        writer.stop()


class _CopyWriter:
    """A thread running COPYs, in the order given, on a psycopg connection; the first failure stops the rest."""

    def __init__(self, raw_connection: Any) -> None:
        self.raw_connection = raw_connection
        self.jobs: queue.Queue[tuple[str, list[tuple[Any, ...]]] | None] = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bulk-copy", daemon=True)
        self.thread.start()

    def add(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        self.jobs.put((statement, list(rows)))  # a list of its own: the caller may reuse theirs

    def settle(self) -> None:
        """Wait for the queued COPYs; raise (as Django would) the error of one that failed."""
        self.jobs.join()
        error, self.error = self.error, None
        if error is not None:
            with connection.wrap_database_errors:
                raise error

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join()

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None:
                    statement, rows = job
                    with self.raw_connection.cursor() as cursor:
                        _copy_rows(cursor, statement, rows)
            except BaseException as error:  # raised in the caller's thread by `settle`
                self.error = error
            finally:
                self.jobs.task_done()


def _copy_rows(driver_cursor: Any, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Send `rows` through one PostgreSQL COPY on the driver's (psycopg's) cursor."""
    with driver_cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _run_sqlite(cursor: Any, statement: str, parameters: list[Any]) -> None:
    """Run a statement written with SQLite's `?` placeholders through the driver's cursor under Django's
    cursor: Django would rewrite `%s` into `?` with a regular expression over the whole text on every call,
    which for statements of thousands of placeholders costs as much as the insert. Errors are Django's as
    usual; the statement is not seen by Django's execute wrappers (query logging)."""
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        sqlite3.Cursor.execute(cursor.cursor, statement, parameters)


def _max_parameters() -> int:
    """How many parameters one SQLite statement may hold (the build's own limit: 32,766 and more since 3.32;
    Django's feature flag says 999 for every build)."""
    connection.ensure_connection()
    try:
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except AttributeError:  # a driver without `getlimit`
        return int(connection.features.max_query_params or 999)


def _missing_fields(model: type[models.Model], columns: Sequence[str]) -> list[models.Field[Any, Any]]:
    """Concrete fields the caller did not give, except an auto-incremented primary key."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.attname not in columns and not (field.primary_key and isinstance(field, models.AutoField))
    ]


def _default_value(field: models.Field[Any, Any]) -> Any:
    """A database value for a column the generator does not know about (a field added later)."""
    if field.has_default():
        return field.get_db_prep_save(field.get_default(), connection)
    if field.null:
        return None
    raise ImproperlyConfigured(
        f"{field.model.__name__}.{field.name} has no default: teach the demo generator to fill it"
    )


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How one column's Python value becomes the driver's value, or None when the driver takes it as it is."""
    operations = connection.ops
    native = connection.vendor == "postgresql"  # psycopg adapts dates, datetimes and decimals itself
    if isinstance(field, models.DateTimeField):
        if native:
            return None
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone is not None:
            return _sqlite_moment(connection.timezone)
        return operations.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return None if native else operations.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        if type(operations).adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
            return None  # the default is the value itself
        return lambda value: operations.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _sqlite_moment(zone: tzinfo) -> Callable[[Any], Any]:
    """Django's SQLite adaptation of datetimes (aware ones as naive text in the connection's zone, UTC unless
    configured), without its lookups on every call: a third of the time of writing 100,000 rows."""
    fallback = connection.ops.adapt_datetimefield_value
    # Imports repeat the same moments (a run's own time, sessions' hours), in every writer and chunk. Equal
    # aware datetimes are the same instant, whatever their zone; a naive one never equals an aware one.
    known = _MOMENT_TEXTS.setdefault(str(zone), {})

    def adapt(value: Any) -> Any:
        if type(value) is datetime:
            text = known.get(value)
            if text is not None:
                return text
        if isinstance(value, datetime) and value.utcoffset() is not None:
            text = str(value.astimezone(zone).replace(tzinfo=None))
            if len(known) < 10_000:
                known[value] = text
            return text
        return fallback(value)  # naive (refused by Django), or an expression

    return adapt


_MOMENT_TEXTS: dict[str, dict[datetime, str]] = {}  # by the connection's zone: moments already adapted

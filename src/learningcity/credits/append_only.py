"""Database triggers that refuse to rewrite the ledger (see migration 0002 for why DELETE differs by engine)."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ["credits_entry", "credits_auditrecord"]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION credits_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' rows are append-only', ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def ensure_triggers(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the triggers; a table rebuilt by a later SQLite migration loses its triggers otherwise."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION credits_append_only();"
                )
            elif connection.vendor == "sqlite":
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_append_only BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END;"
                )


def after_migrate(sender: Any, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """post_migrate receiver: keep the triggers whatever migrations ran."""
    from django.db import connections

    connection = connections[using]
    tables = connection.introspection.table_names()
    if all(table in tables for table in TABLES):
        ensure_triggers(connection)

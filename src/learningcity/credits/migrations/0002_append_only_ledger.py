"""The database itself refuses to rewrite ledger entries and audit records.

UPDATE is refused on both engines. DELETE is refused on PostgreSQL only: TRUNCATE (how Django's test
runner empties tables there) fires no row trigger, whereas on SQLite the test runner empties tables with
DELETE, so there the application layer (append-only models and PROTECT foreign keys) guards deletion.
"""

from django.db import migrations

TABLES = ["credits_entry", "credits_auditrecord"]

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION credits_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' rows are append-only', ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION credits_append_only();"
            )
    elif connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END;"
            )


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    for table in TABLES:
        if connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS credits_append_only();")


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

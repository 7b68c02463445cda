"""Full-text structures of the engine in use: FTS5 tables and triggers, or tsvector columns and GIN indexes."""

from django.db import migrations


def install(apps, schema_editor):
    from learningcity.search.engines import engine

    engine(schema_editor.connection).install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

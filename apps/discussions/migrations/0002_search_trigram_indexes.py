"""Trigram indexes for searching thread titles and post bodies, on PostgreSQL only (see
incidents 0006 for why: ``icontains`` is ``UPPER(col::text) LIKE UPPER(%s)`` there, and a
GIN ``gin_trgm_ops`` index on that expression serves it). A no-op on SQLite."""

from django.db import migrations

INDEXES = [
    ("thread_title_trgm", "discussions_thread", "title"),
    ("post_body_trgm", "discussions_post", "body"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("discussions", "0001_thread_post")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

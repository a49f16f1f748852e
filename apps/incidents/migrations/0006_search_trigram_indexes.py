"""Trigram indexes for text search, on PostgreSQL only.

Search matches with ``icontains`` (Japanese has no spaces, so substring matching is what
finds ランサムウェア inside a sentence). On PostgreSQL Django writes that as
``UPPER(col::text) LIKE UPPER(%s)``; a GIN index with ``gin_trgm_ops`` on exactly that
expression lets the planner answer it from the index instead of reading every row. pg_trgm
extracts trigrams from Japanese text when the database's LC_CTYPE classifies it as
letters (C.UTF-8, ja_JP.UTF-8, en_US.UTF-8 all do).

SQLite has no such index and needs none at demo sizes: there this migration does nothing.
The indexes are not in the models' Meta (an expression with an operator class on one
backend only), so the model state, and `makemigrations --check`, are the same everywhere.
"""

from django.db import migrations

INDEXES = [
    ("incident_title_trgm", "incidents_incident", "title"),
    ("incident_summary_trgm", "incidents_incident", "summary"),
    ("indicator_value_trgm", "incidents_indicator", "value"),
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
    dependencies = [("incidents", "0005_load_attack_catalogue")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

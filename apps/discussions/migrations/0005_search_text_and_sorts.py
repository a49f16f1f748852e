"""The folded search text of threads and posts (`portal.search_text`): columns written by
`save()`, filled here for what exists, with trigram indexes on PostgreSQL (see incidents
0006 and 0012; the ``UPPER(title)`` / ``UPPER(body)`` indexes of 0002 serve nothing now and
are dropped). Also the indexes of the list's sorts by label and by start."""

from django.db import migrations, models

from portal.search_text import search_document

CHUNK = 2000


def _fill(model, field, alias):
    batch = []
    for item in model.objects.using(alias).order_by().only("pk", field).iterator(
            chunk_size=CHUNK):
        item.search_text = search_document(getattr(item, field))
        batch.append(item)
        if len(batch) >= CHUNK:
            model.objects.using(alias).bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        model.objects.using(alias).bulk_update(batch, ["search_text"])


def fill(apps, schema_editor):
    alias = schema_editor.connection.alias
    _fill(apps.get_model("discussions", "Thread"), "title", alias)
    _fill(apps.get_model("discussions", "Post"), "body", alias)


TRIGRAMS = [("thread_search_trgm", "discussions_thread"), ("post_search_trgm", "discussions_post")]
OLD = [("thread_title_trgm", "discussions_thread", "title"),
       ("post_body_trgm", "discussions_post", "body")]


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in TRIGRAMS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            'USING gin ("search_text" gin_trgm_ops)'
        )
    for name, _table, _column in OLD:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in TRIGRAMS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    for name, table, column in OLD:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("discussions", "0004_audience_rows")]

    operations = [
        migrations.AddField(
            model_name="thread",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(
                fields=["community", "tlp", "-last_post_at"], name="thread_community_label"
            ),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(fields=["created_at", "id"], name="thread_created"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index, unindex, elidable=False),
    ]

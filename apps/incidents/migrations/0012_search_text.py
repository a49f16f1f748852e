"""The folded search text of incidents (`portal.search_text`): a column written by
`Incident.save()`, filled here for the incidents that exist, and a trigram index on it
(PostgreSQL only; see 0006 for why trigrams).

Search now matches ``search_text LIKE %term%`` with the term folded the same way, so the
trigram indexes on ``UPPER(title)`` and ``UPPER(summary)`` of 0006 serve nothing and are
dropped (the one on indicator values stays). As in 0006, the index is not in the model's
Meta (an operator class on one backend only).

Also `ListVisit`: when a member last opened a community's incident or discussion list, so
that the list marks what is new since their previous visit."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from portal.search_text import search_document

CHUNK = 2000


def fill(apps, schema_editor):
    incident = apps.get_model("incidents", "Incident")
    rows = incident.objects.using(schema_editor.connection.alias).order_by()
    batch = []
    for item in rows.only("pk", "title", "summary").iterator(chunk_size=CHUNK):
        item.search_text = search_document(item.title, item.summary)
        batch.append(item)
        if len(batch) >= CHUNK:
            incident.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        incident.objects.bulk_update(batch, ["search_text"])


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "incident_search_trgm" ON "incidents_incident" '
        'USING gin ("search_text" gin_trgm_ops)'
    )
    schema_editor.execute('DROP INDEX IF EXISTS "incident_title_trgm"')
    schema_editor.execute('DROP INDEX IF EXISTS "incident_summary_trgm"')


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "incident_search_trgm"')
    for name, column in (("incident_title_trgm", "title"), ("incident_summary_trgm", "summary")):
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "incidents_incident" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0004_community_counts_in_federation_summary"),
        ("incidents", "0011_sighting_false_positive"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["updated_at", "id"], name="incident_updated"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index, unindex, elidable=False),
        migrations.CreateModel(
            name="ListVisit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("list", models.CharField(
                    choices=[("incidents", "Incidents"), ("discussions", "Discussions")],
                    max_length=20, verbose_name="list")),
                ("last_seen_at", models.DateTimeField(verbose_name="last seen")),
                ("new_since", models.DateTimeField(blank=True, null=True,
                                                   verbose_name="new since")),
                ("community", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                    to="communities.community", verbose_name="community")),
                ("user", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                    to=settings.AUTH_USER_MODEL, verbose_name="user")),
            ],
            options={
                "verbose_name": "list visit",
                "verbose_name_plural": "list visits",
                "constraints": [models.UniqueConstraint(
                    fields=("community", "user", "list"), name="listvisit_unique")],
            },
        ),
    ]

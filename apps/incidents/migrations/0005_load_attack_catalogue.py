"""Load the shipped MITRE ATT&CK catalogue, so the technique picker works on a fresh machine.

Idempotent (creates what is missing, updates what changed); reversing leaves the rows, which
incidents may point at.
"""

from django.db import migrations


def load(apps, schema_editor):
    from apps.incidents.attack import catalogue_load, records_from_package

    catalogue_load(records_from_package(), model=apps.get_model("incidents", "AttackTechnique"))


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0004_sighting_feedback_view"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]

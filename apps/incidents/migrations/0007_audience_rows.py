"""Materialise the audience of every existing incident from its grants (sharing.AudienceRow)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from apps.sharing.materialise import rebuild_sql

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model("incidents", "Incident")
    content_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="incident")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_incident", defaults={"name": "Can view incident"}
    )
    rebuild_sql(
        content_type_id=content_type.pk,
        permission_id=permission.pk,
        item_table=model._meta.db_table,
        user_grant_table=apps.get_model("incidents", "IncidentUserObjectPermission")._meta.db_table,
        group_grant_table=apps.get_model("incidents", "IncidentGroupObjectPermission")._meta.db_table,
        position_column="created_at",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_search_trigram_indexes"),
        ("sharing", "0002_audience_rows"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

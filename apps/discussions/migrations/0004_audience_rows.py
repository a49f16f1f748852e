"""Materialise the audience of every existing thread from its grants (sharing.AudienceRow)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from apps.sharing.materialise import rebuild_sql

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model("discussions", "Thread")
    content_type, _ = ContentType.objects.get_or_create(app_label="discussions", model="thread")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_thread", defaults={"name": "Can view thread"}
    )
    rebuild_sql(
        content_type_id=content_type.pk,
        permission_id=permission.pk,
        item_table=model._meta.db_table,
        user_grant_table=apps.get_model("discussions", "ThreadUserObjectPermission")._meta.db_table,
        group_grant_table=apps.get_model("discussions", "ThreadGroupObjectPermission")._meta.db_table,
        position_column="last_post_at",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0003_postrevision_redaction"),
        ("sharing", "0002_audience_rows"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Materialise the audience of every existing thread from its grants (sharing.AudienceRow)."""

from django.db import migrations

from apps.sharing.materialise import rebuild_operation


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0003_postrevision_redaction"),
        ("sharing", "0002_audience_rows"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [rebuild_operation("discussions", "Thread", "last_post_at")]

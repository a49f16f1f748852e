"""Materialise the audience of every existing incident from its grants (sharing.AudienceRow)."""

from django.db import migrations

from apps.sharing.materialise import rebuild_operation


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_search_trigram_indexes"),
        ("sharing", "0002_audience_rows"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [rebuild_operation("incidents", "Incident", "created_at")]

import secrets

from django.db import migrations, models

import apps.accounts.models


def give_each_user_a_secret(apps, schema_editor):
    """One secret per existing user (a default would give them all the same one)."""
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(calendar_secret__isnull=True).only("pk"):
        user.calendar_secret = secrets.token_urlsafe(32)
        user.save(update_fields=["calendar_secret"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_token_expiry"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="calendar_secret",
            field=models.CharField(editable=False, max_length=64, null=True,
                                   verbose_name="calendar link secret"),
        ),
        migrations.RunPython(give_each_user_a_secret, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="calendar_secret",
            field=models.CharField(default=apps.accounts.models.new_calendar_secret,
                                   editable=False, max_length=64, unique=True,
                                   verbose_name="calendar link secret"),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_stix_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="sighting",
            name="false_positive",
            field=models.BooleanField(
                default=False,
                help_text="It turned out to be harmless: counted apart from real sightings.",
                verbose_name="false positive",
            ),
        ),
    ]

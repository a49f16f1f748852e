import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0005_membership_last_visit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IncidentDesk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        blank=True,
                        help_text="Told of each report by a count only, never its content.",
                        max_length=254,
                        verbose_name="desk e-mail address",
                    ),
                ),
                (
                    "phone",
                    models.CharField(blank=True, max_length=40, verbose_name="desk phone number"),
                ),
                (
                    "hours",
                    models.CharField(
                        blank=True,
                        help_text="When the desk answers, e.g. weekdays 9:00–18:00 JST.",
                        max_length=200,
                        verbose_name="hours",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "community",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incident_desk",
                        to="communities.community",
                        verbose_name="community",
                    ),
                ),
                (
                    "people",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Members of the community who receive each report (TLP:RED).",
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="people at the desk",
                    ),
                ),
            ],
            options={
                "verbose_name": "incident desk",
                "verbose_name_plural": "incident desks",
            },
        ),
    ]

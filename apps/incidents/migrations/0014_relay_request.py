import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0004_community_counts_in_federation_summary"),
        ("incidents", "0013_actors_confidence_timeline"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RelayRequest",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("summary", models.TextField(help_text="Markdown", verbose_name="what happened")),
                ("category", models.CharField(max_length=30, verbose_name="category")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for the secretariat"),
                            ("published", "Published by the secretariat"),
                            ("declined", "Declined"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="handed over")),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="communities.community",
                        verbose_name="community",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "incident",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="incidents.incident",
                        verbose_name="published as",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="member",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="communities.organization",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "relay request",
                "verbose_name_plural": "relay requests",
                "ordering": ["-created_at", "pk"],
                "indexes": [
                    models.Index(
                        fields=["community", "status", "-created_at"], name="relay_community"
                    ),
                    models.Index(fields=["member", "-created_at"], name="relay_member"),
                ],
            },
        ),
    ]

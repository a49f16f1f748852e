"""Membership of the grant groups used to be mirrored into auth_user_groups; visibility now
reads memberships directly, so the mirror (and anything added to it by hand) is dropped."""

from django.db import migrations
from django.db.models import Q


def forget(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    CommunityGroup = apps.get_model("communities", "CommunityGroup")
    Federation = apps.get_model("communities", "Federation")
    managed = Q(group_id__in=CommunityGroup.objects.values("group_id")) | Q(
        group_id__in=Federation.objects.filter(group__isnull=False).values("group_id")
    )
    User.groups.through.objects.filter(managed).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]

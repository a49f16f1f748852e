"""The default schedules of the background jobs, in django-celery-beat's tables so that the
secretariat's administrators can change them in the admin. Times are Japan's."""

import json

from django.db import migrations

TOKYO = "Asia/Tokyo"

# name: (task, crontab fields, kwargs)
SCHEDULES = {
    "Daily digest": ("apps.digests.tasks.send_digests",
                     {"minute": "30", "hour": "7"}, {"frequency": "daily"}),
    "Weekly digest": ("apps.digests.tasks.send_digests",
                      {"minute": "30", "hour": "7", "day_of_week": "1"},
                      {"frequency": "weekly"}),
    # Periods run April–May, June–July, …: each is summarised on the first day after it.
    "Federation summaries": ("apps.digests.tasks.build_federation_summaries",
                             {"minute": "0", "hour": "6", "day_of_month": "1",
                              "month_of_year": "2,4,6,8,10,12"}, {}),
    "Meeting reminders": ("apps.meetings.tasks.send_meeting_reminders",
                          {"minute": "0", "hour": "9"}, {}),
    "Invitation expiry": ("apps.communities.tasks.expire_invitations",
                          {"minute": "0", "hour": "2"}, {}),
    "Audit trail pruning": ("apps.audit.tasks.prune_audit_events",
                            {"minute": "17", "hour": "3"}, {}),
    "Notices by e-mail": ("apps.digests.tasks.send_due_notices",
                          {"minute": "*/5"}, {}),
}


def create(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    task = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (path, fields, kwargs) in SCHEDULES.items():
        when = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*",
                "month_of_year": "*", **fields}
        schedule, _ = crontab.objects.get_or_create(timezone=TOKYO, **when)
        task.objects.update_or_create(name=name, defaults={
            "task": path, "crontab": schedule, "kwargs": json.dumps(kwargs), "enabled": True})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

"""The jobs' default schedules, written by a data migration into django-celery-beat's tables
(editable in the admin): Japan's times, and every scheduled task exists."""

import importlib
import json

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db

# The suite runs without migrations (--no-migrations): the data migration is applied here.
schedules = importlib.import_module("apps.digests.migrations.0002_default_schedules")
in_parts = importlib.import_module("apps.digests.migrations.0003_digests_in_two_parts")


@pytest.fixture(autouse=True)
def _defaults():
    for _ in range(2):  # twice: a re-run changes nothing
        schedules.create(apps, None)
        in_parts.forwards(apps, None)


@pytest.mark.parametrize(("name", "task", "fields", "kwargs"), [
    ("Daily digest", "apps.digests.tasks.send_digests",
     {"minute": "30", "hour": "7", "day_of_week": "*"}, {"frequency": "daily", "parts": 2}),
    ("Weekly digest", "apps.digests.tasks.send_digests",
     {"minute": "30", "hour": "7", "day_of_week": "1"}, {"frequency": "weekly", "parts": 2}),
    ("Federation summaries", "apps.digests.tasks.build_federation_summaries",
     {"day_of_month": "1", "month_of_year": "2,4,6,8,10,12"}, {}),
    ("Meeting reminders", "apps.meetings.tasks.send_meeting_reminders", {"hour": "9"}, {}),
    ("Invitation expiry", "apps.communities.tasks.expire_invitations", {"hour": "2"}, {}),
])
def test_each_job_has_its_default_schedule_in_japan_time(name, task, fields, kwargs):
    scheduled = PeriodicTask.objects.select_related("crontab").get(name=name)
    assert scheduled.task == task and scheduled.enabled
    assert json.loads(scheduled.kwargs) == kwargs
    assert str(scheduled.crontab.timezone) == "Asia/Tokyo"
    for field, value in fields.items():
        assert getattr(scheduled.crontab, field) == value, field


def test_an_administrators_edit_of_a_digest_schedule_is_kept():
    PeriodicTask.objects.filter(name="Daily digest").update(
        kwargs=json.dumps({"frequency": "daily", "parts": 4}))
    in_parts.backwards(apps, None)
    in_parts.forwards(apps, None)
    assert json.loads(PeriodicTask.objects.get(name="Daily digest").kwargs)["parts"] == 4
    in_parts.backwards(apps, None)  # the weekly one, still the default, goes back
    assert json.loads(PeriodicTask.objects.get(name="Weekly digest").kwargs) == {
        "frequency": "weekly"}

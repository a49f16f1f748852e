"""record(): one INSERT, who / what / when / from where; append-only; pruned by the job."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.utils import timezone

from apps.audit.context import AuditContextMiddleware, client_ip
from apps.audit.models import Action, AuditEvent, AuditEventImmutable
from apps.audit.services import record, record_export
from apps.audit.tasks import prune_audit_events
from portal.env import env_int

pytestmark = pytest.mark.django_db


def test_record_is_one_insert(alice, community, django_assert_num_queries):
    membership = alice.memberships.get()
    record(action=Action.VIEW, actor=alice, community=community, target=membership)  # warm CT
    with django_assert_num_queries(1):
        record(action=Action.VIEW, actor=alice, community=community, target=membership)


def test_record_names_who_what_where_and_a_label_without_title(
        share_incident, alice, community):
    incident = share_incident(alice, "AMBER")
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7",
                                   HTTP_USER_AGENT="Mozilla/5.0 test")
    request.user = alice
    event = record(action=Action.VIEW, community=community, target=incident, request=request)
    event.refresh_from_db()
    assert event.actor == alice and event.actor_email == alice.email
    assert event.community == community
    assert event.target_type.model == "incident" and event.target_id == str(incident.pk)
    assert event.target_label == f"incident {incident.pk}"
    assert "Secret" not in event.target_label
    assert event.ip_address == "198.51.100.7" and event.user_agent == "Mozilla/5.0 test"
    assert event.at <= timezone.now()


def test_a_call_without_request_picks_up_the_current_request(alice, community):
    seen = {}

    def view(request):
        seen["event"] = record(action=Action.EXPORT, community=community)
        return None

    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="UA")
    request.user = alice
    AuditContextMiddleware(view)(request)
    event = seen["event"]
    assert (event.actor, event.ip_address, event.user_agent) == (alice, "203.0.113.9", "UA")
    # Outside the request nothing is picked up.
    outside = record(action=Action.EXPORT, community=community)
    assert (outside.actor, outside.ip_address, outside.user_agent) == (None, None, "")


def test_a_signed_out_reader_is_recorded_without_actor(community):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    event = record(action=Action.VIEW, community=community, request=request)
    assert event.actor is None and event.actor_email == ""


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.44")
    with override_settings(TRUST_X_FORWARDED_FOR=False):
        assert client_ip(request) == "10.0.0.2"
    with override_settings(TRUST_X_FORWARDED_FOR=True):
        # The address the trusted proxy appended, not the one the client wrote first.
        assert client_ip(request) == "192.0.2.44"
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="nope")
    with override_settings(TRUST_X_FORWARDED_FOR=True):
        assert client_ip(garbage) == "10.0.0.2"


def test_the_actor_email_outlives_the_deleted_user(alice, community):
    event = record(action=Action.VIEW, actor=alice, community=community)
    alice.memberships.all().delete()
    alice.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None and event.actor_email == "alice@alpha.example.jp"


def test_saving_an_existing_event_is_refused(alice, community):
    event = record(action=Action.VIEW, actor=alice, community=community)
    event.action = Action.EXPORT
    with pytest.raises(AuditEventImmutable):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == Action.VIEW


def test_deleting_an_event_is_refused(alice, community):
    event = record(action=Action.VIEW, actor=alice, community=community)
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(actor_email="someone@else")
    assert AuditEvent.objects.filter(pk=event.pk, actor_email=alice.email).exists()


def test_record_export_says_what_how_many_and_with_which_filters(alice, community):
    event = record_export(community=community, what="audit", rows=3,
                          filters={"action": "view"}, actor=alice)
    assert event.action == Action.EXPORT
    assert event.detail == {"what": "audit", "format": "csv", "rows": 3,
                            "filters": {"action": "view"}}


def _event_at(community, when):
    event = AuditEvent(action=Action.VIEW, community=community, at=when)
    event.save()
    return event


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_the_nightly_task_prunes_events_older_than_the_retention(community):
    now = timezone.now()
    old = _event_at(community, now - datetime.timedelta(days=31))
    kept = _event_at(community, now - datetime.timedelta(days=29))
    fresh = record(action=Action.VIEW, community=community)
    assert prune_audit_events.delay().get() == 1
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert prune_audit_events.delay().get() == 0  # idempotent


@pytest.mark.django_db
def test_the_prune_task_is_scheduled_nightly():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    importlib.import_module("apps.digests.migrations.0002_default_schedules").create(apps, None)
    (task,) = PeriodicTask.objects.filter(task="apps.audit.tasks.prune_audit_events")
    assert (task.crontab.hour, str(task.crontab.timezone)) == ("3", "Asia/Tokyo")


def test_retention_days_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "90")
    assert env_int("AUDIT_RETENTION_DAYS", 730, minimum=1) == 90
    monkeypatch.delenv("AUDIT_RETENTION_DAYS")
    assert env_int("AUDIT_RETENTION_DAYS", 730, minimum=1) == 730
    for bad in ("ninety", "0", "-5"):
        monkeypatch.setenv("AUDIT_RETENTION_DAYS", bad)
        with pytest.raises(ImproperlyConfigured):
            env_int("AUDIT_RETENTION_DAYS", 730, minimum=1)


@pytest.mark.django_db
def test_a_detail_holding_a_nul_character_is_stored(alice, community):
    """PostgreSQL's jsonb refuses NUL; an export's filters carry whatever was typed."""
    from apps.audit.services import record

    event = record(action=Action.EXPORT, actor=alice, community=community,
                   detail={"filters": {"q\x00": ["a\x00b", 1]}})
    event.refresh_from_db()
    assert event.detail == {"filters": {"q\ufffd": ["a\ufffdb", 1]}}

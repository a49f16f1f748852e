"""Writing the audit trail: `record` for one act (one INSERT), `record_all` for many (one
bulk INSERT), `record_export` for every export, and `prune` for the retention job.

Callers pass what they know; the current request (see `apps.audit.context`) fills in the
actor, IP address and browser when the caller does not.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

from apps.audit.context import client_ip, current, user_agent
from apps.audit.models import ANONYMOUS_AUTHOR, Action, AuditEvent


def target_label(target: Model) -> str:
    """Kind and id, never a title: ``incident 3f2a…``, ``membership 12``."""
    return f"{target._meta.model_name} {target.pk}"


def _storable(value):
    """``value`` with every NUL character replaced: PostgreSQL's jsonb cannot hold one, and a
    detail may carry what anyone typed (an export's query string, say)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


def build(
    *,
    action: str,
    actor=None,
    community=None,
    target: Model | None = None,
    label: str | None = None,
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """An unsaved event, completed from ``request`` or the current request's context."""
    if request is None:
        context = current()
        request = context.request if context else None
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_email=actor.email if actor is not None else "",
        community_id=getattr(community, "pk", community),
        detail=_storable(detail or {}),
        ip_address=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
    )
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(type(target))
        event.target_id = str(target.pk)
        event.target_label = (label or target_label(target))[:200]
    elif label:
        event.target_label = label[:200]
    return event


def record(
    *,
    action: str,
    actor=None,
    community=None,
    target: Model | None = None,
    label: str | None = None,
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Write one audit event: who (``actor``, else the request's user), what (``action`` on
    ``target``), when (now), from where (the request's address and browser)."""
    event = build(action=action, actor=actor, community=community, target=target, label=label,
                  detail=detail, request=request)
    event.save()
    return event


def record_all(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Write many events built with `build` in one INSERT."""
    events = list(events)
    if not events:
        return []
    return AuditEvent.objects.bulk_create(events)


def first_time_in_request(event: AuditEvent) -> bool:
    """True the first time this (action, target) is seen during the current request, so
    that a page which works something out twice records it once. Always True outside a
    request."""
    context = current()
    if context is None:
        return True
    key = (event.action, event.target_type_id, event.target_id)
    if key in context.recorded:
        return False
    context.recorded.add(key)
    return True


def record_sources_shown(events: Iterable[AuditEvent], *, actor=None, request=None) -> None:
    """Rows whose actor is the author of an anonymous item tell the reader that item's
    source: showing them (the audit page, its export) is recorded like any other time the
    source is shown — once per item, in one INSERT."""
    shown = {}
    for event in events:
        if event.detail.get(ANONYMOUS_AUTHOR) and event.target_id:
            shown.setdefault((event.target_type_id, event.target_id), event)
    reveals = []
    for event in shown.values():
        reveal = build(action=Action.SOURCE_REVEALED, actor=actor, community=event.community_id,
                       label=event.target_label, detail={"via": "audit"}, request=request)
        reveal.target_type_id, reveal.target_id = event.target_type_id, event.target_id
        if first_time_in_request(reveal):
            reveals.append(reveal)
    record_all(reveals)


def record_export(
    *,
    community,
    what: str,
    rows: int,
    format: str = "csv",
    filters: dict | None = None,
    actor=None,
    request=None,
) -> AuditEvent:
    """Every export is recorded: what was exported (``what``: e.g. ``audit``, ``incidents``),
    in which format, how many rows and with which filters."""
    detail = {"what": what, "format": format, "rows": rows}
    if filters:
        detail["filters"] = filters
    return record(action=Action.EXPORT, actor=actor, community=community, detail=detail,
                  request=request)


def prune(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Delete the events older than the retention period (``AUDIT_RETENTION_DAYS``)."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    before = (now or timezone.now()) - datetime.timedelta(days=days)
    return AuditEvent.objects.prune(before=before)

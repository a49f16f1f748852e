"""Nightly retention of the audit trail. Idempotent: a rerun finds nothing older to delete."""

from celery import shared_task

from apps.audit.services import prune


@shared_task(acks_late=True)
def prune_audit_events() -> int:
    """Delete audit events older than ``AUDIT_RETENTION_DAYS``; returns how many went."""
    return prune()

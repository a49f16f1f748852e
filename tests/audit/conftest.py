"""Fixtures of the audit tests: items to look at, and a short way to read the trail."""

import pytest

from apps.audit.models import AuditEvent
from apps.discussions.services import thread_create
from apps.incidents.services import incident_create


@pytest.fixture
def share_incident(community):
    """share_incident(author, tlp, **choice) -> an incident in fin-isac."""

    def make(author, tlp, **choice):
        choice.setdefault("community", community)
        return incident_create(author=author, title=f"Secret {tlp} title", category="ransomware",
                               tlp=tlp, **choice)

    return make


@pytest.fixture
def share_thread(community):
    """share_thread(author, tlp, **choice) -> a thread in fin-isac."""

    def make(author, tlp, **choice):
        choice.setdefault("community", community)
        return thread_create(author=author, title=f"Secret {tlp} thread", body="本文",
                             tlp=tlp, **choice)

    return make


@pytest.fixture
def trail():
    """trail(**filters) -> the matching audit events, oldest first."""

    def read(**filters):
        return list(AuditEvent.objects.filter(**filters).order_by("at", "pk"))

    return read

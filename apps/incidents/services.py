"""Writes on incidents. Each service runs in one transaction: an incident whose audience is
refused is not left behind."""

import datetime
from collections.abc import Iterable

from django.db import transaction

from apps.communities.models import Community
from apps.incidents.models import Incident, Intent, Status
from apps.sharing.services import audience_set, author_membership


@transaction.atomic
def incident_create(
    *,
    author,
    community: Community,
    title: str,
    category: str,
    summary: str = "",
    intent: str = Intent.UNKNOWN,
    status: str = Status.INVESTIGATING,
    detected_at: datetime.datetime | None = None,
    tlp: str,
    organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool = False,
    anonymous: bool = False,
) -> Incident:
    """Share an incident: the author's membership names the source organisation, and
    `sharing` turns the label and recipients into grants (or refuses them)."""
    membership = author_membership(author=author, community=community)
    incident = Incident(
        community=community,
        author=author,
        author_organization=membership.organization,
        anonymous=anonymous,
        title=title,
        summary=summary,
        category=category,
        intent=intent,
        status=status,
        detected_at=detected_at,
    )
    incident.full_clean()
    incident.save()
    audience_set(
        item=incident,
        actor=author,
        tlp=tlp,
        organizations=organizations,
        users=users,
        federated=federated,
    )
    return incident

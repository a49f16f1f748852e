"""Reciprocity (seeds/004: consuming without giving breaks sharing): per member organisation
of a community, how many incidents it shared, sightings and feedback it gave, and incidents
it read, over a period — counts only, for the secretariat, who may know every source (an
anonymous item counts for the organisation that shared it; a relay published by the
secretariat counts for the member's organisation, not the secretariat's)."""

import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.communities.models import Community, Organization
from apps.incidents.models import Incident, IncidentView, Sighting, UsageFeedback
from apps.incidents.relays import RelayRequest, RelayStatus
from apps.sharing.audience import member_organizations

COLUMNS = ("shared", "relayed", "sightings", "feedback", "read")
SORTS = ("name", *COLUMNS)


def _count(queryset: QuerySet, field: str) -> Coalesce:
    """A correlated COUNT of ``queryset`` rows whose ``field`` is the outer organisation."""
    counted = (queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def reciprocity(community: Community, *, since: datetime.datetime,
                sort: str = "name") -> QuerySet[Organization]:
    """Each member organisation with ``shared``, ``relayed``, ``sightings``, ``feedback`` and
    ``read`` since ``since``, in one query whatever the number of organisations. ``sort`` is
    one of `SORTS`, with a leading "-" for descending."""
    relays = RelayRequest.objects.filter(community=community, status=RelayStatus.PUBLISHED,
                                         decided_at__gte=since)
    shared = (Incident.objects.filter(community=community, created_at__gte=since)
              .exclude(pk__in=RelayRequest.objects.filter(
                  community=community, incident__isnull=False).values("incident_id")))
    rows = member_organizations(community).annotate(
        shared=_count(shared, "author_organization"),
        relayed=_count(relays, "organization"),
        sightings=_count(Sighting.objects.filter(community=community, created_at__gte=since),
                         "organization"),
        feedback=_count(UsageFeedback.objects.filter(community=community,
                                                     created_at__gte=since), "organization"),
        read=_count(IncidentView.objects.filter(incident__community=community,
                                                first_viewed_at__gte=since), "organization"),
    )
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "name", False
    order = f"-{key}" if descending else key
    return rows.order_by(order, "name", "pk")

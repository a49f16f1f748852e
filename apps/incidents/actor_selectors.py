"""Reads on threat actors and campaigns.

The record is community reference data, read by the community's active members. What it
reveals about incidents — which ones, how many — is read through `incidents_visible_to`
only: an actor known only from incidents the reader cannot see is listed like a fresh
record, with no incident and a count of 0, so that nothing on these pages depends on an
incident the reader may not see (not its title, not its existence, not even the fact that
some hidden incident mentions the actor).
"""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apps.communities.models import Community, Membership, MembershipStatus
from apps.incidents.actors import (
    TIMELINE_FIELDS,
    Campaign,
    Confidence,
    IncidentUpdate,
    ThreatActor,
)
from apps.incidents.models import Incident
from apps.incidents.selectors import incidents_visible_to
from portal.search_text import search_normalise


def actor_records_readable(user, community: Community) -> bool:
    """Active members of the community read its actors and campaigns."""
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user_id=user.pk, community_id=community.pk, status=MembershipStatus.ACTIVE
        ).exists()
    )


def _visible_count(user, link_field: str):
    """A COUNT subquery of the incidents ``user`` may see that link the outer record."""
    visible = incidents_visible_to(user).filter(**{link_field: OuterRef("pk")})
    counted = (
        visible.order_by().values(link_field).annotate(n=Count("pk", distinct=True)).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def records_matching(queryset: QuerySet, q: str) -> QuerySet:
    """The records whose names or aliases hold every word of ``q``, folded as every search
    of the portal folds (`portal.search_text`: width, case, hiragana and katakana). Folded
    in Python: a community names tens of actors and campaigns, read in one query."""
    words = [search_normalise(word) for word in (q or "").split()]
    if not words:
        return queryset
    matching = [
        pk for pk, *names in queryset.values_list("pk", "name", "name_en", "aliases")
        if all(any(word in search_normalise(name) for name in names) for word in words)
    ]
    return queryset.filter(pk__in=matching)


def _records(model, user, community: Community | None):
    """The records of ``community``, or (None) of every community where ``user`` is an
    active member — the API's flat list."""
    if community is not None:
        return model.objects.filter(community=community)
    readable = Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE).values(
        "community_id"
    )
    return model.objects.filter(community_id__in=readable).select_related("community")


def threat_actors_for(
    user, community: Community | None = None, *, q: str = ""
) -> QuerySet[ThreatActor]:
    """The community's actors (``q`` finds names in either language and aliases), each with
    ``incident_count`` (visible incidents) and ``campaign_count``. One query."""
    return (
        records_matching(_records(ThreatActor, user, community), q)
        .annotate(
            incident_count=_visible_count(user, "actors"),
            campaign_count=Count("campaigns", distinct=True),
        )
        .order_by("name", "pk")
    )


def campaigns_for(user, community: Community | None = None, *, q: str = "") -> QuerySet[Campaign]:
    """The community's campaigns with their actor and ``incident_count`` (visible). One
    query."""
    return (
        records_matching(_records(Campaign, user, community), q)
        .select_related("actor")
        .annotate(incident_count=_visible_count(user, "campaigns"))
        .order_by("name", "pk")
    )


def incidents_mentioning(user, *, actor=None, campaign=None) -> QuerySet[Incident]:
    """The incidents ``user`` may see that name this actor or this campaign, newest first
    (the same incidents that `threat_actors_for` and `campaigns_for` count)."""
    incidents = incidents_visible_to(user)
    if actor is not None:
        incidents = incidents.filter(
            pk__in=Incident.actors.through.objects.filter(threatactor_id=actor.pk).values(
                "incident_id"
            )
        )
    if campaign is not None:
        incidents = incidents.filter(
            pk__in=Incident.campaigns.through.objects.filter(campaign_id=campaign.pk).values(
                "incident_id"
            )
        )
    return incidents.order_by("-created_at", "pk")


def _display(field: str, value) -> str:
    from apps.incidents.models import Status

    choices = {"confidence": Confidence, "status": Status}.get(field)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return "" if value is None else str(value)


def timeline_of(user, incident: Incident, *, source_told: bool) -> list[dict]:
    """The incident's updates, newest first, for a reader who sees it (an entry has no
    audience of its own: none for anyone else). Each: ``entry``, ``who`` (the writer's name;
    on an item whose source is not told to the reader, only "the author" or "the
    secretariat", which name no organisation) and ``changes`` (label, old, new or diff)."""
    visible = incidents_visible_to(user).filter(pk=incident.pk).values("pk")
    entries = (
        IncidentUpdate.objects.filter(incident_id__in=visible)
        .select_related("author")
        .order_by("-created_at", "pk")
    )
    labels = {name: str(Incident._meta.get_field(name).verbose_name) for name in TIMELINE_FIELDS}
    rows = []
    for entry in entries:
        if source_told:
            who = str(entry.author)
        elif entry.author_id == incident.author_id:
            who = _("the author")
        else:
            who = _("the secretariat")
        changes = [
            {
                "field": change["field"],
                "label": labels.get(change["field"], change["field"]),
                "old": _display(change["field"], change.get("old")),
                "new": _display(change["field"], change.get("new")),
                "diff": change.get("diff"),
            }
            for change in entry.changes
        ]
        rows.append({"entry": entry, "who": who, "changes": changes})
    return rows

"""What is new for a member, read for the homes: the community's home (new incidents,
threads, meetings and minutes since the member's last visit, what is addressed to them,
their pending tasks) and the portal's home (per community, how many new items; for a
visitor, the public TLP:CLEAR items).

It lives here, above every content app, because it reads all of them — like the digests,
which tell the same news by e-mail. It decides no visibility: every read goes through the
content apps' selectors, which ask `apps.sharing`. Each function runs a fixed number of
queries, whatever the number of items or communities.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, DateTimeField, F, OuterRef, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.communities.models import Membership, MembershipStatus
from apps.communities.visits import VISIT_GAP
from apps.discussions.models import Thread
from apps.discussions.selectors import threads_visible_to
from apps.incidents.models import Incident
from apps.incidents.selectors import incidents_visible_to
from apps.meetings.models import Attendance, Meeting, MeetingStatus, Minutes, MinutesStatus
from apps.meetings.selectors import may_organise, meetings_of, minutes_readable
from apps.sharing.selectors import addressed_to, visible_to

SHOWN = 5  # items listed per kind; the counts are exact


@dataclass
class News:
    """One kind of new item: how many, and the newest few."""

    count: int = 0
    items: list = field(default_factory=list)


def _news(queryset, since, date_field: str) -> News:
    if since is not None:
        queryset = queryset.filter(**{f"{date_field}__gt": since})
    return News(count=queryset.order_by().count(),
                items=list(queryset.order_by(f"-{date_field}")[:SHOWN]))


def community_activity(*, user, membership: Membership, since) -> dict:
    """The community home's news for ``user`` (an active member through ``membership``):
    new items since ``since`` (None: everything), what is addressed to them, and tasks."""
    community = membership.community
    incidents = incidents_visible_to(user).filter(community=community).prefetch_related(None)
    threads = threads_visible_to(user, community=community)
    minutes = minutes_readable(user, Minutes.objects.filter(community=community)).select_related(
        "meeting")
    published = minutes.filter(status=MinutesStatus.PUBLISHED)
    new = {
        "incidents": _news(incidents, since, "created_at"),
        "threads": _news(threads, since, "last_post_at"),
        "meetings": _news(meetings_of(community).select_related(None), since, "created_at"),
        "minutes": _news(published, since, "published_at"),
    }
    addressed = [
        *(("incident", item) for item in addressed_to(user, Incident.objects.filter(
            community=community)).order_by("-created_at")[:SHOWN]),
        *(("thread", item) for item in addressed_to(user, Thread.objects.filter(
            community=community)).order_by("-created_at")[:SHOWN]),
        *(("minutes", item) for item in addressed_to(user, Minutes.objects.filter(
            community=community, status=MinutesStatus.PUBLISHED)).order_by("-created_at")[:SHOWN]),
    ]
    addressed.sort(key=lambda pair: pair[1].created_at, reverse=True)
    return {
        "since": since,
        "new": new,
        "new_total": sum(news.count for news in new.values()),
        "addressed": [{"kind": kind, "item": item,
                       "is_new": since is None or item.created_at > since}
                      for kind, item in addressed[:SHOWN]],
        "tasks": _tasks(user, membership),
    }


def _tasks(user, membership: Membership) -> dict:
    """What waits for the member: meetings to come that they have not answered, and for the
    chair and secretariat the draft minutes to publish."""
    community = membership.community
    answered = Attendance.objects.filter(meeting=OuterRef("pk"), user_id=user.pk).exclude(
        answer="")
    rsvps = list(
        meetings_of(community).select_related(None)
        .filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())
        .exclude(pk__in=Subquery(answered.values("meeting_id")))
        .order_by("starts_at")[:SHOWN]
    )
    drafts = []
    if may_organise(membership):
        drafts = list(minutes_readable(user, Minutes.objects.filter(
            community=community, status=MinutesStatus.DRAFT))
            .select_related("meeting").order_by("-updated_at")[:SHOWN])
    return {"rsvps": rsvps, "minutes_drafts": drafts, "count": len(rsvps) + len(drafts)}


def _since_per_community(user, now: datetime.datetime):
    """`visits.new_since_of` as SQL, for the member's row in the item's community."""
    gap_passed = now - VISIT_GAP
    since = Case(
        When(last_seen_at__lte=gap_passed, then=F("last_seen_at")),
        default=Coalesce("new_since", "activated_at", "created_at"),
        output_field=DateTimeField(),
    )
    return Subquery(
        Membership.objects.filter(user_id=user.pk, community_id=OuterRef("community_id"))
        .annotate(since=since).values("since")[:1]
    )


def _counts(queryset, since, date_field: str) -> dict[int, int]:
    rows = (queryset.filter(**{f"{date_field}__gt": since}).order_by()
            .values("community_id").annotate(n=Count("pk")).values_list("community_id", "n"))
    return dict(rows)


def portal_activity(user) -> list[dict]:
    """The portal home of a signed-in person: each community where they are active, with how
    many items they may see are new there since their last visit (one query per kind)."""
    memberships = list(
        Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE)
        .select_related("community", "organization").order_by("community__name")
    )
    if not memberships:
        return []
    ids = [m.community_id for m in memberships]
    since = _since_per_community(user, timezone.now())
    counts = {
        "incidents": _counts(visible_to(user, Incident.objects.filter(community_id__in=ids)),
                             since, "created_at"),
        "threads": _counts(visible_to(user, Thread.objects.filter(community_id__in=ids)),
                           since, "last_post_at"),
        "meetings": _counts(Meeting.objects.filter(community_id__in=ids), since, "created_at"),
        "minutes": _counts(minutes_readable(user, Minutes.objects.filter(
            community_id__in=ids, status=MinutesStatus.PUBLISHED)), since, "published_at"),
    }
    return [
        {"membership": m, "community": m.community,
         **{kind: by_community.get(m.community_id, 0) for kind, by_community in counts.items()},
         "total": sum(by_community.get(m.community_id, 0) for by_community in counts.values())}
        for m in memberships
    ]


def public_items(*, limit: int = 10) -> dict:
    """What a visitor (signed out) may read: the newest TLP:CLEAR incidents and threads —
    exactly what `sharing` gives a signed-out reader, nothing decided here."""
    incidents = (visible_to(None, Incident.objects.all()).select_related("community")
                 .order_by("-created_at")[:limit])
    threads = (visible_to(None, Thread.objects.all()).select_related("community")
               .order_by("-last_post_at")[:limit])
    return {"incidents": list(incidents), "threads": list(threads)}


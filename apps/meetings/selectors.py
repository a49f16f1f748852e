"""Reads on meetings, always scoped to one community first."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.communities.models import Community, Membership, MembershipStatus, Role
from apps.meetings.models import (
    AgendaItem,
    Answer,
    Attendance,
    Feedback,
    Material,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from apps.sharing.selectors import source_organizations, visible_to
from portal.search_text import search_normalise

# Who runs a group — the chair (主査, 部会長) and the secretariat: they keep the record of
# its meetings and see who wrote anonymous feedback.
ORGANISER_ROLES = (Role.CHAIR, Role.SECRETARIAT)


def may_organise(membership: Membership | None) -> bool:
    """Whether this membership may create and edit the community's series and meetings."""
    return (membership is not None and membership.status == MembershipStatus.ACTIVE
            and membership.role in ORGANISER_ROLES)


def may_take_notes(membership: Membership | None, meeting: Meeting) -> bool:
    """The chair, the secretariat, and the note-takers they named for this meeting."""
    return may_organise(membership) or (
        membership is not None and membership.status == MembershipStatus.ACTIVE
        and meeting.note_takers.filter(pk=membership.user_id).exists())


def notes_of(meeting: Meeting) -> list[dict]:
    """The meeting's notes as the notes page edits them: the general notes first, then one
    per agenda item in order, each with its text and version (0: nothing written yet)."""
    saved = {note.item_id: note for note in meeting.notes.select_related("updated_by")}
    sections = [(None, None), *((item.pk, item) for item in meeting.agenda.all())]
    return [{"item": item, "key": key or "general", "note": saved.get(key)}
            for key, item in sections]


def meetings_of(community: Community) -> QuerySet[Meeting]:
    """The community's meetings, newest fiscal year first and in date order within it."""
    return (
        Meeting.objects.filter(community=community)
        .select_related("series")
        .order_by("-series__fiscal_year", "series__title", "starts_at")
    )


def meeting_in(community: Community, pk) -> Meeting:
    """One meeting of the community with its agenda (presenters, and the questions and
    comments on each item), or 404 — another community's meeting looks missing."""
    return get_object_or_404(
        meetings_of(community).prefetch_related(
            Prefetch("agenda", AgendaItem.objects.select_related("presenter")),
            "agenda__comments"),
        pk=pk)


# How far back a personal feed goes: calendar programs keep what they have already read.
FEED_PAST = datetime.timedelta(days=366)


def feed_owner(secret: str):
    """The active person whose calendar feed this secret opens, or 404."""
    return get_object_or_404(get_user_model(), calendar_secret=secret, is_active=True)


def meetings_for_feed(user) -> QuerySet[Meeting]:
    """The meetings of every community where ``user`` is an active member, from a year ago
    on, with their agenda (for the description)."""
    active = Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE)
    return (
        Meeting.objects.filter(community_id__in=active.values("community_id"),
                               starts_at__gte=timezone.now() - FEED_PAST)
        .select_related("community")
        .prefetch_related(Prefetch("agenda", AgendaItem.objects.select_related("presenter")))
        .order_by("starts_at")
    )


def answers_to(meeting: Meeting, viewer) -> dict:
    """How many answered in person, online and absent, ``viewer``'s own answer ("" if none),
    and how many came once it is recorded: one query."""
    rows = list(Attendance.objects.filter(meeting=meeting)
                .values_list("answer", "user_id", "attended"))
    counts = {answer: 0 for answer in Answer.values}
    for answer, _user, _attended in rows:
        if answer:
            counts[answer] += 1
    mine = next((answer for answer, user_id, _a in rows if user_id == viewer.pk), "")
    recorded = [attended for _answer, _user, attended in rows if attended is not None]
    # How many came, once someone recorded it (None: not recorded yet).
    came = sum(recorded) if recorded else None
    return {"counts": counts, "mine": mine, "came": came}


def feedback_shown(feedback, viewer, membership) -> list:
    """The feedback as ``viewer`` may read it: each with ``shown_author`` — the author's name,
    or None when it was given anonymously and ``viewer`` is neither its author nor the chair
    or the secretariat (``membership``: the viewer's in the community)."""
    runs_group = may_organise(membership)
    shown = []
    for item in feedback:
        named = not item.anonymous or runs_group or item.author_id == viewer.pk
        item.shown_author = item.author.get_full_name() if named else None
        shown.append(item)
    return shown


def series_report_of(community: Community, pk) -> MeetingSeries:
    """A series of the community with everything its activity report shows, in a fixed
    number of queries, or 404."""
    return get_object_or_404(
        MeetingSeries.objects.filter(community=community)
        .select_related("community", "chair")
        .prefetch_related(
            "advisors", "organizations",
            Prefetch("feedback", Feedback.objects.select_related("author")),
            Prefetch("meetings", Meeting.objects.exclude(status=MeetingStatus.CANCELLED)
                     .order_by("starts_at")),
            Prefetch("meetings__agenda", AgendaItem.objects.select_related("presenter")),
            Prefetch("meetings__feedback", Feedback.objects.select_related("author")),
        ),
        pk=pk)


def attendance_sheet(meeting: Meeting) -> list[dict]:
    """The community's active members for the chair's record of who came: each with their
    organisation, their answer and whether they are marked as having attended."""
    rows = {a.user_id: a for a in meeting.attendances.filter(user__isnull=False)}
    members = (Membership.objects.filter(community_id=meeting.community_id,
                                         status=MembershipStatus.ACTIVE)
               .select_related("user", "organization")
               .order_by("organization__name", "user__display_name", "user__email"))
    return [{"membership": m, "attendance": rows.get(m.user_id)} for m in members]


def _organised_communities(user) -> QuerySet:
    return Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE,
                                     role__in=ORGANISER_ROLES).values("community_id")


def minutes_readable(user, queryset: QuerySet[Minutes]) -> QuerySet[Minutes]:
    """Among ``queryset``, the minutes ``user`` may read: their audience (`sharing`), and
    for a draft also the chair or secretariat of its community — a draft is read by fewer
    people than its audience, never by more."""
    if user is None or not user.is_authenticated:
        return visible_to(user, queryset.filter(status=MinutesStatus.PUBLISHED))
    return visible_to(user, queryset.filter(
        Q(status=MinutesStatus.PUBLISHED) | Q(community_id__in=_organised_communities(user))))


def minutes_unpublished_filter(user) -> Q:
    """The draft condition of `minutes_readable` alone, for a list whose page `sharing`
    picks (it applies visibility once)."""
    if user is None or not user.is_authenticated:
        return Q(status=MinutesStatus.PUBLISHED)
    return Q(status=MinutesStatus.PUBLISHED) | Q(community_id__in=_organised_communities(user))


def shared_decorate(items, viewer) -> list:
    """Minutes or materials as a page shows them: ``source`` (the organisation, or None when
    hidden from ``viewer``) and ``shows_recipients`` (the chosen recipients may be listed
    only to those told the source)."""
    items = list(items)
    sources = source_organizations(items, viewer)
    for item in items:
        item.source = sources[item.pk]
        item.shows_recipients = not item.anonymous or item.source is not None
    return items


def meeting_shared(meeting: Meeting, viewer) -> dict:
    """The minutes and materials of ``meeting`` that ``viewer`` may read (three queries)."""
    minutes = minutes_readable(viewer, Minutes.objects.filter(meeting=meeting)
                               ).select_related("community", "author_organization"
                                                ).order_by("created_at")
    materials = visible_to(viewer, Material.objects.filter(meeting=meeting)).select_related(
        "community", "author_organization").order_by("created_at")
    return {"minutes": shared_decorate(minutes, viewer),
            "materials": shared_decorate(materials, viewer)}


def people_of_meeting(meeting: Meeting, *, came: bool) -> list[int]:
    """The members (user ids) who came to ``meeting`` (``came``), or who were invited to it
    — every member who answered, whatever the answer — still active in its community: the
    named recipients of a TLP:RED record "for the people in the room"."""
    rows = Attendance.objects.filter(meeting=meeting, user__isnull=False)
    rows = rows.filter(attended=True) if came else rows
    active = Membership.objects.filter(community_id=meeting.community_id,
                                       status=MembershipStatus.ACTIVE)
    return sorted(rows.filter(user_id__in=active.values("user_id"))
                  .values_list("user_id", flat=True))


def shared_by_meeting(reader, meetings) -> dict:
    """{meeting id: [published minutes and materials ``reader`` may read]} for a report or a
    calendar, in two queries whatever the number of meetings."""
    ids = [meeting.pk for meeting in meetings]
    found: dict = {pk: [] for pk in ids}
    minutes = visible_to(reader, Minutes.objects.filter(meeting_id__in=ids,
                                                        status=MinutesStatus.PUBLISHED))
    materials = visible_to(reader, Material.objects.filter(meeting_id__in=ids))
    for queryset in (minutes, materials):
        for item in queryset.select_related("community").order_by("created_at"):
            found[item.meeting_id].append(item)
    return found


SEARCH_LIMIT = 50


def _matching_ids(queryset: QuerySet, fields: tuple[str, ...], needle: str) -> set:
    """The ids of ``queryset``'s rows where the folded ``needle`` is in a folded field.

    Folded in Python, not by a stored column as incidents and threads are: a community's
    record is a few hundred meetings, minutes and materials, read here in one query each."""
    return {row[0] for row in queryset.values_list("pk", *fields)
            if any(needle in search_normalise(value) for value in row[1:])}


def meetings_search(community: Community, reader, text: str) -> dict:
    """What ``text`` finds in the community's record, as ``reader`` may read it: meetings
    (title, summary, agenda themes), minutes (title, text; drafts only for the organisers)
    and materials (title, description, file name) — each narrowed by `sharing` before
    anything is shown. Text is folded as every search of the portal folds it
    (`portal.search_text`: width, case, hiragana and katakana). Six queries."""
    needle = search_normalise(" ".join((text or "").split()))
    if not needle:
        return {"meetings": [], "minutes": [], "materials": []}
    meetings = Meeting.objects.filter(community=community)
    meetings = (Meeting.objects.filter(pk__in=_matching_ids(
        meetings, ("title", "title_en", "summary", "agenda__theme"), needle))
        .select_related("community").order_by("-starts_at")[:SEARCH_LIMIT])
    minutes = minutes_readable(reader, Minutes.objects.filter(community=community))
    minutes = (Minutes.objects.filter(pk__in=_matching_ids(minutes, ("title", "body"), needle))
               .select_related("community").order_by("-created_at")[:SEARCH_LIMIT])
    materials = visible_to(reader, Material.objects.filter(community=community))
    materials = (Material.objects.filter(pk__in=_matching_ids(
        materials, ("title", "description", "filename"), needle))
        .select_related("community").order_by("-created_at")[:SEARCH_LIMIT])
    return {"meetings": list(meetings), "minutes": list(minutes),
            "materials": list(materials)}

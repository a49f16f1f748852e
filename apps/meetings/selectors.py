"""Reads on meetings, always scoped to one community first."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from apps.communities.models import Community
from apps.meetings.models import AgendaItem, Meeting


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

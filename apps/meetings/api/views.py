"""/api/v1/meeting-series/ and /api/v1/meetings/: read-only, for the active members of each
meeting's community (`?community=<slug>` narrows to one)."""

from django.db.models import Prefetch
from rest_framework import mixins

from apps.communities.api.scopes import active_community_ids
from apps.communities.api.views import ScopedViewSet
from apps.meetings.api import schema
from apps.meetings.api.serializers import MeetingSerializer, SeriesSerializer
from apps.meetings.models import AgendaItem, Meeting, MeetingSeries
from portal.filters import CommunityScopedFilterSet


class SeriesFilter(CommunityScopedFilterSet):
    class Meta:
        model = MeetingSeries
        fields = ["community", "fiscal_year"]


class MeetingFilter(CommunityScopedFilterSet):
    class Meta:
        model = Meeting
        fields = ["community", "series", "status"]


@schema.series
class SeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = MeetingSeries
    serializer_class = SeriesSerializer
    filterset_class = SeriesFilter

    def scope(self, user):
        return (MeetingSeries.objects.filter(community_id__in=active_community_ids(user))
                .select_related("community", "chair").prefetch_related("organizations")
                .order_by("-fiscal_year", "pk"))


@schema.meetings
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def scope(self, user):
        return (Meeting.objects.filter(community_id__in=active_community_ids(user))
                .select_related("community")
                .prefetch_related(Prefetch("agenda",
                                           AgendaItem.objects.select_related("presenter")),
                                  "agenda__comments")
                .order_by("-starts_at", "pk"))

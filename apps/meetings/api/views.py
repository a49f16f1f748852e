"""/api/v1/meeting-series/ and /api/v1/meetings/: read-only, for the active members of each
meeting's community (`?community=<slug>` narrows to one). /api/v1/minutes/ and
/api/v1/materials/: shared content, read through `apps.sharing` like incidents."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins
from rest_framework.response import Response

from apps.communities.api.scopes import active_community_ids
from apps.communities.api.views import ReadsForAnyone, ScopedViewSet
from apps.meetings.api import schema
from apps.meetings.api.serializers import (
    MaterialSerializer,
    MeetingSerializer,
    MinutesSerializer,
    SeriesSerializer,
)
from apps.meetings.models import AgendaItem, Material, Meeting, MeetingSeries, Minutes
from apps.meetings.selectors import minutes_unpublished_filter, shared_decorate
from apps.sharing.auditing import item_viewed
from apps.sharing.selectors import visible_one
from apps.sharing.tlp import TLP
from portal.api.pagination import VisibleListMixin
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


class MeetingContentFilter(CommunityScopedFilterSet):
    """Narrows what `sharing` then pages: never widens it."""

    meeting = django_filters.UUIDFilter(field_name="meeting_id", label=_("Id of the meeting"))
    tlp = django_filters.ChoiceFilter(choices=TLP.choices, label=_("TLP label"))


class MinutesFilter(MeetingContentFilter):
    class Meta:
        model = Minutes
        fields = ["community", "meeting", "tlp", "status"]


class MaterialFilter(MeetingContentFilter):
    class Meta:
        model = Material
        fields = ["community", "meeting", "tlp"]


class SharedMeetingContentViewSet(VisibleListMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Lists and details through `sharing` (TLP:CLEAR to anyone); anything the caller may not
    see answers 404."""

    permission_classes = [ReadsForAnyone]

    def decorate_page(self, rows):
        return shared_decorate(rows.select_related("community", "author_organization"),
                               self.request.user)

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        item_viewed(item=item, viewer=request.user)
        item = shared_decorate([item], request.user)[0]
        return Response(self.get_serializer(item).data)


@schema.minutes
class MinutesViewSet(SharedMeetingContentViewSet):
    model = Minutes
    serializer_class = MinutesSerializer
    filterset_class = MinutesFilter

    def scope(self, user):
        drafts_ruled = Minutes.objects.filter(minutes_unpublished_filter(user))
        return visible_one(user, drafts_ruled, self.kwargs.get("pk")).select_related(
            "community", "author_organization")

    def filtered(self, queryset):
        # A draft is read by its community's organisers only (within its audience).
        queryset, scope = super().filtered(queryset)
        return queryset.filter(minutes_unpublished_filter(self.request.user)), scope


@schema.materials
class MaterialViewSet(SharedMeetingContentViewSet):
    model = Material
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilter

    def scope(self, user):
        return visible_one(user, Material.objects.all(), self.kwargs.get("pk")).select_related(
            "community", "author_organization")

"""/api/v1/threat-actors/, /api/v1/campaigns/ (read) and /api/v1/incident-updates/.

Actors and campaigns are the reference data of the communities where the caller is an
active member; their ``incident_count`` counts only the incidents the caller may see
(`apps.incidents.actor_selectors`). Timeline entries have no audience of their own: the
viewset derives from `VisibleViewSet`, so an entry is listed exactly when its incident is
visible.
"""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from apps.accounts.api.mixins import UserPreferencesMixin
from apps.incidents import actor_selectors
from apps.incidents.actors import Campaign, IncidentUpdate, ThreatActor
from apps.incidents.api.actor_refs import ActorRefSerializer
from apps.incidents.api.views import VisibleViewSet
from portal.filters import CommunityScopedFilterSet

TAG = "incidents"


class _RecordSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    aliases = serializers.ListField(
        source="alias_list", child=serializers.CharField(), read_only=True
    )
    incident_count = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Incidents naming it that you may see.")
    )


class ThreatActorSerializer(_RecordSerializer):
    campaign_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ThreatActor
        fields = [
            "id", "community", "name", "name_en", "aliases", "description",
            "incident_count", "campaign_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class CampaignSerializer(_RecordSerializer):
    actor = ActorRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Campaign
        fields = [
            "id", "community", "name", "name_en", "aliases", "description", "actor",
            "first_seen", "last_seen", "incident_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class IncidentUpdateSerializer(serializers.ModelSerializer):
    incident = serializers.UUIDField(source="incident_id", read_only=True)
    changes = serializers.JSONField(
        read_only=True,
        help_text=gettext_lazy(
            "What changed: {field, old, new} for confidence and status, {field, diff} for "
            "the summary."
        ),
    )

    class Meta:
        model = IncidentUpdate
        fields = ["id", "incident", "changes", "note", "created_at"]
        read_only_fields = fields


class _RecordFilter(CommunityScopedFilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=gettext_lazy("Name, English name or alias")
    )

    def filter_q(self, queryset, name, value):
        return actor_selectors.records_matching(queryset, value)


class ThreatActorFilter(_RecordFilter):
    class Meta:
        model = ThreatActor
        fields = ["community", "q"]


class CampaignFilter(_RecordFilter):
    class Meta:
        model = Campaign
        fields = ["community", "q"]


class IncidentUpdateFilter(CommunityScopedFilterSet):
    incident = django_filters.UUIDFilter(
        field_name="incident_id", label=gettext_lazy("Incident id")
    )

    class Meta:
        model = IncidentUpdate
        fields = ["community", "incident"]


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List threat actors"),
        description=gettext_lazy(
            "The threat actors of your communities; `incident_count` counts only the "
            "incidents you may see."
        ),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read a threat actor"), tags=[TAG]),
)
class ThreatActorViewSet(UserPreferencesMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ThreatActorSerializer
    filterset_class = ThreatActorFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ThreatActor.objects.none()
        return actor_selectors.threat_actors_for(self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List campaigns"),
        description=gettext_lazy(
            "The campaigns of your communities; `incident_count` counts only the incidents "
            "you may see."
        ),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read a campaign"), tags=[TAG]),
)
class CampaignViewSet(UserPreferencesMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return actor_selectors.campaigns_for(self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List incident updates"),
        description=gettext_lazy(
            "The update timeline of the incidents you may see, newest first; filter by `incident`."
        ),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read an incident update"), tags=[TAG]),
)
class IncidentUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleViewSet):
    model = IncidentUpdate
    serializer_class = IncidentUpdateSerializer
    filterset_class = IncidentUpdateFilter

    def scope(self, incidents):
        return IncidentUpdate.objects.filter(incident__in=incidents.values("pk")).order_by(
            "-created_at", "pk"
        )

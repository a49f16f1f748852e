"""REST endpoints of incidents, indicators, sightings and usage feedback.

One door: every viewset here derives from `VisibleViewSet`, whose `get_queryset` starts from
`apps.sharing.selectors.visible_to` — the only call to it in this module — and each subclass
only narrows that set (`scope`). Anything outside answers 404, like something that does not
exist. Writes go through `apps.incidents.services`; their refusals become 400 (or 403).
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.api.mixins import UserPreferencesMixin
from apps.communities.api.views import ReadsForAnyone
from apps.incidents import selectors, services
from apps.incidents.api import schema
from apps.incidents.api import serializers as s
from apps.incidents.api.filters import (
    FeedbackFilter,
    IncidentFilter,
    IndicatorFilter,
    SightingFilter,
)
from apps.incidents.models import AttackTechnique, Incident, Indicator, Sighting, UsageFeedback
from apps.sharing.auditing import item_viewed
from apps.sharing.recipients import recipients_read
from apps.sharing.selectors import (
    naming,
    recipients_attach,
    recipients_prefetch,
    visible_one,
    visible_to,
)
from portal.api.pagination import VisibleListMixin


class VisibleViewSet(UserPreferencesMixin, viewsets.GenericViewSet):
    """Subclasses define ``scope(visible_incidents)``, never ``get_queryset``."""

    model: type

    def visible_incidents(self) -> QuerySet[Incident]:
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return visible_to(self.request.user, Incident.objects.all())

    def scope(self, incidents: QuerySet[Incident]) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scope(self.visible_incidents())

    def answer(self, obj, serializer_class, code=status.HTTP_200_OK) -> Response:
        """Read a written object back through the scope, so the answer carries exactly
        what the caller may see."""
        fresh = self.get_queryset().get(pk=obj.pk)
        context = self.get_serializer_context()
        return Response(serializer_class(fresh, context=context).data, status=code)


CHOICE_FIELDS = ("tlp", "organizations", "exclude_organizations", "users", "federated")


def _audience(data: dict, community) -> dict:
    """The recipient choice of the API (slugs, exclusions, e-mail addresses) as the
    services take it, read by `apps.sharing.recipients` like the web picker's."""
    return recipients_read(
        community=community, **{name: data[name] for name in CHOICE_FIELDS if name in data}
    )


@schema.incidents
class IncidentViewSet(VisibleListMixin, mixins.RetrieveModelMixin, VisibleViewSet):
    model = Incident
    permission_classes = [ReadsForAnyone]  # signed out: TLP:CLEAR incidents, read only
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible_incidents(self) -> QuerySet[Incident]:
        # A detail (and its actions) asks about one incident: probed, not collected.
        if "pk" in self.kwargs and not getattr(self, "swagger_fake_view", False):
            return visible_one(self.request.user, Incident.objects.all(), self.kwargs["pk"])
        return super().visible_incidents()

    def scope(self, incidents):
        return self.listing(incidents).prefetch_related(*recipients_prefetch())

    def listing(self, incidents):
        return selectors.with_counts(
            incidents.select_related("community", "author_organization")
            .prefetch_related("techniques", "actors", "campaigns")
            .order_by("-created_at", "pk")
        )

    def decorate_page(self, rows):
        return recipients_attach(list(self.listing(rows)))

    def retrieve(self, request, *args, **kwargs):
        incident = self.get_object()
        item_viewed(item=incident, viewer=request.user)
        return Response(self.get_serializer(incident).data)

    def create(self, request, *args, **kwargs):
        serializer = s.IncidentWriteSerializer(data=request.data,
                                               context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community = data["community"]
        incident = services.incident_create(
            author=request.user, community=community,
            techniques=data["techniques"],
            actors=data["actors"], campaigns=data["campaigns"],
            indicators=data["indicators"],
            confirmed_exposures=data["confirmed_exposures"],
            **{name: data[name] for name in services.EDITABLE_FIELDS},
            **_audience(data, community),
        )
        return self.answer(incident, s.IncidentSerializer, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()  # 404 when hidden, whatever the body
        # 403 for a reader who may not change it, whatever the body: no validation error may
        # tell them anything first.
        services.incident_editor_check(incident=incident, actor=request.user)
        serializer = s.IncidentUpdateSerializer(data=request.data, partial=True,
                                                context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = {name: value for name, value in serializer.validated_data.items()
                if name in request.data}
        changes = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        incident = services.incident_update(
            incident=incident, actor=request.user,
            confirmed_exposures=data.get("confirmed_exposures", ()),
            techniques=data.get("techniques"),
            actors=data.get("actors"), campaigns=data.get("campaigns"),
            **changes,
            **_audience(data, incident.community),
        )
        return self.answer(incident, s.IncidentSerializer)

    @action(detail=False, methods=["get"], url_path="addressed-to-me")
    def addressed_to_me(self, request):
        queryset, scope = self.filtered(naming(request.user, Incident.objects.all()))
        page = self.paginator.paginate_visible(queryset, request, decorate=self.decorate_page,
                                               scope=scope)
        return self.paginator.get_paginated_response(self.page_data(page))

    @action(detail=False, methods=["get"])
    def achievements(self, request):
        def achievements(rows):
            return selectors.sharing_achievements(request.user).filter(pk__in=rows.values("pk"))

        mine = Incident.objects.filter(author_id=request.user.pk)
        page = self.paginator.paginate_visible(mine, request, decorate=achievements)
        data = s.AchievementSerializer(page, many=True,
                                       context=self.get_serializer_context()).data
        return self.paginator.get_paginated_response(data)



@schema.indicators
class IndicatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.DestroyModelMixin, VisibleViewSet):
    model = Indicator
    permission_classes = [ReadsForAnyone]  # signed out: indicators of TLP:CLEAR incidents
    serializer_class = s.IndicatorSerializer
    filterset_class = IndicatorFilter

    def scope(self, incidents):
        return (Indicator.objects.filter(incident__in=incidents.values("pk"))
                .select_related("community", "incident").order_by("-created_at", "pk"))

    def create(self, request, *args, **kwargs):
        # The incident first: unknown and hidden read the same (400); then a reader who may
        # not change it gets 403 whatever the rest of the body says.
        target = s.IndicatorTargetSerializer(data=request.data,
                                             context=self.get_serializer_context())
        target.is_valid(raise_exception=True)
        services.incident_editor_check(incident=target.validated_data["incident"],
                                       actor=request.user)
        serializer = s.IndicatorWriteSerializer(data=request.data,
                                                context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        indicator = services.indicator_add(actor=request.user, **data)
        return self.answer(indicator, s.IndicatorSerializer, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.indicator_remove(indicator=instance, actor=self.request.user)

    @action(detail=False, methods=["get"])
    def lookup(self, request):
        value = request.query_params.get("value", "")
        if not value.strip():
            raise ValidationError({"value": _("Give a value to look for.")})
        found = selectors.indicator_lookup(user=request.user, value=value,
                                           type=request.query_params.get("type") or None)
        queryset = self.get_queryset().filter(pk__in=found.values("pk"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@schema.sightings
class SightingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleViewSet):
    model = Sighting
    serializer_class = s.SightingSerializer
    filterset_class = SightingFilter
    http_method_names = ["get", "post", "head", "options"]

    def scope(self, incidents):
        return (Sighting.objects.filter(incident__in=incidents.values("pk"))
                .select_related("community", "organization").order_by("-seen_at", "pk"))

    def create(self, request, *args, **kwargs):
        serializer = s.SightingWriteSerializer(data=request.data,
                                               context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sighting = services.sighting_add(
            user=request.user, incident=data.get("incident"),
            indicator=data.get("indicator"), note=data["note"], seen_at=data["seen_at"],
            show_organization=data["show_organization"], false_positive=data["false_positive"],
        )
        return self.answer(sighting, s.SightingSerializer, status.HTTP_201_CREATED)


@schema.feedback
class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleViewSet):
    model = UsageFeedback
    serializer_class = s.FeedbackSerializer
    filterset_class = FeedbackFilter
    http_method_names = ["get", "post", "head", "options"]

    def scope(self, incidents):
        return (UsageFeedback.objects.filter(incident__in=incidents.values("pk"))
                .select_related("community", "organization").order_by("-created_at", "pk"))

    def create(self, request, *args, **kwargs):
        serializer = s.FeedbackWriteSerializer(data=request.data,
                                               context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        feedback = services.feedback_add(user=request.user, incident=data["incident"],
                                         action=data["action"], note=data["note"])
        return self.answer(feedback, s.FeedbackSerializer, status.HTTP_201_CREATED)


@schema.attack_techniques
class AttackTechniqueViewSet(UserPreferencesMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data, the same for everyone: not shared content."""

    serializer_class = s.AttackTechniqueSerializer
    lookup_value_regex = r"T\d{4}(\.\d{3})?"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AttackTechnique.objects.none()
        deprecated = self.request.query_params.get("deprecated") in ("true", "1")
        queryset = selectors.techniques_for_picker(include_deprecated=deprecated)
        search = self.request.query_params.get("search", "").strip()
        if search:
            queryset = queryset.filter(Q(id__istartswith=search) | Q(name__icontains=search))
        return queryset

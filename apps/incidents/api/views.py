"""REST endpoints of incidents, indicators, sightings and usage feedback.

One door: every viewset here derives from `VisibleViewSet`, whose `get_queryset` starts from
`apps.sharing.selectors.visible_to` — the only call to it in this module — and each subclass
only narrows that set (`scope`). Anything outside answers 404, like something that does not
exist. Writes go through `apps.incidents.services`; their refusals become 400 (or 403).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.accounts.api.mixins import UserPreferencesMixin
from apps.communities.api.views import ReadsForAnyone, service_errors
from apps.communities.models import Organization
from apps.incidents import selectors, services
from apps.incidents.api import serializers as s
from apps.incidents.api.filters import (
    FeedbackFilter,
    IncidentFilter,
    IndicatorFilter,
    SightingFilter,
)
from apps.incidents.models import AttackTechnique, Incident, Indicator, Sighting, UsageFeedback
from apps.sharing.audience import member_organizations
from apps.sharing.auditing import item_viewed
from apps.sharing.selectors import visible_to
from portal.api.pagination import VisibleListMixin

TAG = "incidents"


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


def _organizations(slugs, field: str) -> list[Organization]:
    slugs = list(dict.fromkeys(slugs))
    found = list(Organization.objects.filter(slug__in=slugs))
    unknown = set(slugs) - {org.slug for org in found}
    if unknown:
        raise ValidationError({field: _("Unknown organisations: %(slugs)s.")
                               % {"slugs": ", ".join(sorted(unknown))}})
    return found


def _users(emails) -> list:
    emails = list(dict.fromkeys(email.lower() for email in emails))
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(email__iexact=email)
    found = list(get_user_model().objects.filter(query))
    unknown = set(emails) - {user.email.lower() for user in found}
    if unknown:
        raise ValidationError({"users": _("Not members of this community: %(names)s.")
                               % {"names": ", ".join(sorted(unknown))}})
    return found


def _audience(data: dict, community) -> dict:
    """The recipient choice of the API (slugs, exclusions, e-mail addresses) as the
    services take it (organisations and users)."""
    audience = {}
    if "tlp" in data:
        audience["tlp"] = data["tlp"]
    if data.get("organizations") is not None:
        audience["organizations"] = _organizations(data["organizations"], "organizations")
    if data.get("exclude_organizations"):
        excluded = {org.pk for org in _organizations(data["exclude_organizations"],
                                                     "exclude_organizations")}
        chosen = audience.get("organizations") or list(member_organizations(community))
        audience["organizations"] = [org for org in chosen if org.pk not in excluded]
    if data.get("users"):
        audience["users"] = _users(data["users"])
    if "federated" in data:
        audience["federated"] = data["federated"]
    return audience


INCIDENT_FIELDS = ("title", "summary", "category", "intent", "status", "sectors",
                   "attack_stage", "detected_at", "occurred_at", "anonymous")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List incidents you may see"),
        description=gettext_lazy(
            "Incidents visible to you under TLP 2.0, newest first. Filter by `community`, "
            "`tlp`, `category`, `intent`, `status`, `attack_stage`, `sector`, `technique`, "
            "`anonymous` and date ranges (`created_after`, `occurred_before`, …). The source "
            "of an anonymous incident reads “via the secretariat” except for its author and "
            "the secretariat."),
        tags=[TAG],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Read an incident"),
        description=gettext_lazy("404 for an incident you may not see, as if it did not "
                                 "exist."),
        tags=[TAG],
    ),
    create=extend_schema(
        summary=gettext_lazy("Share an incident"),
        description=gettext_lazy(
            "Choose the TLP label and recipients: organisations (slugs, or exclusions from "
            "the default) for AMBER / AMBER+STRICT, people (e-mail addresses) for RED, "
            "`federated` for GREEN / CLEAR. E-mail addresses, user names, internal host "
            "names and private IP addresses in the text or indicators are refused (400, "
            "`exposures`) until each is redacted or listed in `confirmed_exposures`."),
        request=s.IncidentWriteSerializer,
        responses={201: s.IncidentSerializer},
        tags=[TAG],
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change an incident or its audience"),
        description=gettext_lazy(
            "Author or secretariat only (403 for others who can see it, before the body is "
            "read). A change of label or recipients is recorded. `anonymous: false` names the "
            "source and only the author may send it (403 otherwise); it is recorded too. The "
            "text is checked again for identifying data."),
        request=s.IncidentUpdateSerializer,
        responses={200: s.IncidentSerializer},
        tags=[TAG],
    ),
    addressed_to_me=extend_schema(
        summary=gettext_lazy("Incidents addressed to you"),
        description=gettext_lazy("TLP:RED incidents naming you and TLP:AMBER / "
                                 "AMBER+STRICT incidents naming your organisation."),
        responses={200: s.IncidentSerializer(many=True)},  # a page, filtered like the list
        tags=[TAG],
    ),
    achievements=extend_schema(
        summary=gettext_lazy("What your sharing achieved"),
        description=gettext_lazy("For each incident you shared: organisations that viewed "
                                 "it, organisations that saw it too, and their feedback."),
        responses={200: s.AchievementSerializer(many=True)},
        filters=False,
        tags=[TAG],
    ),
)
class IncidentViewSet(VisibleListMixin, mixins.RetrieveModelMixin, VisibleViewSet):
    model = Incident
    permission_classes = [ReadsForAnyone]  # signed out: TLP:CLEAR incidents, read only
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope(self, incidents):
        return selectors.with_counts(
            incidents.select_related("community", "author_organization")
            .prefetch_related("techniques", "recipient_organizations", "recipient_users")
            .order_by("-created_at", "pk")
        )

    def decorate_page(self, rows):
        return self.scope(rows)

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
        with service_errors():
            incident = services.incident_create(
                author=request.user, community=community,
                techniques=data["techniques"],
                indicators=data["indicators"],
                confirmed_exposures=data["confirmed_exposures"],
                **{name: data[name] for name in INCIDENT_FIELDS},
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
        changes = {name: data[name] for name in INCIDENT_FIELDS if name in data}
        with service_errors():
            incident = services.incident_update(
                incident=incident, actor=request.user,
                confirmed_exposures=data.get("confirmed_exposures", ()),
                techniques=data.get("techniques"),
                **changes,
                **_audience(data, incident.community),
            )
        return self.answer(incident, s.IncidentSerializer)

    @action(detail=False, methods=["get"], url_path="addressed-to-me")
    def addressed_to_me(self, request):
        addressed = selectors.addressed_to(request.user).values("pk")
        queryset = self.filter_queryset(Incident.objects.filter(pk__in=addressed))
        page = self.paginator.paginate_visible(queryset, request, decorate=self.decorate_page)
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


LOOKUP_PARAMETERS = [
    OpenApiParameter("value", OpenApiTypes.STR, required=True,
                     description=gettext_lazy("The value to look for; defanged forms are "
                                              "refanged and normalised first.")),
    OpenApiParameter("type", OpenApiTypes.STR, required=False,
                     description=gettext_lazy("Only as this indicator type.")),
]


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List indicators"),
        description=gettext_lazy("Indicators of the incidents you may see (an indicator "
                                 "has exactly its incident's audience)."),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read an indicator"),
                           description=gettext_lazy("404 unless you may see its incident."),
                           tags=[TAG]),
    create=extend_schema(
        summary=gettext_lazy("Add an indicator"),
        description=gettext_lazy("Author or secretariat of the incident. The value is "
                                 "validated and normalised; identifying data must be "
                                 "confirmed (`confirmed_exposures`) or redacted."),
        request=s.IndicatorWriteSerializer, responses={201: s.IndicatorSerializer},
        tags=[TAG],
    ),
    destroy=extend_schema(summary=gettext_lazy("Remove an indicator"),
                          description=gettext_lazy("Author or secretariat of the incident."),
                          tags=[TAG]),
    lookup=extend_schema(
        summary=gettext_lazy("Has anyone reported this value?"),
        description=gettext_lazy("Indicators with this value among the incidents you may "
                                 "see, newest first."),
        parameters=LOOKUP_PARAMETERS, filters=False,
        responses={200: s.IndicatorSerializer(many=True)},
        tags=[TAG],
    ),
)
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
        with service_errors():
            indicator = services.indicator_add(actor=request.user, **data)
        return self.answer(indicator, s.IndicatorSerializer, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        with service_errors():
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


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List sightings"),
        description=gettext_lazy("“We saw this too” on the incidents you may see. The "
                                 "organisation is named only where it chose to be."),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read a sighting"), tags=[TAG]),
    create=extend_schema(
        summary=gettext_lazy("Report a sighting"),
        description=gettext_lazy("For your organisation, on an incident or indicator you "
                                 "may see; once per organisation. Observers do not report."),
        request=s.SightingWriteSerializer, responses={201: s.SightingSerializer},
        tags=[TAG],
    ),
)
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
        with service_errors():
            sighting = services.sighting_add(
                user=request.user, incident=data.get("incident"),
                indicator=data.get("indicator"), note=data["note"], seen_at=data["seen_at"],
                show_organization=data["show_organization"],
            )
        return self.answer(sighting, s.SightingSerializer, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List usage feedback"),
        description=gettext_lazy("What recipients did with the incidents you may see; the "
                                 "organisation is named only on your own feedback."),
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read usage feedback"), tags=[TAG]),
    create=extend_schema(
        summary=gettext_lazy("Say what you did with an incident"),
        description=gettext_lazy("Once per organisation and action. “Passed to clients” is "
                                 "refused for AMBER+STRICT and RED."),
        request=s.FeedbackWriteSerializer, responses={201: s.FeedbackSerializer},
        tags=[TAG],
    ),
)
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
        with service_errors():
            feedback = services.feedback_add(user=request.user, incident=data["incident"],
                                             action=data["action"], note=data["note"])
        return self.answer(feedback, s.FeedbackSerializer, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List ATT&CK techniques"),
        description=gettext_lazy("The MITRE ATT&CK catalogue for the technique picker. "
                                 "`?search=` matches id or name; deprecated techniques only "
                                 "with `?deprecated=true`."),
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, required=False),
            OpenApiParameter("deprecated", OpenApiTypes.BOOL, required=False),
        ],
        tags=[TAG],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read an ATT&CK technique"), tags=[TAG]),
)
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

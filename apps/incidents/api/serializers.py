"""How the API shows incidents and what hangs off them.

The source of an anonymous item (organisation, author, recipients — which always include the
author's organisation) is only in the answer for those `sharing` tells: the author and the
community's secretariat. Everyone else reads "via the secretariat".
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.communities.api.scopes import communities_for
from apps.communities.models import Membership, MembershipStatus, Organization, Sector
from apps.incidents.actors import Confidence
from apps.incidents.api.actor_refs import ActorRefSerializer, CampaignRefSerializer
from apps.incidents.attack import Tactic
from apps.incidents.indicators import IndicatorType
from apps.incidents.models import (
    AttackTechnique,
    Category,
    FeedbackAction,
    Incident,
    Indicator,
    Intent,
    Sighting,
    Status,
    UsageFeedback,
)
from apps.sharing.selectors import source_organizations
from apps.sharing.tlp import TLP
from portal.api.fields import MomentField, SlugRelatedField


def _inline_choice(choices):
    """A choice field whose enum is written inline in the schema: the same field names
    (``status``, ``sector``) have other choice sets elsewhere in the API."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField


StatusField = _inline_choice(Status.choices)
SectorField = _inline_choice(Sector.choices)


class AttackTechniqueSerializer(serializers.ModelSerializer):
    tactics = serializers.ListField(
        source="tactic_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = AttackTechnique
        fields = ["id", "name", "tactics", "is_subtechnique", "deprecated"]
        read_only_fields = fields


class TechniqueRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttackTechnique
        fields = ["id", "name"]
        read_only_fields = fields


class _SourcesListSerializer(serializers.ListSerializer):
    """Works out the source of every item of a page in one query before showing them."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        if request is not None:
            self.context["sources"] = source_organizations(items, request.user)
        return super().to_representation(items)


class IncidentSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tlp_label = serializers.SerializerMethodField(help_text=_("The label as FIRST writes it."))
    techniques = TechniqueRefSerializer(many=True, read_only=True)
    sectors = serializers.ListField(child=SectorField(choices=Sector.choices), read_only=True)
    status = StatusField(choices=Status.choices, read_only=True)
    # Declared so that the schema admits "" (no stage given) beside the tactics.
    attack_stage = serializers.ChoiceField(choices=Tactic.choices, allow_blank=True,
                                           read_only=True)
    source = serializers.SerializerMethodField(
        help_text=_("The sharing organisation, or “via the secretariat” for an anonymous item.")
    )
    source_organization = serializers.SerializerMethodField(
        help_text=_("Slug of the sharing organisation; null when it is not told to you.")
    )
    recipient_organizations = serializers.SerializerMethodField(
        help_text=_("AMBER / AMBER+STRICT: slugs of the recipient organisations (null when "
                    "the source is not told to you).")
    )
    recipient_users = serializers.SerializerMethodField(
        help_text=_("RED: e-mail addresses of the named recipients (null when the source is "
                    "not told to you).")
    )
    is_yours = serializers.SerializerMethodField(help_text=_("You are the author."))
    indicator_count = serializers.IntegerField(read_only=True, default=0)
    sighting_count = serializers.IntegerField(
        read_only=True, default=0, help_text=_("Organisations that saw it too.")
    )
    feedback_count = serializers.IntegerField(read_only=True, default=0)
    confidence = serializers.ChoiceField(choices=Confidence.choices, read_only=True)
    actors = ActorRefSerializer(many=True, read_only=True)
    campaigns = CampaignRefSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        list_serializer_class = _SourcesListSerializer
        fields = [
            "id", "community", "title", "summary", "category", "intent", "status",
            "confidence", "actors", "campaigns",
            "sectors", "attack_stage", "detected_at", "occurred_at", "techniques",
            "tlp", "tlp_label", "federated", "anonymous", "source", "source_organization",
            "recipient_organizations", "recipient_users", "is_yours",
            "indicator_count", "sighting_count", "feedback_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def _source(self, obj) -> Organization | None:
        sources = self.context.get("sources")
        if sources is None or obj.pk not in sources:
            sources = self.context["sources"] = {
                **(sources or {}),
                **source_organizations([obj], self.context["request"].user),
            }
        return sources[obj.pk]

    def get_tlp_label(self, obj) -> str:
        return TLP(obj.tlp).label

    def get_source(self, obj) -> str:
        organization = self._source(obj)
        return organization.display_name if organization else str(_("via the secretariat"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_source_organization(self, obj) -> str | None:
        organization = self._source(obj)
        return organization.slug if organization else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_recipient_organizations(self, obj):
        if self._source(obj) is None:
            return None
        return sorted(org.slug for org in obj.recipient_organizations.all())

    @extend_schema_field(serializers.ListField(child=serializers.EmailField(), allow_null=True))
    def get_recipient_users(self, obj):
        if self._source(obj) is None:
            return None
        return sorted(user.email for user in obj.recipient_users.all())

    def get_is_yours(self, obj) -> bool:
        return obj.author_id == self.context["request"].user.pk


class IndicatorInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=IndicatorType.choices)
    value = serializers.CharField(
        max_length=2048, help_text=_("Defanged forms (hxxp://, [.]) are accepted.")
    )
    first_seen = MomentField(required=False, allow_null=True)
    last_seen = MomentField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.STR)
class _CommunityField(SlugRelatedField):
    """A community the caller actively belongs to; any other slug reads as unknown."""

    def get_queryset(self):
        return communities_for(self.context["request"].user)


class IncidentWriteSerializer(serializers.Serializer):
    community = _CommunityField(slug_field="slug", help_text=_("Slug of the community."))
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text=_("Markdown."))
    category = serializers.ChoiceField(choices=Category.choices)
    intent = serializers.ChoiceField(choices=Intent.choices, default=Intent.UNKNOWN)
    status = serializers.ChoiceField(choices=Status.choices, default=Status.INVESTIGATING)
    confidence = serializers.ChoiceField(choices=Confidence.choices,
                                         default=Confidence.UNCONFIRMED)
    actors = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list,
        help_text=_("Ids of threat actors of the incident's community."),
    )
    campaigns = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list,
        help_text=_("Ids of campaigns of the incident's community."),
    )
    sectors = serializers.ListField(child=SectorField(choices=Sector.choices),
                                    required=False, default=list)
    attack_stage = serializers.ChoiceField(choices=Tactic.choices, required=False,
                                           allow_blank=True, default="")
    detected_at = MomentField(required=False, allow_null=True, default=None)
    occurred_at = MomentField(required=False, allow_null=True, default=None)
    techniques = serializers.ListField(
        child=serializers.CharField(max_length=12), required=False, default=list,
        help_text=_("ATT&CK technique ids, e.g. T1566.001."),
    )
    tlp = serializers.ChoiceField(choices=TLP.choices)
    organizations = serializers.ListField(
        child=serializers.SlugField(), required=False, allow_null=True, default=None,
        help_text=_("AMBER / AMBER+STRICT: slugs of the recipient organisations (default: "
                    "every member organisation; yours is always included)."),
    )
    exclude_organizations = serializers.ListField(
        child=serializers.SlugField(), required=False, default=list,
        help_text=_("AMBER / AMBER+STRICT: slugs to leave out of the default audience."),
    )
    users = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list,
        help_text=_("RED: e-mail addresses of the named recipients."),
    )
    federated = serializers.BooleanField(required=False, default=False)
    anonymous = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Share through the secretariat: only it sees which organisation shared."),
    )
    confirmed_exposures = serializers.ListField(
        child=serializers.CharField(), required=False, default=list,
        help_text=_("Possibly identifying data (e-mail addresses, user names, internal hosts, "
                    "private IPs) that you confirm may be shared, exactly as reported."),
    )
    indicators = IndicatorInputSerializer(many=True, required=False, default=list)


class IncidentUpdateSerializer(IncidentWriteSerializer):
    """Every field optional; the community and indicators are not changed here."""

    community = None
    indicators = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class IndicatorSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    incident = serializers.UUIDField(source="incident_id", read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "community", "incident", "type", "value", "first_seen", "last_seen",
                  "note", "created_at"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.UUID)
class _VisibleIncidentField(serializers.PrimaryKeyRelatedField):
    """An incident the caller may see; any other id reads as unknown."""

    def get_queryset(self):
        return self.context["view"].visible_incidents()


@extend_schema_field(OpenApiTypes.UUID)
class _VisibleIndicatorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        visible = self.context["view"].visible_incidents()
        return Indicator.objects.filter(incident__in=visible).select_related("incident")


class IndicatorTargetSerializer(serializers.Serializer):
    """The incident an indicator is added to, read before the rest of the body."""

    incident = _VisibleIncidentField(help_text=_("Id of the incident."))


class IndicatorWriteSerializer(IndicatorInputSerializer):
    incident = _VisibleIncidentField(help_text=_("Id of the incident."))
    confirmed_exposures = serializers.ListField(child=serializers.CharField(), required=False,
                                                default=list)


def _viewer_organizations(context) -> set[int]:
    """Ids of the organisations the caller represents (one query per answer)."""
    if "viewer_organizations" not in context:
        user = context["request"].user
        context["viewer_organizations"] = set(
            Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE)
            .values_list("organization_id", flat=True)
        )
    return context["viewer_organizations"]


class SightingSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    incident = serializers.UUIDField(source="incident_id", read_only=True)
    indicator = serializers.UUIDField(source="indicator_id", read_only=True, allow_null=True)
    organization = serializers.SerializerMethodField(
        help_text=_("Slug of the organisation, only if it chose to show it (or it is yours).")
    )
    is_ours = serializers.SerializerMethodField(help_text=_("Your organisation's sighting."))

    class Meta:
        model = Sighting
        fields = ["id", "community", "incident", "indicator", "organization", "is_ours",
                  "seen_at", "false_positive", "note", "show_organization", "created_at"]
        read_only_fields = fields

    def get_is_ours(self, obj) -> bool:
        return obj.organization_id in _viewer_organizations(self.context)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization(self, obj) -> str | None:
        if obj.show_organization or self.get_is_ours(obj):
            return obj.organization.slug
        return None


class SightingWriteSerializer(serializers.Serializer):
    incident = _VisibleIncidentField(required=False, allow_null=True,
                                     help_text=_("Id of the incident you saw too…"))
    indicator = _VisibleIndicatorField(required=False, allow_null=True,
                                       help_text=_("…or of one of its indicators."))
    seen_at = MomentField(required=False, allow_null=True, default=None)
    false_positive = serializers.BooleanField(
        required=False, default=False,
        help_text=_("It matched but turned out to be harmless: counted apart."))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    show_organization = serializers.BooleanField(required=False, default=False)


class FeedbackSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    incident = serializers.UUIDField(source="incident_id", read_only=True)
    organization = serializers.SerializerMethodField(
        help_text=_("Slug of the organisation: only for your own organisation's feedback.")
    )
    is_ours = serializers.SerializerMethodField()

    class Meta:
        model = UsageFeedback
        fields = ["id", "community", "incident", "action", "note", "organization", "is_ours",
                  "created_at"]
        read_only_fields = fields

    def get_is_ours(self, obj) -> bool:
        return obj.organization_id in _viewer_organizations(self.context)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organization(self, obj) -> str | None:
        return obj.organization.slug if self.get_is_ours(obj) else None


class FeedbackWriteSerializer(serializers.Serializer):
    incident = _VisibleIncidentField(help_text=_("Id of the incident."))
    action = serializers.ChoiceField(
        choices=FeedbackAction.choices,
        help_text=_("“passed_to_clients” is refused for AMBER+STRICT and RED."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AchievementSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    viewed_by_count = serializers.IntegerField(
        read_only=True, help_text=_("Organisations (other than yours) that opened it.")
    )
    sighting_count = serializers.IntegerField(
        read_only=True, help_text=_("Organisations that saw it too.")
    )
    feedback = serializers.SerializerMethodField(help_text=_("Count per action."))

    class Meta:
        model = Incident
        fields = ["id", "community", "title", "tlp", "created_at", "viewed_by_count",
                  "sighting_count", "feedback"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_feedback(self, obj):
        return {action.value: getattr(obj, f"feedback_{action.value}", 0)
                for action in FeedbackAction}


def users_by_email(emails) -> list:
    """Users for the given addresses; unknown addresses are returned as errors by the
    caller (without saying whether an account exists)."""
    model = get_user_model()
    return list(model.objects.filter(email__in=[email.lower() for email in emails]))

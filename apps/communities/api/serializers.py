"""How the API shows communities, organisations, memberships and invitations.

An invitation's link token is never part of any answer: it only travels by e-mail.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Language
from apps.communities.api.scopes import communities_for
from apps.communities.models import (
    Community,
    Invitation,
    Membership,
    Organization,
    Role,
)
from portal.api.fields import SlugRelatedField


class CommunitySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True,
                                         help_text=_("The name in your language."))
    your_role = serializers.CharField(source="viewer_role", read_only=True,
                                      help_text=_("Your role in this community."))
    your_organization = serializers.CharField(
        source="viewer_organization", read_only=True,
        help_text=_("Slug of the organisation you represent in this community."),
    )

    class Meta:
        model = Community
        fields = ["slug", "name", "name_en", "display_name", "kind", "description",
                  "default_language", "your_role", "your_organization"]
        read_only_fields = fields


@extend_schema_field({"anyOf": [{"type": "string", "format": "uri"},
                                 {"type": "string", "maxLength": 0}]})
class _WebsiteField(serializers.URLField):
    """A URL, or "" when the organisation gave none."""


class OrganizationSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True,
                                         help_text=_("The name in your language."))
    website = _WebsiteField(read_only=True)

    class Meta:
        model = Organization
        fields = ["slug", "name", "name_en", "display_name", "sector", "website"]
        read_only_fields = fields


class OrganizationRefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Organization
        fields = ["slug", "display_name"]
        read_only_fields = fields


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(source="get_full_name", read_only=True)
    # Not read-only: the schema then lists it as optional, as it is (absent for members).
    email = serializers.EmailField(
        required=False,
        help_text=_("Shown to the community's secretariat only."),
    )


class MembershipSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    user = MemberSerializer(read_only=True)
    organization = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "community", "user", "organization", "role", "status",
                  "activated_at", "suspended_at", "left_at", "created_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Members see each other by name, as in the member directory; the secretariat, who
        # onboards them, also sees the address.
        if not getattr(instance, "viewer_is_secretariat", False):
            data["user"].pop("email", None)
        return data


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False,
                                   help_text=_("The member's new role."))
    organization = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(), required=False,
        help_text=_("Slug of the organisation the member now represents."),
    )


class InvitationSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization = OrganizationRefSerializer(read_only=True)
    state = serializers.SerializerMethodField(help_text=_("open, accepted, revoked or expired"))
    invited_by = serializers.EmailField(source="created_by.email", read_only=True,
                                        allow_null=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "community", "email", "name", "organization", "role", "language",
                  "state", "expires_at", "created_at", "sent_at", "accepted_at",
                  "revoked_at", "invited_by"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_state(self, obj) -> str:
        return obj.state


@extend_schema_field(OpenApiTypes.STR)
class _VisibleCommunityField(SlugRelatedField):
    """A community the caller actively belongs to; any other slug reads as unknown."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Community.objects.none()
        return communities_for(request.user)


class InvitationCreateSerializer(serializers.Serializer):
    community = _VisibleCommunityField(slug_field="slug",
                                       help_text=_("Slug of the community to join."))
    email = serializers.EmailField(help_text=_("E-mail address of the person to invite."))
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="",
                                 help_text=_("The person's name, used in the e-mail."))
    organization = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(),
        help_text=_("Slug of the organisation the person will represent."),
    )
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False,
        help_text=_("Language of the e-mail; by default the community's."),
    )

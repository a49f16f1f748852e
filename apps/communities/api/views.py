"""REST endpoints of communities: what the caller belongs to, who else is there, and the
secretariat's decisions on memberships and invitations.

Views stay thin: what a caller may see comes from ``scopes``, every write goes through
``apps.communities.services``.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.accounts.api.mixins import UserPreferencesMixin
from apps.communities.api import schema, scopes
from apps.communities.api.filters import (
    CommunityFilter,
    InvitationFilter,
    MembershipFilter,
    OrganizationFilter,
)
from apps.communities.api.serializers import (
    CommunitySerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    OrganizationSerializer,
)
from apps.communities.models import Community, Invitation, Membership, Organization
from apps.communities.services import (
    invitation_create,
    membership_change_role,
    membership_decide,
)


class SecretariatWrites(permissions.BasePermission):
    """Anyone who can see an object may read it; only the active secretariat of its
    community may change it. (Objects the caller cannot see never get here: they are 404.)"""

    message = _("Only the secretariat of this community may do this.")

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return scopes.is_secretariat(request.user, obj.community_id)


class ReadsForAnyone(permissions.BasePermission):
    """Shared content under TLP:CLEAR is for "anyone, signed in or not": a signed-out caller
    may use the read actions a viewset lists in ``public_actions`` (list and retrieve by
    default) and gets exactly what `apps.sharing.selectors.visible_to` gives a signed-out
    visitor — CLEAR only. Everything else (writes, "addressed to me", …) needs a signed-in
    caller. This decides who must sign in, never what is visible."""

    def has_permission(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return request.method in permissions.SAFE_METHODS and view.action in getattr(
            view, "public_actions", ("list", "retrieve")
        )


class ScopedViewSet(UserPreferencesMixin, viewsets.GenericViewSet):
    """The one door: every list, detail and action of a subclass starts from ``scope``, which
    narrows to the caller's active memberships. Subclasses define ``scope``, never
    ``get_queryset``, so no action can forget it.

    A signed-out caller gets nothing, unless the subclass opens its reads to anyone
    (``permission_classes = [ReadsForAnyone]``): then ``scope`` receives the anonymous user,
    and must narrow through `apps.sharing` like for anyone else."""

    model: type

    def scope(self, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        if not self.request.user.is_authenticated and ReadsForAnyone not in (
            self.permission_classes
        ):
            return self.model.objects.none()
        return self.scope(self.request.user)


@schema.communities
class CommunityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Community
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    lookup_field = "slug"

    def scope(self, user):
        return scopes.communities_for(user)


@schema.organizations
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Organization
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    lookup_field = "slug"

    def scope(self, user):
        return scopes.organizations_for(user)



@schema.memberships
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.UpdateModelMixin, ScopedViewSet):
    model = Membership
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    permission_classes = [permissions.IsAuthenticated, SecretariatWrites]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope(self, user):
        return scopes.memberships_for(user)

    def _answer(self, membership: Membership) -> Response:
        # Read back through the scope, so the answer carries what the caller may see.
        fresh = self.get_queryset().filter(pk=membership.pk).first() or membership
        return Response(MembershipSerializer(fresh, context=self.get_serializer_context()).data)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = MembershipUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = membership_change_role(
            membership=membership, role=data.get("role", membership.role),
            organization=data.get("organization"), actor=request.user,
        )
        return self._answer(membership)

    def _decide(self, decision: str) -> Response:
        membership = self.get_object()
        membership = membership_decide(membership=membership, action=decision,
                                       actor=self.request.user)
        return self._answer(membership)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide("approve")

    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._decide("suspend")

    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._decide("reactivate")

    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        return self._decide("remove")


@schema.invitations
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, ScopedViewSet):
    model = Invitation
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter

    def scope(self, user):
        return scopes.invitations_for(user)

    def create(self, request, *args, **kwargs):
        serializer = InvitationCreateSerializer(data=request.data,
                                                context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community = data["community"]
        if not scopes.is_secretariat(request.user, community.pk):
            raise PermissionDenied(_("Only the secretariat of this community may invite."))
        invitation = invitation_create(
            community=community, email=data["email"], name=data["name"],
            organization=data["organization"], role=data["role"],
            language=data.get("language") or community.default_language,
            invited_by=request.user,
        )
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

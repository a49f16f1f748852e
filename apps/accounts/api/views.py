"""The signed-in person's own profile and API tokens."""

from django.utils.translation import gettext_lazy as _
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response

from apps.accounts.api import schema
from apps.accounts.api.mixins import UserPreferencesMixin, activate_user_preferences
from apps.accounts.api.serializers import (
    ProfileSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenSerializer,
)
from apps.accounts.models import ApiToken
from apps.accounts.services import token_issue, token_revoke


@schema.profile
class MeView(UserPreferencesMixin, generics.RetrieveUpdateAPIView):
    serializer_class = ProfileSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        super().perform_update(serializer)
        # The answer itself should already speak the language just chosen.
        activate_user_preferences(self.request, serializer.instance)


class SignedInWithSession(permissions.BasePermission):
    """Tokens are managed from a signed-in browser session (which has passed its second factor
    where one is due), never with a token: a leaked token cannot mint, list or revoke others."""

    message = _("API tokens can only be managed when signed in on the website, not with a "
                "token.")

    refuses_reads = True  # documented as a 403 on every operation (portal.api.schema)

    def has_permission(self, request, view):
        return isinstance(request.successful_authenticator, SessionAuthentication)


@schema.tokens
class TokenViewSet(UserPreferencesMixin, mixins.ListModelMixin, mixins.CreateModelMixin,
                   mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = TokenSerializer
    queryset = ApiToken.objects.none()
    permission_classes = [permissions.IsAuthenticated, SignedInWithSession]

    def get_queryset(self):
        # A person only ever sees their own tokens; anyone else's is 404.
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = token_issue(user=request.user, name=serializer.validated_data["name"],
                                 days=serializer.validated_data.get("days"))
        token.key = key
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        token_revoke(token=instance)

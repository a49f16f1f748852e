"""/api/v1/me/ and /api/v1/tokens/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.accounts.api.views import MeView, TokenViewSet

app_name = "accounts_api"

router = SimpleRouter()
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]

"""/api/v1/communities/, organizations/, memberships/ and invitations/."""

from rest_framework.routers import SimpleRouter

from apps.communities.api.views import (
    CommunityViewSet,
    InvitationViewSet,
    MembershipViewSet,
    OrganizationViewSet,
)

app_name = "communities_api"

router = SimpleRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("invitations", InvitationViewSet, basename="invitation")

urlpatterns = router.urls

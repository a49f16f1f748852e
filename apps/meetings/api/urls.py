"""/api/v1/meeting-series/ and /api/v1/meetings/."""

from rest_framework.routers import SimpleRouter

from apps.meetings.api.views import MeetingViewSet, SeriesViewSet

app_name = "meetings_api"

router = SimpleRouter()
router.register("meeting-series", SeriesViewSet, basename="meeting-series")
router.register("meetings", MeetingViewSet, basename="meeting")

urlpatterns = router.urls

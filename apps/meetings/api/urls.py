"""/api/v1/meeting-series/, /api/v1/meetings/, /api/v1/minutes/ and /api/v1/materials/."""

from rest_framework.routers import SimpleRouter

from apps.meetings.api.views import (
    MaterialViewSet,
    MeetingViewSet,
    MinutesViewSet,
    SeriesViewSet,
)

app_name = "meetings_api"

router = SimpleRouter()
router.register("meeting-series", SeriesViewSet, basename="meeting-series")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("minutes", MinutesViewSet, basename="minutes")
router.register("materials", MaterialViewSet, basename="material")

urlpatterns = router.urls

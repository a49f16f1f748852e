"""/api/v1/incidents/, indicators/, sightings/, feedback/ and attack-techniques/."""

from rest_framework.routers import SimpleRouter

from apps.incidents.api.actors import CampaignViewSet, IncidentUpdateViewSet, ThreatActorViewSet
from apps.incidents.api.views import (
    AttackTechniqueViewSet,
    FeedbackViewSet,
    IncidentViewSet,
    IndicatorViewSet,
    SightingViewSet,
)

app_name = "incidents_api"

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("sightings", SightingViewSet, basename="sighting")
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("attack-techniques", AttackTechniqueViewSet, basename="attack-technique")
router.register("threat-actors", ThreatActorViewSet, basename="threat-actor")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("incident-updates", IncidentUpdateViewSet, basename="incident-update")

urlpatterns = router.urls

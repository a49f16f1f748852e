"""/api/v1/threads/ and /api/v1/posts/."""

from rest_framework.routers import SimpleRouter

from apps.discussions.api.views import PostViewSet, ThreadViewSet

app_name = "discussions_api"

router = SimpleRouter()
router.register("threads", ThreadViewSet, basename="thread")
router.register("posts", PostViewSet, basename="post")

urlpatterns = router.urls

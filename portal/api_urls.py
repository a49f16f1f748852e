"""Everything under /api/: each app's v1 endpoints, the OpenAPI schema, and its viewers.

Swagger UI and Redoc come from drf-spectacular-sidecar's static files: nothing loads from a
CDN. An app adds its API with one ``include`` line below.
"""

from django.http import JsonResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.exceptions import NotFound


def page_not_found(request, exception):
    """A URL under /api/ that matches no endpoint (say ``/api/v1/incidents/not-an-id/``)
    answers like any API 404 — JSON, as the schema says — not with the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.communities.api.urls")),
    path("", include("apps.incidents.api.urls")),
    path("", include("apps.discussions.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema",
                                                template_name="api/redoc.html"),
         name="api-redoc"),
]

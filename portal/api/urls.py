"""Everything under /api/: each app's v1 endpoints, the OpenAPI schema, and its viewers.

Swagger UI and Redoc come from drf-spectacular-sidecar's static files: nothing loads from a
CDN. Swagger UI's init script is served as a separate file (the split view), so the
Content-Security-Policy needs no inline script. An app adds its API with one ``include`` line
below.
"""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
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
    path("", include("apps.meetings.api.urls")),
    path("", include("apps.digests.summary_api")),
    path("", include("apps.interop.api_urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema",
                                                      template_name="api/swagger_ui.html"),
         name="api-docs"),
    # Redoc builds its styles at run time (styled-components, no way to pass a nonce) and runs
    # its search in a blob: worker: on this page only, the policy allows inline styles and blob:
    # workers. Scripts stay 'self'; its off-site "Redocly" logo stays blocked.
    path("redoc/", csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")),
         name="api-redoc"),
]

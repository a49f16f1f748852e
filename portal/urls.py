from django.contrib import admin
from django.urls import include, path

from apps.communities.views import HomeView

handler404 = "portal.api.urls.page_not_found"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("accounts/passkeys/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("admin/", admin.site.urls),
    path("api/", include("portal.api.urls")),
    path("", include("apps.communities.urls")),
    path("", include("apps.meetings.urls")),
    # Before incidents: its catch-all /incidents/<uuid>/<action>/ would take …/<uuid>/stix/.
    path("", include("apps.interop.urls")),
    path("", include("apps.incidents.urls")),
    path("", include("apps.sharing.urls")),
    path("", include("apps.discussions.urls")),
    path("", include("apps.digests.urls")),
    path("taxii2/", include("apps.interop.taxii.urls")),
]

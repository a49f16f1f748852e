"""The export pages and API endpoints of interop: STIX 2.1 bundles of what the reader may
see (`apps.interop.stix_views`)."""

from django.urls import path, re_path

from apps.interop import stix_views

urlpatterns: list = [  # web pages, namespace "interop"
    path("c/<slug:slug>/incidents/stix/", stix_views.SearchStixView.as_view(),
         name="search_stix"),
    path("c/<slug:slug>/incidents/<uuid:pk>/stix/", stix_views.IncidentStixView.as_view(),
         name="incident_stix"),
    path("c/<slug:slug>/discussions/<uuid:pk>/stix/", stix_views.ThreadStixView.as_view(),
         name="thread_stix"),
    re_path(r"^federations/(?P<slug>[-a-zA-Z0-9_]+)/summaries/(?P<period>\d{4}-\d{2})/stix/$",
            stix_views.SummaryStixView.as_view(), name="summary_stix"),
]
api_urlpatterns: list = [  # under /api/v1/, namespace "interop_api"
    path("stix/incidents/", stix_views.SearchStixApiView.as_view(), name="search_stix"),
    path("stix/incidents/<uuid:pk>/", stix_views.IncidentStixApiView.as_view(),
         name="incident_stix"),
    path("stix/threads/<uuid:pk>/", stix_views.ThreadStixApiView.as_view(), name="thread_stix"),
    re_path(r"^stix/federations/(?P<slug>[-a-zA-Z0-9_]+)/summaries/(?P<period>\d{4}-\d{2})/$",
            stix_views.SummaryStixApiView.as_view(), name="summary_stix"),
]

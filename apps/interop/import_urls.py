"""The import pages and API endpoints of interop: a STIX 2.1 bundle or MISP event read into
a draft (`imports`), reviewed by its author, then shared as an incident."""

from django.urls import path

from apps.interop import import_api, import_views

urlpatterns: list = [  # web pages, namespace "interop"
    path("c/<slug:slug>/incidents/import/", import_views.ImportView.as_view(), name="import"),
    path("c/<slug:slug>/imports/<uuid:pk>/", import_views.ImportReviewView.as_view(),
         name="import_review"),
    path("c/<slug:slug>/imports/<uuid:pk>/discard/", import_views.ImportDiscardView.as_view(),
         name="import_discard"),
]
api_urlpatterns: list = [  # under /api/v1/, namespace "interop_api"
    path("imports/", import_api.ImportCreateView.as_view(), name="imports"),
]

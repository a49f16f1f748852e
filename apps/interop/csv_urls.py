"""The csv pages and API endpoints of interop: indicators as CSV, out and in."""

from django.urls import path

from apps.interop import csv_api, csv_views

urlpatterns: list = [  # web pages, namespace "interop"
    path("c/<slug:slug>/incidents/indicators.csv", csv_views.IndicatorCsvExportView.as_view(),
         name="indicators_csv"),
    path("c/<slug:slug>/incidents/indicators/template.csv",
         csv_views.IndicatorCsvTemplateView.as_view(), name="indicators_csv_template"),
    path("c/<slug:slug>/incidents/<uuid:pk>/indicators/import/",
         csv_views.IndicatorCsvImportView.as_view(), name="indicators_csv_import"),
]
api_urlpatterns: list = [  # under /api/v1/, namespace "interop_api"
    path("csv/indicators/", csv_api.IndicatorCsvExportApiView.as_view(), name="indicators_csv"),
    path("csv/indicators/import/", csv_api.IndicatorCsvImportApiView.as_view(),
         name="indicators_csv_import"),
]

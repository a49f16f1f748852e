"""interop's endpoints under /api/v1/: one URL module per family."""

from apps.interop import csv_urls, export_urls, import_urls

app_name = "interop_api"

urlpatterns = [*export_urls.api_urlpatterns, *import_urls.api_urlpatterns,
               *csv_urls.api_urlpatterns]

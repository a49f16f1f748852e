"""The pages of interop: one URL module per family (STIX export, STIX/MISP import, CSV).
The TAXII 2.1 server has its own at /taxii2/ (`apps.interop.taxii.urls`)."""

from apps.interop import csv_urls, export_urls, import_urls

app_name = "interop"

urlpatterns = [*export_urls.urlpatterns, *import_urls.urlpatterns, *csv_urls.urlpatterns]

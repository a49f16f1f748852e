"""TAXII 2.1 at /taxii2/ (filled in by the TAXII server's own modules)."""

app_name = "taxii"

urlpatterns: list = []

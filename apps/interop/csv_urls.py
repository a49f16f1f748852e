"""The csv pages and API endpoints of interop (filled in by its own module)."""

urlpatterns: list = []  # web pages, namespace "interop"
api_urlpatterns: list = []  # under /api/v1/, namespace "interop_api"

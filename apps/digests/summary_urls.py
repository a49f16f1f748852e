"""URLs of the summary pages (included by `apps.digests.urls`)."""

urlpatterns: list = []

"""URLs of the notice pages (included by `apps.digests.urls`)."""

urlpatterns: list = []

"""URLs of the digest pages (included by `apps.digests.urls`)."""

urlpatterns: list = []

"""URLs of the digest pages (included by `apps.digests.urls`)."""

from django.urls import path

from apps.digests.digest_views import DigestUnsubscribeView

urlpatterns: list = [
    path("digests/unsubscribe/<str:token>/", DigestUnsubscribeView.as_view(),
         name="unsubscribe"),
]

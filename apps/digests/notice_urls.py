"""URLs of the notice pages (included by `apps.digests.urls`)."""

from django.urls import path

from apps.digests import notice_views

urlpatterns = [
    path("notices/", notice_views.NoticeListView.as_view(), name="notices"),
    path("notices/read/", notice_views.NoticesReadView.as_view(), name="notices_read"),
]

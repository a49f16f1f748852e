"""URLs of the summary pages (included by `apps.digests.urls`): a federation's summaries,
and one of them by its period ("2026-04"). Its JSON document is served by the API
(`apps.digests.summary_api`)."""

from django.urls import path, re_path

from apps.digests.summary_views import SummaryDetailView, SummaryListView

urlpatterns: list = [
    path("federations/<slug:slug>/summaries/", SummaryListView.as_view(), name="summary_list"),
    re_path(r"^federations/(?P<slug>[-a-zA-Z0-9_]+)/summaries/(?P<period>\d{4}-\d{2})/$",
            SummaryDetailView.as_view(), name="summary_detail"),
]

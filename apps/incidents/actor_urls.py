"""URLs of threat actors and campaigns, included at the end of `apps.incidents.urls` (same
``incidents`` namespace): /c/<slug>/actors/… and /c/<slug>/campaigns/…"""

from django.urls import path

from apps.incidents.actor_views import RecordDetailView, RecordFormView, RecordListView

urlpatterns = [
    pattern
    for kind, plural in (("actor", "actors"), ("campaign", "campaigns"))
    for pattern in (
        path(f"c/<slug:slug>/{plural}/", RecordListView.as_view(kind=kind), name=plural),
        path(
            f"c/<slug:slug>/{plural}/new/",
            RecordFormView.as_view(kind=kind),
            name=f"{kind}_create",
        ),
        path(f"c/<slug:slug>/{plural}/<uuid:pk>/", RecordDetailView.as_view(kind=kind), name=kind),
        path(
            f"c/<slug:slug>/{plural}/<uuid:pk>/edit/",
            RecordFormView.as_view(kind=kind),
            name=f"{kind}_edit",
        ),
    )
]

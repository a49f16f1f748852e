from django.urls import path

from apps.incidents import indicator_views, views
from apps.incidents.desk_views import (
    DeskReportView,
    ReciprocityView,
    RelayCreateView,
    RelayDetailView,
    RelayListView,
)

app_name = "incidents"

urlpatterns = [
    path("c/<slug:slug>/incidents/", views.IncidentListView.as_view(), name="list"),
    path("c/<slug:slug>/incidents/new/", views.IncidentFormView.as_view(), name="create"),
    path("c/<slug:slug>/incidents/achieved/", views.AchievementsView.as_view(), name="achieved"),
    path(
        "c/<slug:slug>/incidents/addressed-to-me/",
        views.AddressedToMeView.as_view(),
        name="addressed",
    ),
    path("c/<slug:slug>/report-incident/", DeskReportView.as_view(),
         name="desk_report"),
    path("c/<slug:slug>/relays/", RelayListView.as_view(), name="relays"),
    path("c/<slug:slug>/relays/new/", RelayCreateView.as_view(), name="relay_create"),
    path("c/<slug:slug>/relays/<uuid:pk>/", RelayDetailView.as_view(), name="relay"),
    path("c/<slug:slug>/manage/reciprocity/", ReciprocityView.as_view(),
         name="reciprocity"),
    path("c/<slug:slug>/incidents/<uuid:pk>/", views.IncidentDetailView.as_view(), name="detail"),
    path("c/<slug:slug>/incidents/<uuid:pk>/edit/", views.IncidentFormView.as_view(), name="edit"),
    path(
        "c/<slug:slug>/incidents/<uuid:pk>/indicators/",
        indicator_views.IndicatorPasteView.as_view(),
        name="indicators",
    ),
    path(
        "c/<slug:slug>/incidents/<uuid:pk>/indicators/download/",
        indicator_views.IndicatorDownloadView.as_view(),
        name="indicators_download",
    ),
    path(
        "c/<slug:slug>/incidents/<uuid:pk>/indicators/<uuid:indicator>/<str:change>/",
        indicator_views.IndicatorChangeView.as_view(),
        name="indicator_change",
    ),
    path(
        "c/<slug:slug>/incidents/<uuid:pk>/<str:action>/",
        views.IncidentActionView.as_view(),
        name="action",
    ),
]

from apps.incidents.actor_urls import urlpatterns as actor_patterns  # noqa: E402

urlpatterns += actor_patterns

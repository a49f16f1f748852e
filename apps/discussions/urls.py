from django.urls import path

from apps.discussions import views

app_name = "discussions"

urlpatterns = [
    path("c/<slug:slug>/discussions/", views.ThreadListView.as_view(), name="list"),
    path("c/<slug:slug>/discussions/new/", views.ThreadCreateView.as_view(), name="create"),
    path("c/<slug:slug>/discussions/<uuid:pk>/", views.ThreadDetailView.as_view(), name="detail"),
    path(
        "c/<slug:slug>/discussions/<uuid:pk>/audience/",
        views.ThreadAudienceView.as_view(),
        name="audience",
    ),
    path(
        "c/<slug:slug>/discussions/<uuid:pk>/anonymity/",
        views.ThreadAnonymityView.as_view(),
        name="anonymity",
    ),
    path(
        "c/<slug:slug>/discussions/<uuid:pk>/posts/<uuid:post>/purge/",
        views.PostPurgeView.as_view(),
        name="post_purge",
    ),
    path(
        "c/<slug:slug>/discussions/<uuid:pk>/posts/<uuid:post>/history/<int:revision>/purge/",
        views.PostPurgeView.as_view(),
        name="revision_purge",
    ),
    path(
        "c/<slug:slug>/discussions/<uuid:pk>/posts/<uuid:post>/edit/",
        views.PostEditView.as_view(),
        name="post_edit",
    ),
    path(
        "c/<slug:slug>/discussions/<uuid:pk>/posts/<uuid:post>/delete/",
        views.PostDeleteView.as_view(),
        name="post_delete",
    ),
    path(
        "c/<slug:slug>/discussions/<uuid:pk>/posts/<uuid:post>/history/",
        views.PostHistoryView.as_view(),
        name="post_history",
    ),
]

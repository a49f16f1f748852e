from django.urls import path

from apps.sharing import views

app_name = "sharing"

urlpatterns = [
    path("c/<slug:slug>/audience-count/", views.AudienceCountView.as_view(), name="audience_count"),
]

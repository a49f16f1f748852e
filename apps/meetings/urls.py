from django.urls import path

from apps.meetings import views

app_name = "meetings"

urlpatterns = [
    path("c/<slug:slug>/meetings/", views.MeetingListView.as_view(), name="list"),
    path("c/<slug:slug>/meetings/new/", views.MeetingFormView.as_view(), name="create"),
    path("c/<slug:slug>/meetings/<uuid:pk>/edit/", views.MeetingFormView.as_view(),
         name="edit"),
    path("c/<slug:slug>/meetings/series/new/", views.SeriesFormView.as_view(),
         name="series_create"),
    path("c/<slug:slug>/meetings/series/<int:pk>/edit/", views.SeriesFormView.as_view(),
         name="series_edit"),
    path("c/<slug:slug>/meetings/<uuid:pk>/", views.MeetingDetailView.as_view(), name="detail"),
    path("c/<slug:slug>/meetings/<uuid:pk>/meeting.ics", views.MeetingCalendarView.as_view(),
         name="ics"),
    path("c/<slug:slug>/meetings/<uuid:pk>/answer/", views.MeetingAnswerView.as_view(),
         name="answer"),
    path("c/<slug:slug>/meetings/<uuid:pk>/feedback/", views.MeetingFeedbackView.as_view(),
         name="feedback"),
    path("c/<slug:slug>/meetings/series/<int:pk>/report/", views.SeriesReportView.as_view(),
         name="report"),
    path("c/<slug:slug>/meetings/<uuid:pk>/notes/", views.MeetingNotesView.as_view(),
         name="notes"),
    path("c/<slug:slug>/meetings/<uuid:pk>/notes/<slug:key>/", views.NoteSaveView.as_view(),
         name="note_save"),
    path("c/<slug:slug>/meetings/<uuid:pk>/attendance/", views.AttendanceRecordView.as_view(),
         name="attendance"),
    path("calendar/<slug:secret>.ics", views.PersonalFeedView.as_view(), name="feed"),
]

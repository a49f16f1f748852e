from django.urls import path

from apps.communities import desk_views, secretariat_views, views

app_name = "communities"

urlpatterns = [
    path("c/", views.MyCommunitiesView.as_view(), name="mine"),
    path("invite/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("c/<slug:slug>/", views.CommunityHomeView.as_view(), name="home"),
    path("c/<slug:slug>/members/", views.MemberDirectoryView.as_view(), name="members"),
    path("c/<slug:slug>/agreement/", views.AgreementView.as_view(), name="agreement"),
    path("c/<slug:slug>/manage/", views.ManageMembersView.as_view(), name="manage_members"),
    path("c/<slug:slug>/manage/members/<int:pk>/<str:action>/",
         views.MembershipActionView.as_view(), name="membership_action"),
    path("c/<slug:slug>/manage/invite/", views.InviteView.as_view(), name="invite"),
    path("c/<slug:slug>/manage/import/", views.ImportView.as_view(), name="import"),
    path("c/<slug:slug>/manage/import/template.csv", views.ImportTemplateView.as_view(),
         name="import_template"),
    path("c/<slug:slug>/manage/invitations/", views.InvitationsView.as_view(),
         name="manage_invitations"),
    path("c/<slug:slug>/manage/invitations/<uuid:pk>/<str:action>/",
         views.InvitationActionView.as_view(), name="invitation_action"),
    path("c/<slug:slug>/manage/organizations/new/", views.OrganizationCreateView.as_view(),
         name="organization_create"),
    path("c/<slug:slug>/manage/settings/", views.CommunitySettingsView.as_view(),
         name="settings"),
    path("c/<slug:slug>/manage/desk/", desk_views.IncidentDeskView.as_view(), name="desk"),
    path("c/<slug:slug>/manage/audit/", views.AuditLogView.as_view(), name="audit"),
    path("c/<slug:slug>/manage/audit/export.csv", views.AuditExportView.as_view(),
         name="audit_export"),
    path("c/<slug:slug>/manage/agreement/", views.AgreementPublishView.as_view(),
         name="agreement_publish"),
    path("c/<slug:slug>/manage/acceptances/", secretariat_views.AcceptanceRegisterView.as_view(),
         name="acceptances"),
    path("c/<slug:slug>/manage/acceptances/export.csv",
         secretariat_views.AcceptanceExportView.as_view(), name="acceptances_export"),
    path("c/<slug:slug>/manage/federations/", secretariat_views.FederationListView.as_view(),
         name="federations"),
    path("c/<slug:slug>/manage/federations/<slug:federation>/",
         secretariat_views.FederationView.as_view(), name="federation"),
]

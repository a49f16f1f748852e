from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("mfa/verify/", views.SecondFactorVerifyView.as_view(), name="mfa_verify"),
    path("mfa/setup/", views.SecondFactorSetupView.as_view(), name="mfa_setup"),
    path("mfa/recovery-codes/", views.RecoveryCodesView.as_view(), name="mfa_recovery_codes"),
    path("mfa/<str:kind>/<int:pk>/remove/", views.SecondFactorRemoveView.as_view(),
         name="mfa_remove"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/tokens/", views.TokenCreateView.as_view(), name="token_create"),
    path("profile/calendar/reset/", views.CalendarResetView.as_view(), name="calendar_reset"),
    path("profile/tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(),
         name="token_revoke"),
    path("language/", views.SetLanguageView.as_view(), name="set_language"),
]

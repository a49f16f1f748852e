"""Sign-in backends: the lockout check, and Django's ModelBackend loading with the user
whether a second factor is due."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from apps.accounts.mfa import with_mfa_state


class AccountBackend(ModelBackend):
    """Reads ``mfa_required`` / ``has_second_factor`` inputs in the query that loads the session
    user, so the second-factor middleware adds no query to any page."""

    def get_user(self, user_id):
        from apps.accounts.models import User

        user = with_mfa_state(User._default_manager.all()).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in that comes with a request (the sign-in
    page, the admin's, the password confirmations). A call without a request is not a sign-in
    by a client (management code, the test client's ``login``): there is no one to lock out,
    so it passes to the next backend instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

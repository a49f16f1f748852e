"""Sign-in backends: the lockout check, and Django's ModelBackend loading with the user
whether a second factor is due."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from apps.accounts.mfa import with_mfa_state
from portal.prepared import Prepared


def _session_user(user_id):
    from apps.accounts.models import User

    return with_mfa_state(User._default_manager.all()).filter(pk=user_id)


# Every page of a signed-in person loads it: compiled once (portal.prepared).
_SESSION_USER = Prepared(_session_user, "user_id")


class AccountBackend(ModelBackend):
    """Reads ``mfa_required`` / ``has_second_factor`` inputs in the query that loads the session
    user, so the second-factor middleware adds no query to any page."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None  # a session written by something else
        found = _SESSION_USER.instances(user_id=user_id)
        user = found[0] if found else None
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

"""Django's ModelBackend, loading with the user whether a second factor is due."""

from django.contrib.auth.backends import ModelBackend

from apps.accounts.mfa import with_mfa_state


class AccountBackend(ModelBackend):
    """Reads ``mfa_required`` / ``has_second_factor`` inputs in the query that loads the session
    user, so the second-factor middleware adds no query to any page."""

    def get_user(self, user_id):
        from apps.accounts.models import User

        user = with_mfa_state(User._default_manager.all()).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

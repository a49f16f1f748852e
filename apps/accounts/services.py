"""Writes on accounts: token issue and revocation."""

from django.utils import timezone

from apps.accounts.models import ApiToken, User, hash_token


def token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with the clear key, which is shown once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name or "API", prefix=key[:10], key_hash=hash_token(key)
    )
    return token, key


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])

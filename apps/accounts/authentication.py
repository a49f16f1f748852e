"""`Authorization: Token <key>` against hashed, revocable, expiring tokens.

A token works only while it is neither revoked nor expired, its owner's account is active, and
the owner still has an active membership somewhere: suspending, removing or letting someone
leave (by any path) stops their tokens on the next request. Memberships are read at request
time, in the query that finds the token, through ``apps.get_model`` (``communities`` is above
``accounts`` and is never imported here).
"""

from datetime import timedelta

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from apps.accounts.api.mixins import activate_user_preferences
from apps.accounts.models import ApiToken, hash_token

LAST_USED_PRECISION = timedelta(minutes=1)


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        now = timezone.now()
        membership = apps.get_model("communities", "Membership")
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True, expires_at__gt=now)
            .annotate(owner_is_member=Exists(
                membership.objects.filter(user=OuterRef("user"), status="active")))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if not token.owner_is_member:
            raise exceptions.AuthenticationFailed(
                _("This token's owner has no active membership any more.")
            )
        # Record use at most once a minute, so a busy client does not write on every call; the
        # filter makes concurrent requests write once.
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
            ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
        return token.user, token


class TokenOrSessionMixin:
    """For the plain views that scripts fetch as well as browsers (a meeting's calendar, a
    report, a download): an `Authorization: Token …` header signs this one request in, under
    the same rules as the API; without the header, the session does. A bad token is a 401,
    never a silent fall-back to the session."""

    def dispatch(self, request, *args, **kwargs):
        if authentication.get_authorization_header(request).split()[:1] == [b"Token"]:
            try:
                found = HashedTokenAuthentication().authenticate(request)
            except exceptions.AuthenticationFailed as error:
                response = HttpResponse(str(error.detail), status=401,
                                        content_type="text/plain; charset=utf-8")
                response["WWW-Authenticate"] = "Token"
                return response
            if found is not None:
                request.user = found[0]
                activate_user_preferences(request, request.user)  # as the API does
        return super().dispatch(request, *args, **kwargs)

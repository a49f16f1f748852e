"""Each signed-in user sees the portal in their own language and time zone, and gives their
second factor before anything else when they must."""

import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))
        else:
            timezone.deactivate()
        return self.get_response(request)


# Pages a signed-in person may open before giving their second factor.
_ALWAYS_OPEN = frozenset({
    "accounts:logout",
    "accounts:set_language",
    "accounts:mfa_verify",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
    "digests:unsubscribe",  # the signed token in the e-mail is its own credential
})
# … and, while they have no second factor yet, the pages that enrol one.
_OPEN_FOR_ENROLMENT = frozenset({
    "accounts:mfa_setup",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
})


class SecondFactorRequiredMiddleware:
    """After the password, a person who must (or chose to) use a second factor sees nothing
    else until they give it: other pages redirect to the verification page (or to enrolment
    for the secretariat and superusers who have none yet), the API answers 403. The admin is
    covered like any page. API calls authenticated by a token are not concerned: the token is
    its own credential, issued from a verified session.

    The facts come with the user (AccountBackend annotates them), so this adds no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        decision = self._decide(request)
        if decision is None:
            return self.get_response(request)
        return decision

    def _decide(self, request):
        from apps.accounts import mfa

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        is_api = request.path_info.startswith("/api/")
        if is_api and request.headers.get("Authorization", "").lower().startswith("token "):
            # A call that carries a token is judged by the token alone, never by a session
            # that has not given its second factor.
            request.user = AnonymousUser()
            return None
        enrolled = mfa.has_second_factor(user)
        if not enrolled and not mfa.mfa_required(user):
            return None  # optional, and not chosen
        view = _view_name(request.path_info)
        if view in _ALWAYS_OPEN or (not enrolled and view in _OPEN_FOR_ENROLMENT):
            return None
        if is_api:
            message = (_("Confirm your sign-in with your second factor first.") if enrolled
                       else _("Set up a second factor first: your role requires one."))
            return JsonResponse({"detail": str(message)}, status=403)
        target = reverse("accounts:mfa_verify" if enrolled else "accounts:mfa_setup")
        next_url = request.get_full_path() if request.method == "GET" else ""
        if next_url:
            target += "?" + urlencode({"next": next_url})
        return HttpResponseRedirect(target)


def _view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""

"""Who is knocking: the client's address and the e-mail address a sign-in attempt names.

django-axes keys its lockouts on both (see AXES_* in the settings); the audit trail and any
other per-client limit can use ``client_ip`` too.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, which
    the client can only prepend to, never append to)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def attempted_username(request: HttpRequest, credentials: dict | None) -> str:
    """The e-mail address an attempt names, normalised as logins are stored (lower case), so
    that ``Alice@…`` and ``alice@…`` share one counter."""
    raw = ""
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD) or ""
    if not raw and request is not None and request.method == "POST":
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(raw).strip().lower()

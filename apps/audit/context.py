"""The request being served, for audit records written far from the view (services, selectors).

`AuditContextMiddleware` puts the current request in a context variable, so `record()` called
without ``request`` still knows who acts and from where. Outside a request (Celery, commands)
there is no context and the record names only what the caller passes.
"""

import contextvars
import ipaddress
from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class RequestContext:
    request: object
    # (action, target type id, target id) already recorded once during this request.
    recorded: set = field(default_factory=set)


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "renkei_audit_request", default=None
)


def current() -> RequestContext | None:
    return _current.get()


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind a proxy that the settings trust (``TRUST_X_FORWARDED_FOR``), the
    address that proxy appended last to X-Forwarded-For — the client can forge any entry
    before it, not that one."""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = _valid_ip(forwarded.split(",")[-1])
            if address:
                return address
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def user_agent(request) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:300]


class AuditContextMiddleware:
    """Place it after AuthenticationMiddleware; the user is read when a record is written
    (so an API token authenticated later by DRF counts too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(RequestContext(request=request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

"""Who must give a second factor, and what second factors a person has.

The rule: superusers and anyone with an active secretariat membership must use a second factor
(TOTP app or passkey); every other person may enrol one on their profile, and once enrolled is
asked for it at every sign-in. Recovery codes are a fallback, never a second factor on their own.

Memberships live in ``communities``, above ``accounts``: they are reached through the lazy
``user.memberships`` relation or ``apps.get_model``, never imported.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

SECRETARIAT = "secretariat"
ACTIVE = "active"
RECOVERY_DEVICE_NAME = "recovery codes"


def _totp_model():
    return apps.get_model("otp_totp", "TOTPDevice")


def _static_model():
    return apps.get_model("otp_static", "StaticDevice")


def _passkey_model():
    return apps.get_model("django_otp_webauthn", "WebAuthnCredential")


def with_mfa_state(queryset: QuerySet) -> QuerySet:
    """Annotate users with ``mfa_required`` and ``has_second_factor`` in the same query that
    loads them, so the check costs nothing per request (see AccountBackend.get_user)."""
    membership = apps.get_model("communities", "Membership")
    return queryset.annotate(
        mfa_secretariat=Exists(membership.objects.filter(
            user=OuterRef("pk"), status=ACTIVE, role=SECRETARIAT)),
        mfa_totp=Exists(_totp_model().objects.filter(user=OuterRef("pk"), confirmed=True)),
        mfa_passkey=Exists(_passkey_model().objects.filter(user=OuterRef("pk"), confirmed=True)),
    )


def mfa_required(user) -> bool:
    """Superusers and active secretariat members may not work without a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    annotated = getattr(user, "mfa_secretariat", None)
    if annotated is not None:
        return bool(annotated)
    return user.memberships.filter(status=ACTIVE, role=SECRETARIAT).exists()


def has_second_factor(user) -> bool:
    """A confirmed TOTP device or passkey (recovery codes alone do not count)."""
    if not user.is_authenticated:
        return False
    totp, passkey = getattr(user, "mfa_totp", None), getattr(user, "mfa_passkey", None)
    if totp is not None and passkey is not None:
        return bool(totp or passkey)
    return (_totp_model().objects.filter(user=user, confirmed=True).exists()
            or _passkey_model().objects.filter(user=user, confirmed=True).exists())


def totp_devices(user) -> QuerySet:
    return _totp_model().objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def passkeys(user) -> QuerySet:
    return _passkey_model().objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def recovery_device(user):
    """The user's recovery codes (a django-otp static device), or None."""
    return (_static_model().objects.filter(user=user, confirmed=True)
            .filter(Q(name=RECOVERY_DEVICE_NAME)).first())


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device is not None else 0

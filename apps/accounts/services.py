"""Writes on accounts: API tokens, and the second factors (TOTP, recovery codes)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import mfa
from apps.accounts.models import ApiToken, User, hash_token, new_calendar_secret


def token_issue(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token valid for ``days`` days (default API_TOKEN_DEFAULT_DAYS, at most
    API_TOKEN_MAX_DAYS) and return it with the clear key, shown once and never stored."""
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token is valid for 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS},
            code="token_days",
        )
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name or "API", prefix=key[:10], key_hash=hash_token(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, key


def calendar_secret_reset(*, user: User) -> None:
    """A new address for the user's calendar feed: the old one stops working at once (for a
    link shared by mistake, or a calendar program no longer trusted)."""
    user.calendar_secret = new_calendar_secret()
    user.save(update_fields=["calendar_secret"])


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


# --- second factors ----------------------------------------------------------------------


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator-app device being set up: the same one while the person
    reloads the page, a new key once it has been confirmed or removed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"),
                                           confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device_id: int, code: str) -> TOTPDevice | None:
    """Confirm the device if ``code`` is the one it shows now; None if it is not."""
    device = (TOTPDevice.objects.select_for_update()
              .filter(pk=device_id, user=user, confirmed=False).first())
    if device is None or not device.verify_token(normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Leftover unconfirmed keys (other tabs) are useless now.
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return device


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODE_COUNT new single-use ones and
    return them (shown once; a used code is deleted by django-otp)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=mfa.RECOVERY_DEVICE_NAME,
                                         confirmed=True)
    codes = [StaticToken.random_token() for _n in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: User, code: str):
    """The device that accepts ``code`` (six digits: an authenticator app; otherwise a
    recovery code), or None. Each device throttles its own failures (django-otp): every wrong
    code doubles the wait before the next one is even checked."""
    code = normalise_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def second_factor_throttled(*, user: User) -> bool:
    """True while every device the person could use is waiting after wrong codes."""
    devices = [*TOTPDevice.objects.filter(user=user, confirmed=True),
               *StaticDevice.objects.filter(user=user, confirmed=True)]
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


@transaction.atomic
def second_factor_remove(*, user: User, kind: str, device_id: int) -> bool:
    """Remove one of the person's authenticator apps or passkeys. When none is left, the
    recovery codes go too (they are a fallback for a second factor, not one)."""
    model = {"totp": TOTPDevice, "passkey": mfa.passkeys(user).model}.get(kind)
    if model is None:
        return False
    deleted, _detail = model.objects.filter(user=user, pk=device_id).delete()
    if deleted and not (mfa.totp_devices(user).exists() or mfa.passkeys(user).exists()):
        StaticDevice.objects.filter(user=user).delete()
    return bool(deleted)


def normalise_code(code: str) -> str:
    """Codes are typed with spaces or hyphens and in any case; tokens are stored without."""
    return "".join((code or "").split()).replace("-", "").lower()

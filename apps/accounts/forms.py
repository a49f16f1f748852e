import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User, validate_time_zone

# The zones members of Japanese communities live and travel in: Tokyo first, then by offset.
COMMON_TIME_ZONES = [
    "Asia/Tokyo", "UTC", "Asia/Seoul", "Asia/Shanghai", "Asia/Taipei", "Asia/Hong_Kong",
    "Asia/Manila", "Asia/Singapore", "Asia/Bangkok", "Asia/Jakarta", "Asia/Ho_Chi_Minh",
    "Asia/Kolkata", "Asia/Dubai", "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu",
    "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
]


def _zone_label(name: str) -> str:
    offset = datetime.datetime.now(zoneinfo.ZoneInfo(name)).strftime("%z")
    return f"{name} (UTC{offset[:3]}:{offset[3:]})"


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """The common zones, Asia/Tokyo first, and the person's own zone if it is another."""
    names = list(COMMON_TIME_ZONES)
    if current and current not in names and current in zoneinfo.available_timezones():
        names.append(current)
    return [(name, _zone_label(name)) for name in names]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times in the portal and in your e-mails are shown in it."),
    )

    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone", "digest_frequency",
                  "notices_by_email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        validate_time_zone(value)  # zoneinfo knows it, whatever the list offers
        return value


def token_lifetime_choices() -> list[tuple[int, str]]:
    days = sorted({30, settings.API_TOKEN_DEFAULT_DAYS, 180, settings.API_TOKEN_MAX_DAYS})
    return [(n, _("%(days)d days") % {"days": n}) for n in days]


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("What will use it, e.g. “SIEM integration”."))
    days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, choices=token_lifetime_choices, required=False,
        empty_value=None,
        help_text=_("The token stops working after this; create a new one before it does."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery "
                    "codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "spellcheck": "false", "autocapitalize": "off"}),
    )


class TotpConfirmForm(forms.Form):
    device = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code shown by the app"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )


class PasswordConfirmForm(forms.Form):
    """Asked again before a change that weakens or replaces a second factor."""

    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        # Through authenticate(), so that django-axes counts wrong passwords here too.
        password = self.cleaned_data["password"]
        user = self.request.user
        checked = authenticate(self.request, username=user.email, password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError(_("The password is not correct."), code="password")
        return password

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone", "digest_frequency",
                  "notices_by_email"]


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

"""Sign-in, second factor, profile, tokens and language: the person's own settings."""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django.views.i18n import set_language
from django_otp import login as otp_login

from apps.accounts import mfa
from apps.accounts.forms import (
    PasswordConfirmForm,
    ProfileForm,
    SecondFactorForm,
    TokenCreateForm,
    TotpConfirmForm,
)
from apps.accounts.qr import qr_svg
from apps.accounts.services import (
    calendar_secret_reset,
    recovery_codes_generate,
    second_factor_remove,
    second_factor_throttled,
    second_factor_verify,
    token_issue,
    token_revoke,
    totp_enrolment_confirm,
    totp_enrolment_start,
)


def _safe_next(request, fallback: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback or reverse(settings.LOGIN_REDIRECT_URL)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer while an (e-mail, IP address) pair is locked out: the sign-in page
    again, saying in the reader's language that there were too many attempts and when to try
    again. The password is never checked meanwhile, right or wrong."""
    retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    form = AuthenticationForm(request, data=request.POST or None)
    context = {
        "form": form,
        "locked_out": True,
        "retry_at": retry_at,
        "retry_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": request.POST.get("next", ""),
    }
    return render(request, "accounts/login.html", context, status=429)


# --- profile and tokens ------------------------------------------------------------------


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.setdefault("form", ProfileForm(instance=user))
        context.setdefault("token_form", TokenCreateForm())
        context.setdefault("confirm_form", PasswordConfirmForm(request=self.request))
        context["tokens"] = user.api_tokens.all()
        context["totp_devices"] = mfa.totp_devices(user)
        context["passkeys"] = mfa.passkeys(user)
        context["recovery_codes_left"] = mfa.recovery_codes_left(user)
        context["has_recovery_codes"] = mfa.recovery_device(user) is not None
        context["has_second_factor"] = mfa.has_second_factor(user)
        context["mfa_required"] = mfa.mfa_required(user)
        context["token_max_days"] = settings.API_TOKEN_MAX_DAYS
        return context

    def post(self, request):
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your settings were saved."))
            return redirect("accounts:profile")
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(never_cache, name="dispatch")
class TokenCreateView(ProfileView):
    """The new key is in this answer only: rendered into the page, never put in a message
    (messages live in a cookie), the session or a redirect, and never cached."""

    def get(self, request, *args, **kwargs):
        return redirect("accounts:profile")

    def post(self, request):
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(token_form=form), status=400)
        token, key = token_issue(user=request.user, name=form.cleaned_data["name"],
                                 days=form.cleaned_data["days"])
        return self.render_to_response(
            self.get_context_data(new_token=token, new_key=key), status=201
        )


class CalendarResetView(LoginRequiredMixin, View):
    def post(self, request):
        calendar_secret_reset(user=request.user)
        messages.success(request, _("Your calendar link was replaced: the old one no longer "
                                    "works. Give the new one to your calendar program."))
        return redirect(reverse("accounts:profile") + "#calendar")


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(request.user.api_tokens, pk=pk)
        token_revoke(token=token)
        messages.success(request, _("Token revoked."))
        return redirect("accounts:profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# --- second factor -----------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class SecondFactorVerifyView(LoginRequiredMixin, View):
    """After the password: a code from the authenticator app, a recovery code, or a passkey."""

    template_name = "accounts/mfa_verify.html"

    def _render(self, request, form, status=200):
        context = {
            "form": form,
            "next": _safe_next(request),
            "has_totp": mfa.totp_devices(request.user).exists(),
            "has_passkey": mfa.passkeys(request.user).exists(),
            "recovery_codes_left": mfa.recovery_codes_left(request.user),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        if request.user.is_verified():
            return HttpResponseRedirect(_safe_next(request))
        if not mfa.has_second_factor(request.user):
            return redirect("accounts:mfa_setup")
        return self._render(request, SecondFactorForm())

    def post(self, request):
        form = SecondFactorForm(request.POST)
        if form.is_valid():
            # Judged before this attempt, which itself starts a short wait when it is wrong.
            throttled = second_factor_throttled(user=request.user)
            device = second_factor_verify(user=request.user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                # A new session key once the second factor is given, as at sign-in.
                request.session.cycle_key()
                return HttpResponseRedirect(_safe_next(request))
            if throttled:
                form.add_error("code", _("Too many wrong codes: wait a minute, then try "
                                         "again with a new code."))
            else:
                form.add_error("code", _("This code is not correct or was already used."))
        return self._render(request, form, status=400)


@method_decorator(never_cache, name="dispatch")
class SecondFactorSetupView(LoginRequiredMixin, View):
    """Enrol an authenticator app (QR code drawn here as SVG, no outside service) or a passkey.

    Reached on the way in by those who must have a second factor and have none, and from the
    profile by anyone. With a second factor already, the session must have used one.
    """

    template_name = "accounts/mfa_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if (request.user.is_authenticated and mfa.has_second_factor(request.user)
                and not request.user.is_verified()):
            return redirect("accounts:mfa_verify")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form=None, status=200):
        device = totp_enrolment_start(user=request.user)
        secret = b32encode(device.bin_key).decode()
        context = {
            "totp_form": form or TotpConfirmForm(initial={"device": device.pk}),
            "qr_svg": qr_svg(device.config_url),
            "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
            "mfa_required": mfa.mfa_required(request.user),
            "has_second_factor": mfa.has_second_factor(request.user),
            "has_recovery_codes": mfa.recovery_device(request.user) is not None,
            "next": _safe_next(request),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._render(request)

    def post(self, request):
        form = TotpConfirmForm(request.POST)
        device = None
        if form.is_valid():
            device = totp_enrolment_confirm(user=request.user,
                                            device_id=form.cleaned_data["device"],
                                            code=form.cleaned_data["code"])
            if device is None:
                form.add_error("code", _("This code does not match: check the time on your "
                                         "phone and enter the code the app shows now."))
        if device is None:
            return self._render(request, form, status=400)
        if not request.user.is_verified():
            otp_login(request, device)
            request.session.cycle_key()
        messages.success(request, _("Your authenticator app is set up."))
        if mfa.recovery_device(request.user) is None:
            return _render_recovery_codes(request, recovery_codes_generate(user=request.user))
        return HttpResponseRedirect(_safe_next(request, reverse("accounts:profile")))


def _render_recovery_codes(request, codes: list[str]):
    response = render(request, "accounts/recovery_codes.html",
                      {"codes": codes,
                       "next": _safe_next(request, reverse("accounts:profile"))}, status=201)
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(LoginRequiredMixin, View):
    """New recovery codes, shown once. Replacing existing ones asks for the password again."""

    def get(self, request):
        return redirect("accounts:profile")

    def post(self, request):
        if not request.user.is_verified():
            return redirect("accounts:mfa_verify")
        if mfa.recovery_device(request.user) is not None:
            form = PasswordConfirmForm(request.POST, request=request)
            if not form.is_valid():
                messages.error(request, _("The password is not correct: the recovery codes "
                                          "were not changed."))
                return redirect("accounts:profile")
        return _render_recovery_codes(request, recovery_codes_generate(user=request.user))


class SecondFactorRemoveView(LoginRequiredMixin, View):
    """Remove an authenticator app or a passkey, after the password is given again."""

    def post(self, request, kind, pk):
        if not request.user.is_verified():
            return redirect("accounts:mfa_verify")
        form = PasswordConfirmForm(request.POST, request=request)
        if not form.is_valid():
            messages.error(request, _("The password is not correct: nothing was removed."))
            return redirect("accounts:profile")
        if not second_factor_remove(user=request.user, kind=kind, device_id=pk):
            raise Http404
        messages.success(request, _("The second factor was removed."))
        return redirect("accounts:profile")


# --- language ----------------------------------------------------------------------------


class SetLanguageView(View):
    """Django's set_language, and for a signed-in user the choice is kept on the profile."""

    def post(self, request):
        language = request.POST.get("language")
        if request.user.is_authenticated and language in ("ja", "en"):
            request.user.language = language
            request.user.save(update_fields=["language"])
        response = set_language(request)
        if not isinstance(response, HttpResponseRedirect):
            next_url = request.POST.get("next", "/")
            safe = url_has_allowed_host_and_scheme(next_url, {request.get_host()})
            return HttpResponseRedirect(next_url if safe else "/")
        return response

"""Sign-in, profile and language: the person's own settings."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.i18n import set_language

from apps.accounts.forms import ProfileForm, TokenCreateForm
from apps.accounts.services import token_issue, token_revoke


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ProfileForm(instance=self.request.user))
        context.setdefault("token_form", TokenCreateForm())
        context["tokens"] = self.request.user.api_tokens.all()
        return context

    def post(self, request):
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your settings were saved."))
            return redirect("accounts:profile")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TokenCreateView(LoginRequiredMixin, View):
    def post(self, request):
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the token a name."))
            return redirect("accounts:profile")
        _token, key = token_issue(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("New token (copy it now, it will not be shown again): %(key)s")
                         % {"key": key})
        return redirect("accounts:profile")


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(request.user.api_tokens, pk=pk)
        token_revoke(token=token)
        messages.success(request, _("Token revoked."))
        return redirect("accounts:profile")


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

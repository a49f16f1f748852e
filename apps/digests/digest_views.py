"""The digest's own page: one-click unsubscribe (RFC 8058). The link in every digest carries
a signed token, so it works without a session: a GET shows a confirmation, a POST — the
mail program's one-click request, or the confirmation's button — turns the digest off. How
often it comes is changed on the profile page."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from apps.digests.digests import digest_unsubscribe, language_of, unsubscribe_user


# A mail program posts "List-Unsubscribe=One-Click" with no cookie and no CSRF token: the
# signed token in the address is the credential.
@method_decorator(csrf_exempt, name="dispatch")
class DigestUnsubscribeView(View):
    def _member(self, token: str):
        member = unsubscribe_user(token)
        if member is None:
            raise Http404
        return member

    def _page(self, request, member, *, done: bool):
        with translation.override(language_of(member)):
            return render(request, "digests/digest/unsubscribe.html", {
                "member": member, "done": done,
                "profile_url": reverse("accounts:profile") + "#id_digest_frequency",
            })

    def get(self, request, token: str):
        return self._page(request, self._member(token), done=False)

    def post(self, request, token: str):
        member = self._member(token)
        digest_unsubscribe(user=member)
        return self._page(request, member, done=True)

"""The live audience count of the recipient picker: "N people will be able to see this".

Answered for the signed-in active member only (non-members get 404 from `CommunityMixin`),
from the same `AudienceForm` the save uses, so the preview never promises what the save
would refuse.
"""

from django.shortcuts import render
from django.views import View

from apps.communities.views import CommunityMixin
from apps.sharing.forms import AudienceForm


class AudienceCountView(CommunityMixin, View):
    """GET /c/<slug>/audience-count/?tlp=&organizations=&users=&federated= → an HTML
    fragment (htmx swaps it into the form); ``data-count`` carries the number."""

    def get(self, request, *args, **kwargs):
        form = AudienceForm(request.GET, community=self.community, author=request.user)
        count = form.count() if form.is_valid() else None
        return render(
            request,
            "sharing/_audience_count.html",
            {"audience_form": form, "audience_count": count, "community": self.community},
        )

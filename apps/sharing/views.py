"""The live audience count of the recipient picker: "N people will be able to see this".

Answered for the signed-in active member only (non-members get 404 from `CommunityMixin`),
from the same `AudienceForm` the save uses, so the preview never promises what the save
would refuse.
"""

from django.shortcuts import render
from django.views import View

from apps.communities.models import Membership
from apps.communities.views import CommunityMixin
from apps.sharing.forms import AudienceForm


class AudienceCountView(CommunityMixin, View):
    """GET /c/<slug>/audience-count/?tlp=&organizations=&users=&federated= → an HTML
    fragment (htmx swaps it into the form); ``data-count`` carries the number."""

    def get(self, request, *args, **kwargs):
        form = AudienceForm(request.GET, community=self.community, author=self.author())
        count = form.count() if form.is_valid() else None
        return render(
            request,
            "sharing/_audience_count.html",
            {"audience_form": form, "audience_count": count, "community": self.community},
        )

    def author(self):
        """Whose item the count is for: the signed-in member, or — for the secretariat
        editing someone else's item — that member of the community."""
        requested = self.request.GET.get("author", "")
        if requested.isdigit() and self.membership.is_secretariat:
            member = (
                Membership.objects.select_related("user")
                .filter(community=self.community, user_id=int(requested))
                .first()
            )
            if member is not None:
                return member.user
        return self.request.user

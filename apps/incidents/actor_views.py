"""Pages of threat actors and campaigns under /c/<slug>/actors/ and /c/<slug>/campaigns/.

Active members of the community only (`CommunityMixin`: anyone else gets the community's
404). The incidents each page lists and counts come from `actor_selectors`, which read them
through `incidents_visible_to` — the page never decides visibility itself.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.communities.views import CommunityMixin
from apps.incidents import actor_selectors, actor_services
from apps.incidents.actor_forms import CampaignForm, ThreatActorForm
from apps.incidents.actors import Campaign, ThreatActor
from apps.sharing.selectors import source_organizations
from portal.forms import add_refusal

LIST_LIMIT = 200


class _Kind:
    """What differs between the actor and the campaign pages."""

    def __init__(self, model, form, create, update, listing, field):
        self.model, self.form, self.create, self.update = model, form, create, update
        self.listing, self.field = listing, field


KINDS = {
    "actor": _Kind(
        ThreatActor,
        ThreatActorForm,
        actor_services.threat_actor_create,
        actor_services.threat_actor_update,
        actor_selectors.threat_actors_for,
        "actor",
    ),
    "campaign": _Kind(
        Campaign,
        CampaignForm,
        actor_services.campaign_create,
        actor_services.campaign_update,
        actor_selectors.campaigns_for,
        "campaign",
    ),
}


def _record(kind: _Kind, community, pk):
    record = kind.model.objects.filter(community=community, pk=pk).first()
    if record is None:
        raise Http404
    return record


class RecordListView(CommunityMixin, TemplateView):
    kind = "actor"

    def get_template_names(self):
        return [f"incidents/{self.kind}_list.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "").strip()
        records = list(
            KINDS[self.kind].listing(self.request.user, self.community, q=q)[:LIST_LIMIT]
        )
        context.update(
            records=records,
            q=q,
            can_create=actor_services.actor_may_create(
                user=self.request.user, community=self.community
            ),
        )
        return context


class RecordDetailView(CommunityMixin, TemplateView):
    kind = "actor"

    def get_template_names(self):
        return [f"incidents/{self.kind}_detail.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = KINDS[self.kind]
        record = _record(kind, self.community, self.kwargs["pk"])
        user = self.request.user
        incidents = list(
            actor_selectors.incidents_mentioning(user, **{kind.field: record}).select_related(
                "community", "author_organization"
            )[:LIST_LIMIT]
        )
        sources = source_organizations(incidents, user)
        context.update(
            record=record,
            rows=[(incident, sources[incident.pk]) for incident in incidents],
            can_change=actor_services.actor_may_change(user=user, record=record),
        )
        if self.kind == "actor":
            context["campaigns"] = list(
                actor_selectors.campaigns_for(user, self.community).filter(actor=record)
            )
        return context


class RecordFormView(CommunityMixin, View):
    """Create (no pk) or edit (pk) an actor or a campaign."""

    kind = "actor"

    def setup_record(self):
        kind = KINDS[self.kind]
        self.record = None
        if "pk" in self.kwargs:
            self.record = _record(kind, self.community, self.kwargs["pk"])
            if not actor_services.actor_may_change(user=self.request.user, record=self.record):
                raise PermissionDenied(_("Only its creator or the secretariat can change it."))
        elif not actor_services.actor_may_create(user=self.request.user, community=self.community):
            raise PermissionDenied(
                _("Only members who share in this community can add actors and campaigns.")
            )
        return kind

    def form(self, kind, data=None):
        extra = {"community": self.community} if self.kind == "campaign" else {}
        return kind.form(data, instance=self.record, **extra)

    def get(self, request, *args, **kwargs):
        kind = self.setup_record()
        return self.render(self.form(kind))

    def post(self, request, *args, **kwargs):
        kind = self.setup_record()
        form = self.form(kind, request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        data = dict(form.cleaned_data)
        try:
            if self.record is None:
                record = kind.create(user=request.user, community=self.community, **data)
            else:
                record = kind.update(user=request.user, **{kind.field: self.record}, **data)
        except ValidationError as error:
            add_refusal(error, form)
            return self.render(form, status=400)
        messages.success(request, _("Saved."))
        return redirect(f"incidents:{self.kind}", self.community.slug, record.pk)

    def render(self, form, status=200):
        context = {
            "community": self.community,
            "membership": self.membership,
            "form": form,
            "record": self.record,
            "kind": self.kind,
        }
        return render(self.request, "incidents/actor_form.html", context, status=status)

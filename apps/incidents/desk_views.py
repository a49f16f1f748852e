"""Pages of the incident desk, the relays through the secretariat and the reciprocity
table. Views stay thin: writes in `apps.incidents.desk` and `apps.incidents.relay_services`,
reads through `relays_visible_to` (a relay the reader may not see is a 404, as one that does
not exist) and `apps.incidents.reciprocity`."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.communities.desk import desk_of, desk_people
from apps.communities.views import CommunityMixin, SecretariatMixin
from apps.incidents.desk import desk_report
from apps.incidents.models import Category
from apps.incidents.reciprocity import COLUMNS, SORTS, reciprocity
from apps.incidents.relay_services import relay_decline, relay_publish, relay_submit
from apps.incidents.relays import RelayStatus, relays_visible_to
from apps.sharing.forms import AudienceForm
from apps.sharing.selectors import can_view
from apps.sharing.services import SHARING_ROLES
from portal.forms import add_refusal


class ReportForm(forms.Form):
    """Short on purpose: what, how bad, since when — the desk asks the rest."""

    title = forms.CharField(label=gettext_lazy("What is happening, in a line"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Details"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What you saw, when, which systems; how to reach you."),
    )
    category = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Category.choices,
                                 initial=Category.OTHER)


class RelayForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    summary = forms.CharField(label=gettext_lazy("What happened"),
                              widget=forms.Textarea(attrs={"rows": 10}),
                              help_text=gettext_lazy("Markdown"))
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices,
                                 initial=Category.OTHER)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason, for the member"),
                             widget=forms.Textarea(attrs={"rows": 3}))


def _findings(error, request) -> list:
    checked = set(request.POST.getlist("confirmed"))
    return [(f, f.match in checked) for f in getattr(error, "findings", None) or []]


def _confirmed(request) -> list[str]:
    return [value for value in request.POST.getlist("confirmed") if value]


# --- the incident desk ----------------------------------------------------------------------


class DeskReportView(CommunityMixin, View):
    """ "Report an incident now": a TLP:RED item to the desk's people."""

    template_name = "incidents/desk/report.html"

    def render(self, form, status=200, findings=()):
        people = list(desk_people(self.community))
        return render(self.request, self.template_name, {
            "community": self.community, "membership": self.membership, "form": form,
            "desk": desk_of(self.community), "desk_people": people,
            "can_report": bool(people) and self.membership.role in SHARING_ROLES,
            "findings": findings,
        }, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(ReportForm())

    def post(self, request, *args, **kwargs):
        form = ReportForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            incident = desk_report(reporter=request.user, community=self.community,
                                   confirmed_exposures=_confirmed(request), **form.cleaned_data)
        except ValidationError as error:
            add_refusal(error, form, skip=("exposures",))
            return self.render(form, status=400, findings=_findings(error, request))
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.render(form, status=403)
        messages.success(request, _("Reported: the incident desk was told."))
        return redirect("incidents:detail", self.community.slug, incident.pk)


# --- relays through the secretariat ---------------------------------------------------------


def relay_for(user, community, pk):
    relay = relays_visible_to(user, community).filter(pk=pk).select_related(
        "member", "organization", "decided_by").first()
    if relay is None:
        raise Http404
    return relay


class RelayListView(CommunityMixin, TemplateView):
    """The secretariat's queue (every relay of the community), or a member's own relays."""

    template_name = "incidents/relays/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        relays = relays_visible_to(self.request.user, self.community)
        if not self.membership.is_secretariat:
            relays = relays.filter(member=self.request.user)
        context["relays"] = list(relays.select_related("member", "organization")[:200])
        context["can_submit"] = self.membership.role in SHARING_ROLES
        return context


class RelayCreateView(CommunityMixin, View):
    template_name = "incidents/relays/form.html"

    def render(self, form, status=200):
        return render(self.request, self.template_name, {
            "community": self.community, "membership": self.membership, "form": form,
        }, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(RelayForm())

    def post(self, request, *args, **kwargs):
        form = RelayForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            relay = relay_submit(member=request.user, community=self.community,
                                 **form.cleaned_data)
        except ValidationError as error:
            add_refusal(error, form)
            return self.render(form, status=400)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.render(form, status=403)
        messages.success(request, _("Handed to the secretariat. You will see here what "
                                    "becomes of it."))
        return redirect("incidents:relay", self.community.slug, relay.pk)


class RelayDetailView(CommunityMixin, View):
    """The member's status page; for the secretariat, also the text to redact, the audience
    to choose, and the decline form."""

    template_name = "incidents/relays/detail.html"

    def audience_form(self, data=None):
        return AudienceForm(data, community=self.community, author=self.request.user,
                            author_organization=self.membership.organization)

    def render(self, relay, publish_form=None, audience_form=None, decline_form=None,
               findings=(), status=200):
        deciding = self.membership.is_secretariat and relay.status == RelayStatus.PENDING
        context = {"community": self.community, "membership": self.membership,
                   "relay": relay, "deciding": deciding,
                   "incident_visible": relay.incident is not None
                   and can_view(self.request.user, relay.incident)}
        if deciding:
            audience_form = audience_form or self.audience_form()
            context.update(
                form=publish_form or RelayForm(initial={
                    "title": relay.title, "summary": relay.summary,
                    "category": relay.category}),
                audience_form=audience_form,
                audience_count=audience_form.shown_count(),
                fixed_organization=self.membership.organization,
                fixed_user=self.request.user,
                decline_form=decline_form or DeclineForm(),
                findings=findings,
            )
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(relay_for(request.user, self.community, kwargs["pk"]))

    def post(self, request, *args, **kwargs):
        relay = relay_for(request.user, self.community, kwargs["pk"])
        if not self.membership.is_secretariat:
            raise Http404
        if request.POST.get("decision") == "decline":
            return self.decline(relay)
        return self.publish(relay)

    def publish(self, relay):
        form, audience_form = RelayForm(self.request.POST), self.audience_form(self.request.POST)
        if not (form.is_valid() and audience_form.is_valid()):
            return self.render(relay, form, audience_form, status=400)
        try:
            incident = relay_publish(
                relay=relay, actor=self.request.user, confirmed_exposures=_confirmed(self.request),
                **form.cleaned_data, **audience_form.choice(audience_form.cleaned_data))
        except ValidationError as error:
            add_refusal(error, form, audience_form, skip=("exposures",))
            return self.render(relay, form, audience_form, status=400,
                               findings=_findings(error, self.request))
        messages.success(self.request, _("Published as the community's, via the secretariat."))
        return redirect("incidents:detail", self.community.slug, incident.pk)

    def decline(self, relay):
        form = DeclineForm(self.request.POST)
        if form.is_valid():
            try:
                relay_decline(relay=relay, actor=self.request.user, **form.cleaned_data)
            except ValidationError as error:
                add_refusal(error, form)
            else:
                messages.success(self.request, _("Declined: the member sees your reason."))
                return redirect("incidents:relays", self.community.slug)
        return self.render(relay, decline_form=form, status=400)


# --- reciprocity ----------------------------------------------------------------------------

PERIODS = (30, 90, 180, 365)


class ReciprocityView(SecretariatMixin, TemplateView):
    """Per member organisation, what it gave and what it read: counts only."""

    template_name = "incidents/reciprocity.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            days = int(self.request.GET.get("days", 90))
        except ValueError:
            days = 90
        days = days if days in PERIODS else 90
        sort = self.request.GET.get("sort", "name")
        sort = sort if sort.lstrip("-") in SORTS else "name"
        since = timezone.now() - datetime.timedelta(days=days)
        context.update(
            rows=list(reciprocity(self.community, since=since, sort=sort)),
            days=days, periods=PERIODS, sort=sort, since=since,
            columns=[(name, _COLUMN_LABELS[name]) for name in ("name", *COLUMNS)],
        )
        return context


_COLUMN_LABELS = {
    "name": gettext_lazy("Organisation"),
    "shared": gettext_lazy("Incidents shared"),
    "relayed": gettext_lazy("Relayed via the secretariat"),
    "sightings": gettext_lazy("Sightings"),
    "feedback": gettext_lazy("Feedback given"),
    "read": gettext_lazy("Incidents read"),
}

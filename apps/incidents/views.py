"""Incident pages under /c/<slug>/incidents/: list with filters and search, detail, and the
create / edit form with the recipient picker.

Views stay thin: visibility comes from `apps.sharing` (`visible_to` before anything else),
writes from `apps.incidents.services`. An incident the user may not see is a 404, exactly
like one that does not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.communities.models import Community, Sector
from apps.communities.views import CommunityMixin, CommunityReadMixin
from apps.incidents import actor_selectors, selectors, services
from apps.incidents.actor_forms import IncidentNoteForm
from apps.incidents.filters import IncidentFilter
from apps.incidents.forms import FeedbackForm, IncidentForm, SightingForm
from apps.incidents.list_visits import ListName, list_visit
from apps.incidents.models import Incident
from apps.sharing.auditing import item_viewed
from apps.sharing.forms import AudienceForm
from apps.sharing.selectors import (
    addressed_to,
    may_change,
    recipients_of,
    source_organizations,
    visible_one,
    visible_to,
)
from apps.sharing.services import SHARING_ROLES
from apps.sharing.sorting import Sort, sort_of, sorted_request_page
from portal.forms import add_refusal


def federated_with(community):
    """The communities that share a federation with ``community``."""
    return Community.objects.filter(federations__communities=community)


def listed_here(community):
    """The incidents this community's pages list: its own, and those that communities
    federated with it opened to the federation — before visibility, which `sharing` applies."""
    partners = federated_with(community).values("pk")
    return Incident.objects.filter(Q(community=community) | Q(federated=True,
                                                              community_id__in=partners))


def incidents_for(user, community):
    """The incidents ``user`` may see from this community's pages. `visible_to` decides; the
    community scope only says where they are listed."""
    return visible_to(user, listed_here(community))


def incident_for(user, community, pk) -> Incident:
    try:
        return visible_one(user, listed_here(community), pk).select_related(
            "author_organization").get()
    except Incident.DoesNotExist:
        raise Http404 from None


class IncidentListView(CommunityReadMixin, TemplateView):
    """Open to anyone: a signed-out visitor or a non-member reads what `visible_to` gives
    them (TLP:CLEAR), and a non-member who may see nothing here gets a 404. Pages come from
    `sharing.pages` (keyset cursors, capped count)."""

    template_name = "incidents/incident_list.html"
    paginate_by = 25
    # The first is the default: the audience rows' own order. Last activity: the last change.
    sorts = (
        Sort("newest", gettext_lazy("Newest"), "created_at"),
        Sort("activity", gettext_lazy("Last activity"), "updated_at"),
        Sort("label", gettext_lazy("Label"), "created_at", by_label=True),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        self.require_known(incidents_for(user, self.community))
        filterset = IncidentFilter(
            self.request.GET or None, queryset=listed_here(self.community), request=self.request
        )
        sort = sort_of(self.request.GET, self.sorts)
        listing = sorted_request_page(
            user,
            filterset.qs,
            self.request.GET,
            sort=sort,
            size=self.paginate_by,
            decorate=lambda rows: selectors.with_counts(
                rows.select_related("author_organization", "community")
            ),
            scope={"communities": [self.community.pk,
                                   *federated_with(self.community).values_list("pk", flat=True)],
                   **(filterset.audience_scope() if filterset.is_valid() else {})},
        )
        sources = source_organizations(listing.items, user)
        query = self.request.GET.copy()
        query.pop("cursor", None)
        # Marked new: shared since the member's previous visit of the list.
        new_since = list_visit(user=user, community=self.community,
                               list_name=ListName.INCIDENTS)
        for incident in listing.items:
            incident.is_new = new_since is not None and incident.created_at > new_since
        context.update(
            sorts=self.sorts,
            sort=sort,
            kept_for_search=[(name, value) for name, values in query.lists()
                             if name != "q" for value in values],
            listing=listing,
            incidents=listing.items,
            rows=[(incident, sources[incident.pk]) for incident in listing.items],
            filter=filterset,
            can_share=self.membership is not None and self.membership.role in SHARING_ROLES,
            query_string=query.urlencode(),
        )
        return context


class IncidentDetailView(CommunityReadMixin, TemplateView):
    template_name = "incidents/incident_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        incident = incident_for(user, self.community, self.kwargs["pk"])
        services.incident_record_view(incident=incident, user=user)
        item_viewed(item=incident, viewer=user)
        context.update(detail_context(user, self.membership, incident))
        context["update_form"] = IncidentNoteForm()
        return context


def detail_context(user, membership, incident) -> dict:
    """The detail page's context with its forms and its indicator table (the table's
    own views render the page with it when something is to correct or confirm)."""
    from apps.incidents.indicator_views import indicator_section

    context = incident_context(user, membership, incident)
    context.update(indicator_section(user, incident))
    context["sighting_form"] = SightingForm(indicators=context["indicators"])
    context["feedback_form"] = FeedbackForm(incident=incident)
    return context


def incident_context(user, membership, incident) -> dict:
    """What the detail page shows, each part read through the domain selectors (which start
    from `visible_to`)."""
    source = source_organizations([incident], user)[incident.pk]
    editable = may_change(user, incident)
    # ``membership`` is None for a reader who is not an active member here (signed out, or
    # reading what is public): they read, and do nothing else.
    sightings = list(
        selectors.sightings_visible_to(user)
        .filter(incident=incident)
        .select_related("organization", "indicator")
        .order_by("-seen_at")
    )
    feedback = list(
        selectors.feedback_visible_to(user)
        .filter(incident=incident)
        .select_related("organization")
        .order_by("-created_at")
    )
    own_org = membership.organization_id if membership else None
    context = {
        "incident": incident,
        "source": source,
        "can_edit": editable,
        "techniques": list(incident.techniques.all()),
        "sector_labels": [Sector(value).label for value in incident.sectors if value in Sector],
        "indicators": list(
            selectors.indicators_visible_to(user)
            .filter(incident=incident)
            .order_by("type", "value")
        ),
        "sightings": sightings,
        "sighting_organizations": len({s.organization_id for s in sightings
                                       if not s.false_positive}),
        "false_positive_organizations": len({s.organization_id for s in sightings
                                             if s.false_positive}),
        "we_sighted": any(
            s.organization_id == own_org and s.indicator_id is None for s in sightings
        ),
        "feedback_counts": _feedback_counts(feedback),
        "our_feedback": {f.action for f in feedback if f.organization_id == own_org},
        "can_sight": membership is not None and membership.role in SHARING_ROLES,
        # A source does not answer its own item — where the reader is told it is theirs.
        # An anonymous item's page is the same for the author's colleagues as for anyone.
        "can_respond": membership is not None
        and not services.answers_own_item(user=user, incident=incident, organization_id=own_org),
        # The chosen audience names the source organisation on anonymous items: only those
        # who may know the source (author, secretariat) see it.
        "audience": recipients_of(incident) if editable and source is not None else None,
        "threads": _threads_about(user, incident),
        "actors": list(incident.actors.all()),
        "campaigns": list(incident.campaigns.all()),
        "timeline": actor_selectors.timeline_of(user, incident, source_told=source is not None),
        # What the sharing achieved, for its author: how many organisations opened it.
        "viewed_by": (
            selectors.viewed_by_count(incident) if incident.author_id == user.pk else None
        ),
    }
    if context["audience"] is not None:
        context["audience_organizations"] = incident.recipient_organizations.order_by("name")
        context["audience_users"] = incident.recipient_users.order_by("display_name", "email")
    return context


def _feedback_counts(feedback) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    labels = {}
    for item in feedback:
        counts[item.action] = counts.get(item.action, 0) + 1
        labels[item.action] = item.get_action_display()
    return [(labels[action], n) for action, n in counts.items()]


def _threads_about(user, incident) -> list:
    """Discussion threads about this incident that the reader may see. Discussions sit above
    incidents in the import order, so they are reached through the app registry."""
    from django.apps import apps

    try:
        thread = apps.get_model("discussions", "Thread")
    except LookupError:
        return []
    return list(
        visible_to(user, thread.objects.filter(incident_id=incident.pk))
        .select_related("community")
        .order_by("-pk")[:20]
    )


class IncidentActionView(CommunityMixin, View):
    """POST a sighting ("we saw this too") or usage feedback from the detail page."""

    def post(self, request, *args, **kwargs):
        incident = incident_for(request.user, self.community, kwargs["pk"])
        kind = kwargs["action"]
        try:
            if kind == "sighting":
                form = SightingForm(request.POST, indicators=incident.indicators.all())
                if not form.is_valid():
                    raise ValidationError(next(iter(form.errors.values())))
                data = dict(form.cleaned_data)
                services.sightings_record(user=request.user, incident=incident,
                                          indicators=data.pop("indicators", None) or (), **data)
                messages.success(request, _("Thank you: your sighting was recorded."))
            elif kind == "feedback":
                form = FeedbackForm(request.POST, incident=incident)
                if not form.is_valid():
                    raise ValidationError(next(iter(form.errors.values())))
                services.feedback_add(user=request.user, incident=incident, **form.cleaned_data)
                messages.success(request, _("Thank you: the author will see what you did."))
            elif kind == "update":
                form = IncidentNoteForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(next(iter(form.errors.values())))
                services.incident_note_add(
                    incident=incident, actor=request.user, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Update posted."))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        return redirect("incidents:detail", self.community.slug, incident.pk)


class IncidentFormView(CommunityMixin, View):
    """Create (no pk) or edit (pk). Nothing is saved until the incident, its audience and
    the victim-data check are all accepted; the domain service saves in one transaction."""

    template_name = "incidents/incident_form.html"

    def setup_objects(self):
        if self.membership.role not in SHARING_ROLES:
            raise PermissionDenied(
                _("Observers and guests see what is shared with them but do not share.")
            )
        self.incident = None
        if "pk" in self.kwargs:
            incident = incident_for(self.request.user, self.community, self.kwargs["pk"])
            if incident.community_id != self.community.pk:
                raise Http404
            if not may_change(self.request.user, incident):
                # Visible, so its existence is no secret: say why, as the thread page does.
                raise PermissionDenied(
                    _("Only the author or the secretariat can change who sees this item.")
                )
            self.incident = incident

    def forms(self, data=None):
        incident_form = IncidentForm(
            data, instance=self.incident, editor=self.request.user, community=self.community
        )
        if self.incident is not None:
            audience_form = AudienceForm.for_item(data, item=self.incident)
        else:
            audience_form = AudienceForm(
                data,
                community=self.community,
                author=self.request.user,
                author_organization=self.membership.organization,
            )
        return incident_form, audience_form

    def get(self, request, *args, **kwargs):
        self.setup_objects()
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        self.setup_objects()
        incident_form, audience_form = self.forms(request.POST)
        if not (incident_form.is_valid() and audience_form.is_valid()):
            return self.render(incident_form, audience_form, status=400)
        confirmed = [value for value in request.POST.getlist("confirmed") if value]
        try:
            incident = self.save(incident_form, audience_form, confirmed)
        except ValidationError as error:
            findings = getattr(error, "findings", None)  # `sharing.exposure.ExposureFound`
            # The findings are listed to confirm, not repeated as an error.
            add_refusal(error, incident_form, audience_form, skip=("exposures",))
            return self.render(incident_form, audience_form, findings=findings, status=400)
        except PermissionDenied as error:
            incident_form.add_error(None, str(error) or _("You cannot share this here."))
            return self.render(incident_form, audience_form, status=403)
        messages.success(request, _("Incident saved.") if self.incident else _("Incident shared."))
        return redirect("incidents:detail", self.community.slug, incident.pk)

    def save(self, incident_form, audience_form, confirmed) -> Incident:
        data = incident_form.cleaned_data
        fields = {name: data[name] for name in services.EDITABLE_FIELDS}
        choice = audience_form.choice(audience_form.cleaned_data)
        if self.incident is None:
            return services.incident_create(
                author=self.request.user,
                community=self.community,
                techniques=data["techniques"],
                actors=data.get("actors") or (),
                campaigns=data.get("campaigns") or (),
                indicators=data.get("indicators") or [],
                confirmed_exposures=confirmed,
                **fields,
                **choice,
            )
        return services.incident_update(
            incident=self.incident,
            actor=self.request.user,
            techniques=data["techniques"],
            actors=data.get("actors"),
            campaigns=data.get("campaigns"),
            confirmed_exposures=confirmed,
            **fields,
            **choice,
        )

    def render(self, incident_form, audience_form, findings=None, status=200):
        checked = set(self.request.POST.getlist("confirmed"))
        context = {
            "community": self.community,
            "membership": self.membership,
            "incident": self.incident,
            "form": incident_form,
            "audience_form": audience_form,
            "audience_count": audience_form.shown_count(),
            "findings": [(f, f.match in checked) for f in findings or []],
            # The picker marks the source's organisation: read it through `sharing`, which
            # records each time the secretariat is shown the source of an anonymous item.
            "fixed_organization": (
                source_organizations([self.incident], self.request.user)[self.incident.pk]
                if self.incident else audience_form.author_organization
            ),
            "fixed_user": self.incident.author if self.incident else self.request.user,
        }
        return render(self.request, self.template_name, context, status=status)


class AchievementsView(CommunityMixin, TemplateView):
    """ "What my sharing achieved": the author's incidents here, with how many organisations
    opened them, sightings and feedback (one query for the page)."""

    template_name = "incidents/achieved.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incidents = list(
            selectors.sharing_achievements(self.request.user).filter(community=self.community)[:200]
        )
        context["rows"] = [
            (incident, _feedback_rows(selectors.achievement_feedback(incident)))
            for incident in incidents
        ]
        return context


def _feedback_rows(counts: dict) -> list[tuple[str, int]]:
    from apps.incidents.models import FeedbackAction

    return [(FeedbackAction(action).label, n) for action, n in counts.items() if n]


class AddressedToMeView(CommunityMixin, TemplateView):
    """The TLP:RED items naming me and the TLP:AMBER items naming my organisation, here."""

    template_name = "incidents/addressed.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incidents = list(
            addressed_to(self.request.user, Incident.objects.filter(community=self.community))
            .select_related("community", "author_organization")
            .order_by("-created_at", "pk")[:200]
        )
        sources = source_organizations(incidents, self.request.user)
        context["rows"] = [(incident, sources[incident.pk]) for incident in incidents]
        return context

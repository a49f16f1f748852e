"""Community pages under /c/<slug>/ and the onboarding screens of the secretariat."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.audit.context import client_ip, user_agent
from apps.audit.filters import AuditEventFilter
from apps.audit.models import ANONYMOUS_AUTHOR, AuditEvent
from apps.audit.presentation import csv_lines, detail_text
from apps.audit.services import record_export, record_sources_shown
from apps.communities.desk import desk_ready_exists
from apps.communities.forms import (
    AgreementAcceptForm,
    AgreementPublishForm,
    CommunitySettingsForm,
    CsvImportForm,
    InviteForm,
    MembershipDecisionForm,
    OrganizationForm,
    RoleForm,
    SetPasswordAcceptForm,
)
from apps.communities.imports import (
    CsvImportError,
    Outcome,
    decode_csv,
    invitations_import_previewed,
    preview_invitations,
    template_csv,
)
from apps.communities.models import (
    Community,
    Invitation,
    Membership,
    MembershipStatus,
    Role,
)
from apps.communities.selectors import community_members, membership_in, memberships_of
from apps.communities.services import (
    InvitationError,
    agreement_accept,
    agreement_publish,
    community_settings_update,
    invitation_accept,
    invitation_create,
    invitation_create_with_organization,
    invitation_get_by_token,
    invitation_resend,
    invitation_revoke,
    membership_change_role,
    membership_decide,
    organization_create,
)
from apps.communities.visits import membership_visit


class CommunityMixin(LoginRequiredMixin):
    """Resolve /c/<slug>/ to the user's membership. Only active members get in; a member who
    owes an agreement is sent to it; non-members see 404, as if the community did not exist."""

    secretariat_only = False
    allow_awaiting_agreement = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = membership_in(request.user, kwargs["slug"])
        self.membership = membership
        self.community = membership.community
        if membership.status == MembershipStatus.AWAITING_AGREEMENT:
            if not self.allow_awaiting_agreement:
                return redirect("communities:agreement", self.community.slug)
        elif membership.status in (MembershipStatus.PENDING_APPROVAL,
                                   MembershipStatus.SUSPENDED, MembershipStatus.INVITED):
            return render(request, "communities/no_access.html",
                          {"membership": membership, "community": self.community}, status=403)
        elif self.allow_awaiting_agreement:
            return redirect("communities:home", self.community.slug)
        if self.secretariat_only and membership.role != Role.SECRETARIAT:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(community=self.community, membership=self.membership)
        return context


class CommunityReadMixin:
    """The pages that show shared content (incident and thread lists and details) to anyone,
    because TLP:CLEAR is for "anyone, signed in or not" (DESIGN.md).

    It resolves the community for every reader and sets ``self.membership`` to the reader's
    *active* membership or None (``self.inactive_membership`` to a suspended, invited, … one,
    for a notice). It decides nothing about content: the page lists exactly what
    `apps.sharing.selectors.visible_to` gives the reader, so a signed-out visitor or a
    non-member reads the CLEAR items (and whatever else the TLP table gives them, e.g. GREEN
    items opened to a federation they belong to) — never more. Every other page of a
    community stays behind `CommunityMixin`.

    Existence does not leak: a page that shows nothing to a reader who is not a member must
    look like a community that does not exist (`not_found`), and so does an invisible item.
    Anything that is 404 for a signed-out visitor becomes the sign-in page, as before.
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            self.resolve_community(request, kwargs["slug"])
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    def resolve_community(self, request, slug: str) -> None:
        self.community = Community.objects.filter(slug=slug).first()
        if self.community is None:
            raise Http404
        membership = None
        if request.user.is_authenticated:
            membership = (
                Membership.objects.select_related("community", "organization", "user")
                .filter(community=self.community, user=request.user)
                .annotate(desk_ready=desk_ready_exists(OuterRef("community_id")))
                .exclude(status=MembershipStatus.LEFT)
                .first()
            )
        active = membership is not None and membership.status == MembershipStatus.ACTIVE
        self.membership = membership if active else None
        self.inactive_membership = None if active else membership

    def require_known(self, shown_here) -> None:
        """A list page calls this with its *unfiltered* visible queryset: a reader with no
        membership here who may see nothing of the community is told it does not exist."""
        known = self.membership is not None or self.inactive_membership is not None
        if not known and not shown_here.exists():
            raise Http404

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            community=self.community,
            membership=self.membership,
            inactive_membership=self.inactive_membership,
        )
        return context


class HomeView(TemplateView):
    """The portal's home: a member's communities with what is new in each; for a visitor,
    the public TLP:CLEAR items. The template reads both through `apps.digests.activity`
    (the `activity` tags), which asks the content apps and `sharing`."""

    template_name = "home.html"


class MyCommunitiesView(LoginRequiredMixin, TemplateView):
    template_name = "communities/mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = memberships_of(self.request.user).exclude(
            status=MembershipStatus.LEFT).order_by("community__name")
        return context


class CommunityHomeView(CommunityMixin, TemplateView):
    """The community's home: what is new since the member's last visit (which this page
    records), what is addressed to them and what waits for them (`activity` tags)."""

    template_name = "communities/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["new_since"] = membership_visit(membership=self.membership)
        return context


class MemberDirectoryView(CommunityMixin, TemplateView):
    template_name = "communities/members.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = community_members(self.community).filter(
            status=MembershipStatus.ACTIVE)
        return context


class AgreementView(CommunityMixin, FormView):
    """The member reads the current agreement and the TLP briefing and accepts both."""

    template_name = "communities/agreement.html"
    form_class = AgreementAcceptForm
    allow_awaiting_agreement = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["has_agreement"] = self.community.current_agreement is not None
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.community.current_agreement
        return context

    def form_valid(self, form):
        membership = agreement_accept(
            membership=self.membership,
            agreement=self.community.current_agreement,
            briefing_acknowledged=form.cleaned_data["acknowledge_briefing"],
            ip_address=client_ip(self.request),
            user_agent=user_agent(self.request),
        )
        if membership.status == MembershipStatus.ACTIVE:
            messages.success(self.request, _("Welcome to %(community)s.") % {
                "community": self.community.display_name})
        return redirect("communities:home", self.community.slug)


class SecretariatMixin(CommunityMixin):
    secretariat_only = True


class ManageMembersView(SecretariatMixin, TemplateView):
    template_name = "communities/manage/members.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = community_members(self.community).exclude(
            status=MembershipStatus.LEFT)
        context["role_choices"] = Role.choices
        return context


class MembershipActionView(SecretariatMixin, View):
    """Approve and reactivate at once; suspend, remove and change of role first show a
    confirmation page that asks for a reason (sent to the member, kept in the trail)."""

    CONFIRMED = ("suspend", "remove", "role")
    template_name = "communities/manage/membership_confirm.html"

    def _confirm(self, request, target, action, form, role=None, status=200):
        return render(request, self.template_name, {
            "community": self.community, "membership": self.membership, "target": target,
            "action": action, "form": form, "role": role, "role_choices": Role.choices,
            "role_label": dict(Role.choices).get(role, ""),
        }, status=status)

    def get(self, request, slug, pk, action):
        target = get_object_or_404(Membership.objects.select_related("user", "organization"),
                                   pk=pk, community=self.community)
        if action not in self.CONFIRMED:
            raise Http404
        return self._confirm(request, target, action, MembershipDecisionForm(),
                             role=request.GET.get("role") or target.role)

    def post(self, request, slug, pk, action):
        target = get_object_or_404(Membership.objects.select_related("user", "organization"),
                                   pk=pk, community=self.community)
        reason = ""
        role = None
        if action == "role":
            role_form = RoleForm(request.POST)
            if not role_form.is_valid():
                messages.error(request, _("Unknown role."))
                return redirect("communities:manage_members", slug)
            role = role_form.cleaned_data["role"]
        if action in self.CONFIRMED:
            if not request.POST.get("confirm"):
                return self._confirm(request, target, action, MembershipDecisionForm(),
                                     role=role)
            form = MembershipDecisionForm(request.POST)
            if not form.is_valid():
                return self._confirm(request, target, action, form, role=role, status=400)
            reason = form.cleaned_data["reason"]
        try:
            if action == "role":
                membership_change_role(membership=target, role=role, actor=request.user,
                                       reason=reason)
                messages.success(request, _("Role changed."))
            else:
                target = membership_decide(membership=target, action=action,
                                           actor=request.user, reason=reason)
                messages.success(request, _("Membership of %(user)s is now “%(status)s”.") % {
                    "user": target.user, "status": target.get_status_display()})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("communities:manage_members", slug)


class InviteView(SecretariatMixin, FormView):
    template_name = "communities/manage/invite.html"
    form_class = InviteForm

    def get_initial(self):
        return {"language": self.community.default_language}

    def form_valid(self, form):
        data = form.cleaned_data
        invite = {
            "community": self.community, "email": data["email"], "name": data["name"],
            "role": data["role"], "language": data["language"], "invited_by": self.request.user,
        }
        try:
            if data["organization"] is None:
                invitation = invitation_create_with_organization(
                    organization_name=data["new_organization_name"],
                    organization_slug=data["new_organization_slug"],
                    organization_sector=data["new_organization_sector"], **invite,
                )
            else:
                invitation = invitation_create(organization=data["organization"], **invite)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {
            "email": invitation.email})
        return redirect("communities:manage_invitations", self.community.slug)


class ImportView(SecretariatMixin, FormView):
    """Upload a CSV, read the preview (each row: invited, already a member, refused), then
    confirm: nothing is sent before the confirmation. The confirmation carries the file's
    text back, and it is read again, so the preview cannot promise what the import skips."""

    template_name = "communities/manage/import.html"
    form_class = CsvImportForm

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request.POST.get("csv_text", ""))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data["file"].read()
        try:
            rows = preview_invitations(community=self.community, data=data)
        except CsvImportError as error:
            return self.render_to_response(self.get_context_data(form=form, errors=error.errors),
                                           status=400)
        counts = {outcome: sum(1 for row in rows if row.outcome == outcome)
                  for outcome in (Outcome.INVITE, Outcome.MEMBER, Outcome.REFUSED)}
        return self.render_to_response(self.get_context_data(
            form=self.get_form_class()(), preview=rows, counts=counts,
            csv_text=decode_csv(data), can_send=counts[Outcome.INVITE] and not
            counts[Outcome.REFUSED],
        ))

    def confirm(self, text: str):
        try:
            invitations = invitations_import_previewed(
                community=self.community, data=text.encode("utf-8"),
                invited_by=self.request.user)
        except CsvImportError as error:
            return self.render_to_response(
                self.get_context_data(form=self.get_form_class()(), errors=error.errors),
                status=400)
        messages.success(self.request, _("%(count)d invitations sent.") % {
            "count": len(invitations)})
        return redirect("communities:manage_invitations", self.community.slug)


class ImportTemplateView(SecretariatMixin, View):
    """The CSV to fill in (UTF-8 with BOM, the columns the import reads)."""

    def get(self, request, *args, **kwargs):
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="members-template.csv"'
        return response


class InvitationsView(SecretariatMixin, TemplateView):
    template_name = "communities/manage/invitations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitations"] = Invitation.objects.filter(community=self.community).select_related(
            "organization", "created_by")[:500]
        return context


class InvitationActionView(SecretariatMixin, View):
    def post(self, request, slug, pk, action):
        invitation = get_object_or_404(Invitation, pk=pk, community=self.community)
        if action == "resend":
            try:
                invitation_resend(invitation=invitation, invited_by=request.user)
                messages.success(request, _("A new link was sent to %(email)s.") % {
                    "email": invitation.email})
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        elif action == "revoke":
            invitation_revoke(invitation=invitation)
            messages.success(request, _("The invitation was revoked."))
        else:
            raise Http404
        return redirect("communities:manage_invitations", slug)


class OrganizationCreateView(SecretariatMixin, FormView):
    template_name = "communities/manage/organization_form.html"
    form_class = OrganizationForm

    def form_valid(self, form):
        organization = organization_create(**form.cleaned_data)
        messages.success(self.request, _("Organisation %(name)s created.") % {
            "name": organization.display_name})
        return redirect("communities:invite", self.community.slug)


class AgreementPublishView(SecretariatMixin, FormView):
    template_name = "communities/manage/agreement.html"
    form_class = AgreementPublishForm

    def get_initial(self):
        current = self.community.current_agreement
        return {"title": current.title, "body": current.body} if current else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreement"] = self.community.current_agreement
        return context

    def form_valid(self, form):
        agreement = agreement_publish(community=self.community, author=self.request.user,
                                      **form.cleaned_data)
        messages.success(self.request, _(
            "Version %(version)d published. Members accept it before they see anything more."
        ) % {"version": agreement.version})
        return redirect("communities:agreement", self.community.slug)


class AuditMixin(SecretariatMixin):
    """The community's audit trail, filtered; nothing of another community."""

    def filterset(self) -> AuditEventFilter:
        return AuditEventFilter(
            self.request.GET or None,
            queryset=AuditEvent.objects.filter(community=self.community).select_related(
                "target_type"
            ),
        )


class AuditLogView(AuditMixin, TemplateView):
    """Who viewed, exported, shared or changed what in this community, newest first, in a
    fixed number of queries per page. Authors never see it: they see only how many
    organisations opened their item."""

    template_name = "communities/manage/audit.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset()
        page = Paginator(filterset.qs.order_by("-at", "-pk"), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        events = list(page.object_list)
        record_sources_shown(events, actor=self.request.user, request=self.request)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            filter=filterset,
            page=page,
            rows=[(event, detail_text(event.detail)) for event in events],
            query_string=params.urlencode(),
        )
        return context


class AuditExportView(AuditMixin, View):
    """The filtered trail as CSV (UTF-8 with a byte-order mark, formula-safe cells). The
    export is itself recorded, before the first row leaves."""

    def get(self, request, *args, **kwargs):
        filterset = self.filterset()
        events = filterset.qs.order_by("-at", "-pk")
        export = record_export(community=self.community, what="audit", rows=events.count(),
                               filters=filterset.applied(), actor=request.user, request=request)
        record_sources_shown(
            events.filter(**{f"detail__{ANONYMOUS_AUTHOR}": True}).select_related(None).only(
                "community_id", "target_type_id", "target_id", "target_label", "detail"
            ),
            actor=request.user, request=request,
        )
        rows = events.exclude(pk=export.pk).iterator(chunk_size=2000)
        response = StreamingHttpResponse(
            csv_lines(rows, language=translation.get_language(),
                      tz=timezone.get_current_timezone()),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="audit-{self.community.slug}-{stamp}.csv"'
        )
        return response


class InvitationAcceptView(View):
    """The link from the e-mail. A new invitee sets a password; an existing account signs in
    first. Anything wrong with the link gets its own page, and nothing changes."""

    template_name = "communities/invitation_accept.html"

    def _invitation(self, token):
        try:
            return invitation_get_by_token(token), None
        except InvitationError as error:
            return None, error.code

    def _error(self, request, code, invitation=None):
        return render(request, "communities/invitation_error.html",
                      {"code": code, "invitation": invitation}, status=400)

    def _prepare(self, request, token):
        invitation, code = self._invitation(token)
        if code:
            return None, self._error(request, code)
        user = invitation.membership.user
        if request.user.is_authenticated and request.user.pk != user.pk:
            return None, self._error(request, "wrong_user", invitation)
        if not request.user.is_authenticated and user.has_usable_password():
            login_url = reverse("accounts:login")
            return None, HttpResponseRedirect(f"{login_url}?next={request.path}")
        return invitation, None

    def get(self, request, token):
        invitation, response = self._prepare(request, token)
        if response:
            return response
        form = None
        if not request.user.is_authenticated:
            form = SetPasswordAcceptForm(
                user=invitation.membership.user,
                initial={"display_name": invitation.name, "language": invitation.language})
        return render(request, self.template_name, {"invitation": invitation, "form": form})

    def post(self, request, token):
        invitation, response = self._prepare(request, token)
        if response:
            return response
        user = invitation.membership.user
        fields = {}
        if not request.user.is_authenticated:
            form = SetPasswordAcceptForm(request.POST, user=user)
            if not form.is_valid():
                return render(request, self.template_name,
                              {"invitation": invitation, "form": form}, status=400)
            fields = {"password": form.cleaned_data["password1"],
                      "display_name": form.cleaned_data["display_name"],
                      "language": form.cleaned_data["language"]}
        try:
            invitation_accept(invitation=invitation, user=user, **fields)
        except InvitationError as error:
            return self._error(request, error.code, invitation)
        if not request.user.is_authenticated:
            login(request, user, backend="apps.accounts.backends.AccountBackend")
        return redirect("communities:agreement", invitation.community.slug)


class CommunitySettingsView(SecretariatMixin, FormView):
    """The secretariat's settings of its community; each change is in the audit trail."""

    template_name = "communities/manage/settings.html"
    form_class = CommunitySettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Community.objects.get(pk=self.community.pk)
        return kwargs

    def form_valid(self, form):
        changed = community_settings_update(
            community=self.community, actor=self.request.user,
            **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(self.request, _("The settings are saved.") if changed
                         else _("Nothing was changed."))
        return redirect("communities:settings", self.community.slug)

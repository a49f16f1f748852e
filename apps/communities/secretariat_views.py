"""Secretariat pages beside the member management: the register of agreement acceptances
and the federation the community coordinates."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.audit.presentation import neutralise
from apps.audit.services import record_export
from apps.communities.federations import (
    federation_community_add,
    federation_community_remove,
    federation_liaison_add,
    federation_liaison_remove,
    federation_liaisons,
    federations_coordinated_by,
)
from apps.communities.filters import AcceptanceFilter, acceptances_of
from apps.communities.models import Community, CommunityKind
from apps.communities.views import SecretariatMixin


def _organization(row) -> str:
    if row.organization_name_en and (get_language() or "ja").startswith("en"):
        return row.organization_name_en
    return row.organization_name or ""


class AcceptanceMixin(SecretariatMixin):
    def filterset(self) -> AcceptanceFilter:
        return AcceptanceFilter(self.request.GET or None, queryset=acceptances_of(self.community),
                                community=self.community)


class AcceptanceRegisterView(AcceptanceMixin, TemplateView):
    """Who accepted which version of the agreement, when and from where; filtered and paged
    in a fixed number of queries."""

    template_name = "communities/manage/acceptances.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset()
        page = Paginator(filterset.qs, self.paginate_by).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(filter=filterset, page=page,
                       rows=[(row, _organization(row)) for row in page.object_list],
                       query_string=params.urlencode())
        return context


class AcceptanceExportView(AcceptanceMixin, View):
    """The filtered register as CSV: UTF-8 with a byte-order mark, cells that a spreadsheet
    would run as formulas neutralised; the export is recorded first."""

    def get(self, request, *args, **kwargs):
        filterset = self.filterset()
        rows = filterset.qs
        record_export(community=self.community, what="agreement_acceptances",
                      rows=rows.count(), filters=filterset.applied(), actor=request.user,
                      request=request)
        tz = timezone.get_current_timezone()

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def lines():
            yield "\ufeff" + writer.writerow([
                _("accepted at"), _("e-mail address"), _("name"), _("organisation"),
                _("agreement"), _("version"), _("IP address"), _("browser")])
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow([neutralise(cell) for cell in (
                    timezone.localtime(row.accepted_at, tz).isoformat(timespec="seconds"),
                    row.user.email, row.user.display_name, _organization(row),
                    row.agreement.title, row.agreement.version, row.ip_address or "",
                    row.user_agent)])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="acceptances-{self.community.slug}-{stamp}.csv"')
        return response


class FederationListView(SecretariatMixin, TemplateView):
    template_name = "communities/manage/federations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["federations"] = federations_coordinated_by(self.community).prefetch_related(
            "communities")
        return context


class FederationView(SecretariatMixin, TemplateView):
    """One federation the community coordinates: its communities (invite, remove), its
    coordinator and its liaisons (add, remove). Another community's secretariat gets 404."""

    template_name = "communities/manage/federation.html"
    ACTIONS = {"add_community", "remove_community", "add_liaison", "remove_liaison"}

    def federation(self):
        return get_object_or_404(federations_coordinated_by(self.community),
                                 slug=self.kwargs["federation"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        federation = self.federation()
        members = list(federation.communities.order_by("name"))
        context.update(
            federation=federation, members=members,
            candidates=Community.objects.filter(kind=CommunityKind.ISAC).exclude(
                pk__in=[c.pk for c in members]).order_by("name"),
            liaisons=federation_liaisons(federation),
        )
        return context

    def post(self, request, *args, **kwargs):
        federation = self.federation()
        action = request.POST.get("action")
        if action not in self.ACTIONS:
            raise Http404
        try:
            if action in ("add_community", "remove_community"):
                other = Community.objects.filter(slug=request.POST.get("community", "")).first()
                if other is None:
                    raise ValidationError(_("Unknown community."))
                if action == "add_community":
                    federation_community_add(federation=federation, community=other,
                                             actor=request.user)
                    messages.success(request, _("%(name)s joined the federation.")
                                     % {"name": other.display_name})
                else:
                    federation_community_remove(federation=federation, community=other,
                                                actor=request.user)
                    messages.success(request, _("%(name)s left the federation.")
                                     % {"name": other.display_name})
            elif action == "add_liaison":
                federation_liaison_add(federation=federation,
                                       email=request.POST.get("email", ""), actor=request.user)
                messages.success(request, _("The liaison was added."))
            else:
                try:
                    user_id = int(request.POST.get("user", ""))
                except ValueError:
                    raise ValidationError(
                        _("This person is not a liaison of the federation.")) from None
                federation_liaison_remove(federation=federation, user_id=user_id,
                                          actor=request.user)
                messages.success(request, _("The liaison was removed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("communities:federation", self.community.slug, federation.slug)

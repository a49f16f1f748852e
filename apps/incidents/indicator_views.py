"""The incident page's indicator table at work: indicators pasted in bulk, corrected and
removed by the author or the secretariat (htmx swaps the table; without JavaScript a normal
POST and a redirect), and the selected ones downloaded as a plain list of real values.

Visibility is `incident_for` (404), who may change is `services.incident_editor_check`
(403, as the edit page: the item is visible, its existence no secret); writes are services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from apps.audit.services import record_export
from apps.communities.views import CommunityMixin
from apps.incidents import selectors, services
from apps.incidents.forms import IndicatorEditForm, IndicatorPasteForm
from apps.incidents.models import Indicator
from apps.incidents.views import detail_context, incident_for
from apps.sharing.selectors import may_change


def indicator_section(user, incident, **state) -> dict:
    """What the indicator table shows (the detail page includes it; htmx swaps it alone):
    the visible indicators, "seen by" per indicator, and the state of a paste or an edit."""
    indicators = list(
        selectors.indicators_visible_to(user).filter(incident=incident).order_by("type", "value")
    )
    counts = selectors.indicator_sighting_counts([i.pk for i in indicators])
    return {
        "incident": incident,
        "indicators": indicators,
        "indicator_rows": [(i, *counts.get(i.pk, (0, 0))) for i in indicators],
        "can_edit": may_change(user, incident),
        "paste_form": state.get("paste_form") or IndicatorPasteForm(),
        "paste_findings": state.get("paste_findings") or [],
        "editing": state.get("editing"),
    }


class IndicatorMixin(CommunityMixin):
    """The incident of the URL, visible (else 404), changed only by its author or the
    secretariat (else 403) — checked before the body is read."""

    def setup_incident(self):
        self.incident = incident_for(self.request.user, self.community, self.kwargs["pk"])
        if self.incident.community_id != self.community.pk:
            raise Http404  # a federated item is changed in its own community
        services.incident_editor_check(incident=self.incident, actor=self.request.user)

    def answer(self, *, message=None, status=200, **state):
        """htmx: the table, swapped in place; otherwise the detail page (after a redirect
        when it worked, directly with 400 when something is to correct or confirm)."""
        htmx = self.request.headers.get("HX-Request") == "true"
        if status == 200 and not htmx:
            if message:
                messages.success(self.request, message)
            return redirect("incidents:detail", self.community.slug, self.incident.pk)
        context = {"community": self.community, "message": message,
                   **indicator_section(self.request.user, self.incident, **state)}
        if htmx:
            return render(self.request, "incidents/_indicators.html", context)
        page = detail_context(self.request.user, self.membership, self.incident)
        return render(self.request, "incidents/incident_detail.html",
                      {**page, **context, "membership": self.membership}, status=status)


class IndicatorPasteView(IndicatorMixin, View):
    """Indicators pasted one per line. Held back, with nothing saved, until each finding of
    the victim-data check is confirmed (or the line redacted)."""

    def get(self, request, *args, **kwargs):
        # "Cancel" of a held paste: the table as it is, nothing saved.
        self.setup_incident()
        return self.answer()

    def post(self, request, *args, **kwargs):
        self.setup_incident()
        form = IndicatorPasteForm(request.POST)
        if not form.is_valid():
            return self.answer(paste_form=form, status=400)
        confirmed = [value for value in request.POST.getlist("confirmed") if value]
        try:
            rows = services.indicator_lines_read(form.cleaned_data["indicators"])
            added = services.indicators_add(
                incident=self.incident, actor=request.user, indicators=rows,
                confirmed_exposures=confirmed,
            )
        except ValidationError as error:
            findings = getattr(error, "findings", None)  # `sharing.exposure.ExposureFound`
            if findings:
                return self.answer(paste_form=form, status=400, paste_findings=[
                    (finding, finding.match in confirmed) for finding in findings])
            form.add_error("indicators", " ".join(error.messages))
            return self.answer(paste_form=form, status=400)
        message = ngettext("%(count)s indicator added.", "%(count)s indicators added.",
                           len(added)) % {"count": len(added)}
        return self.answer(message=message)


class IndicatorChangeView(IndicatorMixin, View):
    """``edit`` (value and note) or ``remove`` one indicator."""

    def get(self, request, *args, **kwargs):
        self.setup_incident()
        indicator = self.indicator()
        form = IndicatorEditForm(initial={"value": indicator.value, "note": indicator.note})
        return self.answer(editing={"pk": indicator.pk, "form": form, "findings": []})

    def indicator(self) -> Indicator:
        if self.kwargs["change"] not in ("edit", "remove"):
            raise Http404
        try:
            return Indicator.objects.get(pk=self.kwargs["indicator"], incident=self.incident)
        except Indicator.DoesNotExist:
            raise Http404 from None

    def post(self, request, *args, **kwargs):
        self.setup_incident()
        indicator = self.indicator()
        if kwargs["change"] == "remove":
            services.indicator_remove(indicator=indicator, actor=request.user)
            return self.answer(message=_("Indicator removed."))
        form = IndicatorEditForm(request.POST)
        confirmed = [value for value in request.POST.getlist("confirmed") if value]
        editing = {"pk": indicator.pk, "form": form, "findings": []}
        if not form.is_valid():
            return self.answer(editing=editing, status=400)
        try:
            services.indicator_update(
                indicator=indicator, actor=request.user, confirmed_exposures=confirmed,
                **form.cleaned_data,
            )
        except ValidationError as error:
            findings = getattr(error, "findings", None)
            if findings:
                editing["findings"] = [(f, f.match in confirmed) for f in findings]
            else:
                form.add_error("value", " ".join(error.messages))
            return self.answer(editing=editing, status=400)
        return self.answer(message=_("Indicator saved."))


class IndicatorDownloadView(CommunityMixin, View):
    """The selected indicators of an incident as a plain text file of real values, one per
    line — what a member feeds to a firewall or a SIEM. Only indicators the reader may see
    (`selectors.indicators_visible_to`): anything else, or nothing selected, is 404. Recorded
    as an export, like the CSV."""

    def post(self, request, *args, **kwargs):
        incident = incident_for(request.user, self.community, kwargs["pk"])
        wanted = [value for value in request.POST.getlist("indicator") if value]
        try:
            indicators = list(
                selectors.indicators_visible_to(request.user)
                .filter(incident=incident, pk__in=wanted)
                .order_by("type", "value")
                .values_list("value", flat=True)
            )
        except ValidationError:  # not UUIDs
            raise Http404 from None
        if not indicators:
            raise Http404
        record_export(community=self.community, what="indicators", rows=len(indicators),
                      format="txt", filters={"incident": str(incident.pk)}, actor=request.user,
                      request=request)
        response = HttpResponse("".join(f"{value}\n" for value in indicators),
                                content_type="text/plain; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="indicators-{stamp}.txt"'
        return response

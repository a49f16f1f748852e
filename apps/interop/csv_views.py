"""The CSV pages: export the indicators a reader may see (from the incident list, with its
filters, or from one incident), download a template, and import a file into an incident —
upload, preview (rows read, errors, what will be added, data that may betray the victim),
then save, all or nothing.

Views stay thin: visibility comes from `apps.sharing` through the incident pages' own
lookups (`listed_here`, `incident_for`), reading and writing from `apps.interop.csv_io`.
"""

import base64
import binascii
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from apps.communities.views import CommunityMixin, CommunityReadMixin
from apps.incidents.services import incident_editor_check
from apps.incidents.views import incident_for, incidents_for, listed_here
from apps.interop import csv_io
from apps.sharing.exposure import ExposureFound


def content_type(encoding: str) -> str:
    return f"text/csv; charset={'shift_jis' if encoding == csv_io.Encoding.SHIFT_JIS else 'utf-8'}"


def attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class IndicatorCsvExportView(CommunityReadMixin, View):
    """The indicators of the incidents this community's list shows the reader, narrowed by
    the list's filters (and ``incident=<id>`` from an incident's page). Open to whoever may
    read the list: a signed-out visitor exports TLP:CLEAR only."""

    def get(self, request, *args, **kwargs):
        user = request.user
        self.require_known(incidents_for(user, self.community))
        try:
            encoding = csv_io.encoding_read(request.GET.get("encoding"))
            export = csv_io.indicators_for_export(user=user, params=request.GET,
                                                  incidents=listed_here(self.community))
            csv_io.export_encodable(export, encoding)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.back())
        csv_io.export_record(export=export, actor=user, community=self.community,
                             encoding=encoding, request=request)
        response = StreamingHttpResponse(
            csv_io.indicators_csv_stream(export, encoding=encoding,
                                         language=translation.get_language(),
                                         tz=timezone.get_current_timezone()),
            content_type=content_type(encoding),
        )
        return attachment(response, csv_io.export_filename(scope=self.community.slug,
                                                           encoding=encoding))

    def back(self) -> str:
        """Where a refused export sends the reader: the page its link was on."""
        query = self.request.GET.copy()
        query.pop("encoding", None)
        incident = query.get("incident", "")
        if incident and "q" not in query:
            try:
                return reverse("incidents:detail", args=[self.community.slug, incident])
            except NoReverseMatch:  # not an id: the list says what is wrong with the filters
                pass
        url = reverse("incidents:list", args=[self.community.slug])
        return f"{url}?{query.urlencode()}" if query else url


class IndicatorCsvTemplateView(CommunityMixin, View):
    """An empty file to fill in: the header and example rows."""

    def get(self, request, *args, **kwargs):
        try:
            encoding = csv_io.encoding_read(request.GET.get("encoding"))
        except ValidationError:
            raise Http404 from None
        response = HttpResponse(csv_io.template_csv(encoding), content_type=content_type(encoding))
        return attachment(response, "indicators-template.csv")


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), required=False)
    encoding = forms.ChoiceField(label=_("Encoding"), choices=csv_io.ENCODING_CHOICES,
                                 initial=csv_io.AUTO, required=False)
    skip_existing = forms.BooleanField(
        label=_("Skip indicators already on this incident"), required=False,
        help_text=_("Otherwise such a row is an error and nothing is saved."),
    )
    # The file read at the preview step (base64: its bytes exactly, line ends included),
    # saved without a new upload.
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    read_as = forms.ChoiceField(widget=forms.HiddenInput, required=False,
                                choices=csv_io.Encoding.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A header row (type, value, first_seen, last_seen, note) and one indicator per "
            "row; at most %(rows)d rows and %(size)d KB. Defanged values are accepted; an "
            "empty type is detected from the value."
        ) % {"rows": csv_io.MAX_ROWS, "size": csv_io.MAX_BYTES // 1024}


class IndicatorCsvImportView(CommunityMixin, View):
    """Import into an incident of this community that the reader may change: invisible is
    404, visible but not theirs to change is 403 (as the incident's edit page)."""

    template_name = "interop/csv_import.html"

    def setup_incident(self):
        incident = incident_for(self.request.user, self.community, self.kwargs["pk"])
        if incident.community_id != self.community.pk:
            raise Http404
        incident_editor_check(incident=incident, actor=self.request.user)
        self.incident = incident

    def get(self, request, *args, **kwargs):
        self.setup_incident()
        return self.render(CsvImportForm())

    def post(self, request, *args, **kwargs):
        self.setup_incident()
        form = CsvImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        confirmed = [value for value in request.POST.getlist("confirmed") if value]
        if "save" in request.POST and data["content"]:
            try:
                source = base64.b64decode(data["content"], validate=True)
            except (binascii.Error, ValueError):
                form.add_error("file", _("Choose a CSV file."))
                return self.render(form, status=400)
            return self.save(source, data, confirmed)
        upload = data["file"]
        if upload is None:
            form.add_error("file", _("Choose a CSV file."))
            return self.render(form, status=400)
        result = csv_io.indicators_csv_read(
            incident=self.incident, data=upload.read(csv_io.MAX_BYTES + 1),
            encoding=data["encoding"] or csv_io.AUTO, skip_existing=data["skip_existing"],
        )
        return self.render(self.preview_form(result), result=result, confirmed=confirmed,
                           status=200 if result.ok else 400)

    def save(self, source: bytes, data, confirmed):
        read_as = data["read_as"] or csv_io.Encoding.UTF8
        try:
            result = csv_io.indicators_csv_import(
                incident=self.incident, actor=self.request.user, data=source,
                encoding=read_as, skip_existing=data["skip_existing"],
                confirmed_exposures=confirmed,
            )
        except csv_io.CsvRejected as error:
            # The indicators changed since the preview (someone added one): show it again.
            return self.render(self.preview_form(error.result), result=error.result,
                               confirmed=confirmed, status=400)
        except ExposureFound:
            result = csv_io.indicators_csv_read(incident=self.incident, data=source,
                                                encoding=read_as,
                                                skip_existing=data["skip_existing"])
            return self.render(self.preview_form(result), result=result, confirmed=confirmed,
                               refused_exposures=True, status=400)
        count = len(result.added)
        messages.success(self.request, ngettext(
            "%(count)d indicator added from the CSV file.",
            "%(count)d indicators added from the CSV file.", count) % {"count": count})
        return redirect("incidents:detail", self.community.slug, self.incident.pk)

    def preview_form(self, result) -> CsvImportForm:
        return CsvImportForm(initial={
            "content": base64.b64encode(result.source).decode("ascii"),
            "read_as": result.encoding,
            "skip_existing": result.skip_existing, "encoding": csv_io.AUTO,
        })

    def render(self, form, *, result=None, confirmed=(), refused_exposures=False, status=200):
        findings: dict[str, dict] = {}
        if result is not None:
            for finding in result.findings():
                entry = findings.setdefault(finding.match.lower(), {
                    "match": finding.match, "kind": finding.kind.label, "where": [],
                    "checked": finding.match in confirmed,
                })
                entry["where"].append(finding.where)
        template_url = reverse("interop:indicators_csv_template", args=[self.community.slug])
        context = {
            "community": self.community,
            "membership": self.membership,
            "incident": self.incident,
            "form": form,
            "result": result,
            "findings": list(findings.values()),
            "refused_exposures": refused_exposures,
            "template_url": template_url,
            "template_sjis_url": f"{template_url}?{urlencode({'encoding': 'shift_jis'})}",
            "max_rows": csv_io.MAX_ROWS,
        }
        return render(self.request, self.template_name, context, status=status)

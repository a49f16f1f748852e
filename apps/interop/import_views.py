"""The import pages: upload a STIX bundle or MISP event (/c/<slug>/incidents/import/), then
review the draft (/c/<slug>/imports/<uuid>/) and share it as an incident — or, for a TAXII
write held for review, add its indicators to the incident it names.

The review page is the incident create page with the fields filled in: the same
`IncidentForm`, the same recipient picker (`AudienceForm`), the same victim-data findings to
confirm, and the same service (`incident_create`, through `imports.import_draft_confirm`).
A draft is its author's alone: anyone else gets a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from apps.communities.views import CommunityMixin
from apps.incidents import services as incident_services
from apps.incidents.forms import IncidentForm
from apps.incidents.models import Incident
from apps.interop import imports
from apps.interop.import_forms import ImportUploadForm, IndicatorRowFormSet
from apps.interop.models import ImportSource
from apps.sharing.exposure import find_exposures
from apps.sharing.forms import AudienceForm
from apps.sharing.selectors import visible_to
from apps.sharing.services import SHARING_ROLES
from portal.forms import add_refusal


class SharingMemberMixin(CommunityMixin):
    """Active members who share here (not observers or guests), as for the create page."""

    def require_sharing(self):
        if self.membership.role not in SHARING_ROLES:
            raise PermissionDenied(
                _("Observers and guests see what is shared with them but do not share.")
            )


class ImportView(SharingMemberMixin, View):
    """The upload form, and the author's drafts still waiting for review here."""

    template_name = "interop/import.html"

    def get(self, request, *args, **kwargs):
        self.require_sharing()
        return self.render(ImportUploadForm())

    def post(self, request, *args, **kwargs):
        self.require_sharing()
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            draft = imports.import_draft_create(
                author=request.user, community=self.community, source=None,
                filename=upload.name, data=upload,
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.render(form, status=400)
        messages.info(request, _("Read from the file: review it before it is shared."))
        return redirect("interop:import_review", self.community.slug, draft.pk)

    def render(self, form, status=200):
        context = {
            "community": self.community,
            "membership": self.membership,
            "form": form,
            "drafts": imports.import_drafts_open(author=self.request.user,
                                                 community=self.community)[:50],
        }
        return render(self.request, self.template_name, context, status=status)


def _initial_rows(payload: dict) -> list[dict]:
    return [{"type": row.get("type"), "value": row.get("value"), "note": row.get("note") or ""}
            for row in payload.get("indicators") or ()]


def _reviewed_rows(formset, payload: dict) -> list[dict]:
    """The rows the author kept, each with what the page does not edit (first and last
    seen, the STIX id) taken from the draft by its position — never from the request."""
    read = payload.get("indicators") or []
    rows = []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("remove"):
            continue
        source = read[index] if index < len(read) else {}
        rows.append({
            "type": data["type"],
            "value": data["value"],
            "note": data.get("note") or "",
            "first_seen": source.get("first_seen"),
            "last_seen": source.get("last_seen"),
            "stix_id": source.get("stix_id"),
        })
    return rows


class ImportReviewView(SharingMemberMixin, View):
    """The draft, reviewed: GET shows what was read, POST shares it."""

    template_name = "interop/import_review.html"

    def setup_objects(self):
        self.require_sharing()
        self.draft = imports.import_draft_get(user=self.request.user, community=self.community,
                                              pk=self.kwargs["pk"])
        self.payload = self.draft.payload or {}
        self.target = None
        if self.payload.get("incident"):
            self.target = Incident.objects.filter(pk=self.payload["incident"],
                                                  community=self.community).first()

    def forms(self, data=None):
        payload = self.payload
        formset = IndicatorRowFormSet(data, initial=_initial_rows(payload), prefix="ind")
        if self.payload.get("incident"):
            return None, None, formset
        incident_form = IncidentForm(
            data,
            editor=self.request.user,
            initial={
                "title": payload.get("title") or "",
                "summary": payload.get("summary") or "",
                "category": payload.get("category") or "",
                "techniques": ", ".join(payload.get("techniques") or ()),
            },
        )
        incident_form.fields["indicators"].label = _("More indicators")
        # The label read from the file is chosen already; none read: the author chooses.
        audience_form = AudienceForm(
            data,
            community=self.community,
            author=self.request.user,
            author_organization=self.membership.organization,
            initial={"tlp": payload.get("tlp")},
        )
        return incident_form, audience_form, formset

    def get(self, request, *args, **kwargs):
        self.setup_objects()
        if self.draft.incident_id:
            return redirect("incidents:detail", self.community.slug, self.draft.incident_id)
        incident_form, audience_form, formset = self.forms()
        # What the share would refuse, shown before the first try: the author reviews the
        # victim-data findings together with the rest.
        texts = {} if incident_form is None else {
            str(_("title")): self.payload.get("title") or "",
            str(_("summary")): self.payload.get("summary") or "",
        }
        findings = find_exposures(texts, [row["value"] for row in _initial_rows(self.payload)])
        return self.render(incident_form, audience_form, formset, findings=findings)

    def post(self, request, *args, **kwargs):
        self.setup_objects()
        if self.draft.incident_id:
            return redirect("incidents:detail", self.community.slug, self.draft.incident_id)
        incident_form, audience_form, formset = self.forms(request.POST)
        valid = formset.is_valid()
        if incident_form is not None:
            valid = incident_form.is_valid() & audience_form.is_valid() & valid
        if not valid:
            return self.render(incident_form, audience_form, formset, status=400)
        confirmed = [value for value in request.POST.getlist("confirmed") if value]
        rows = _reviewed_rows(formset, self.payload)
        try:
            if incident_form is None:
                incident, added = imports.import_draft_add_indicators(
                    draft=self.draft, actor=request.user, indicators=rows,
                    confirmed_exposures=confirmed)
                messages.success(request, ngettext("%(count)d indicator added.",
                                                   "%(count)d indicators added.", added)
                                 % {"count": added})
            else:
                data = incident_form.cleaned_data
                rows += [{**row, "note": ""} for row in data.get("indicators") or []]
                incident = imports.import_draft_confirm(
                    draft=self.draft, actor=request.user,
                    fields={name: data[name] for name in incident_services.EDITABLE_FIELDS},
                    techniques=data["techniques"], indicators=rows,
                    audience=audience_form.choice(audience_form.cleaned_data),
                    confirmed_exposures=confirmed,
                )
                messages.success(request, _("Incident shared."))
        except ValidationError as error:
            findings = getattr(error, "findings", None)  # `sharing.exposure.ExposureFound`
            self.refuse(error, incident_form, audience_form, formset)
            return self.render(incident_form, audience_form, formset, findings=findings,
                               status=400)
        except PermissionDenied as error:
            self.refuse(ValidationError(str(error) or _("You cannot share this here.")),
                        incident_form, audience_form, formset)
            return self.render(incident_form, audience_form, formset, status=403)
        return redirect("incidents:detail", self.community.slug, incident.pk)

    def refuse(self, error, incident_form, audience_form, formset):
        if incident_form is not None:
            add_refusal(error, incident_form, audience_form, skip=("exposures",))
            return
        if hasattr(error, "error_dict"):
            self.errors = [message for key, messages_ in error.message_dict.items()
                           if key != "exposures" for message in messages_]
        else:
            self.errors = list(error.messages)

    def render(self, incident_form, audience_form, formset, findings=None, status=200):
        checked = set(self.request.POST.getlist("confirmed"))
        existing = None
        if self.payload.get("stix_id"):
            existing = visible_to(self.request.user, Incident.objects.filter(
                community=self.community, stix_id=self.payload["stix_id"])).first()
        context = {
            "community": self.community,
            "membership": self.membership,
            "draft": self.draft,
            "payload": self.payload,
            "source_label": ImportSource(self.draft.source).label,
            "target": self.target,
            "form": incident_form,
            "audience_form": audience_form,
            "formset": formset,
            "label_read": self.payload.get("tlp"),
            "existing": existing,
            "errors": getattr(self, "errors", []),
            "findings": [(f, f.match in checked) for f in findings or []],
            "submitted": self.request.method == "POST",
            "fixed_organization": self.membership.organization,
            "fixed_user": self.request.user,
        }
        if audience_form is not None:
            context["audience_count"] = audience_form.shown_count()
        return render(self.request, self.template_name, context, status=status)


class ImportDiscardView(SharingMemberMixin, View):
    """Delete a draft: nothing of it was shared."""

    def post(self, request, *args, **kwargs):
        draft = imports.import_draft_get(user=request.user, community=self.community,
                                         pk=kwargs["pk"])
        imports.import_draft_discard(draft=draft, actor=request.user)
        messages.success(request, _("The import was discarded."))
        return redirect("interop:import", self.community.slug)

"""The STIX 2.1 exports: one incident, a search result, a thread's incident and a federation
summary, each as a bundle of what the reader may see.

Every read goes through `apps.sharing` (the incidents' and threads' selectors start from
`visible_to`); an item the reader may not see is `Http404`-style None here, so the views
answer 404 for missing and forbidden alike. Every export is recorded in the audit trail,
before the bundle leaves."""

import json
import uuid
from dataclasses import dataclass, field

import stix2.v21 as stix
from django.db.models import QuerySet
from django.utils import timezone

from apps.audit.services import record_export
from apps.communities.models import Community, Federation
from apps.digests.summaries import summary_document
from apps.discussions.models import Thread
from apps.discussions.selectors import threads_visible_to
from apps.incidents.filters import IncidentFilter
from apps.incidents.models import Incident
from apps.incidents.views import listed_here
from apps.interop.markings import marking_ref
from apps.interop.stix import NAMESPACE, StixEntry, bundle, derived_id, incident_export
from apps.sharing.selectors import visible_one, visible_to
from apps.sharing.tlp import TLP

MEDIA_TYPE = "application/stix+json;version=2.1"
# A search result is exported newest first up to this many incidents: a bundle is one
# document, and beyond this a TAXII collection (paged) is the right tool.
SEARCH_LIMIT = 500


@dataclass
class Export:
    """A bundle ready to send, and what it was made of (for the audit trail)."""

    bundle: dict
    incidents: int
    skipped: list = field(default_factory=list)
    truncated: bool = False

    @property
    def objects(self) -> int:
        return len(self.bundle["objects"])


def _incidents(queryset: QuerySet) -> QuerySet[Incident]:
    return queryset.select_related("community", "author_organization").prefetch_related(
        "techniques")


def _export(incidents: list[Incident], viewer, extra: list | None = None, **flags) -> Export:
    result = incident_export(incidents, viewer)
    return Export(bundle=bundle([*result.entries, *(extra or [])]), incidents=len(incidents),
                  skipped=result.skipped, **flags)


def _record(export: Export, *, community, what: str, actor, request, filters: dict) -> None:
    filters = {key: value for key, value in filters.items() if value not in (None, "", [])}
    if export.skipped:
        filters["skipped_indicators"] = len(export.skipped)
    if export.truncated:
        filters["truncated_at"] = SEARCH_LIMIT
    record_export(community=community, what=what, rows=export.objects, format="stix",
                  filters=filters, actor=actor, request=request)


def incident_stix_export(*, viewer, pk, community: Community | None = None,
                         request=None) -> Export | None:
    """One incident as a bundle, or None when ``viewer`` may not see it. ``community``: the
    web page's community (its own incidents and those federated to it); None for the API."""
    incidents = listed_here(community) if community is not None else Incident.objects.all()
    incident = _incidents(visible_one(viewer, incidents, pk)).first()
    if incident is None:
        return None
    export = _export([incident], viewer)
    _record(export, community=incident.community_id, what="incident", actor=viewer,
            request=request, filters={"incident": str(incident.pk)})
    return export


def search_stix_export(*, viewer, params, community: Community | None = None,
                       request=None) -> Export:
    """The incidents the list's filters (``params``: the list page's or the API's query)
    find among those ``viewer`` may see, newest first, at most `SEARCH_LIMIT`."""
    base = listed_here(community) if community is not None else Incident.objects.all()
    # As the list page: no query is everything; an invalid one finds nothing.
    filterset = IncidentFilter(params or None, queryset=base, request=request)
    found = filterset.qs
    rows = list(_incidents(visible_to(viewer, found)).order_by("-created_at", "pk")
                [:SEARCH_LIMIT + 1])
    export = _export(rows[:SEARCH_LIMIT], viewer, truncated=len(rows) > SEARCH_LIMIT)
    filters = {key: params.getlist(key) if hasattr(params, "getlist") else params[key]
               for key in params if key not in ("cursor", "format")}
    _record(export, community=community.pk if community else None, what="incidents",
            actor=viewer, request=request, filters=filters)
    return export


def thread_stix_export(*, viewer, pk, community: Community | None = None,
                       request=None) -> Export | None:
    """The incident a thread is about, as a bundle (its notes include that thread when the
    viewer may read it) — None when the thread or its incident is hidden from ``viewer``, or
    the thread is about no incident."""
    thread = threads_visible_to(viewer, community=community, pk=pk).first() if community \
        else visible_one(viewer, Thread.objects.all(), pk).first()
    if thread is None or thread.incident_id is None:
        return None
    incident = _incidents(visible_one(viewer, Incident.objects.all(), thread.incident_id)).first()
    if incident is None:
        return None
    export = _export([incident], viewer)
    _record(export, community=thread.community_id, what="thread", actor=viewer,
            request=request, filters={"thread": str(thread.pk), "incident": str(incident.pk)})
    return export


def _federation_identity(federation: Federation) -> dict:
    return {
        "id": derived_id("identity", "federation", federation.slug),
        "created": federation.created_at,
        "modified": federation.created_at,
        "name": federation.name,
        "identity_class": "group",
    }


def summary_stix_export(*, viewer, summary, request=None) -> Export:
    """A federation summary as a bundle: a `report` whose objects are the TLP:GREEN and
    TLP:CLEAR incidents shared with the federation during the period — those the summary
    still lists (`summary_document`, narrowed by `sharing` now) and that ``viewer`` may see —
    with the incidents' own objects. The report is TLP:GREEN: the federation's audience.
    The caller has checked that ``viewer`` may read the summary."""
    federation = summary.federation
    listed = [item["id"] for item in summary_document(summary).get("items", ())]
    incidents = list(_incidents(visible_to(viewer, Incident.objects.filter(pk__in=listed)))
                     .order_by("created_at", "pk"))
    result = incident_export(incidents, viewer)
    label = TLP.GREEN
    author = _federation_identity(federation)
    marking = [marking_ref(label)]
    identity = stix.Identity(object_marking_refs=marking, **author)
    refs = [entry.object["id"] for entry in result.entries
            if entry.object["type"] == "incident"] or [author["id"]]
    report = stix.Report(
        id=f"report--{uuid.uuid5(NAMESPACE, f'summary|{federation.slug}|{summary.period}')}",
        created=summary.built_at,
        modified=summary.built_at,
        published=summary.built_at,
        created_by_ref=author["id"],
        name=f"{federation.name} {summary.period}",
        description=f"Federation summary {summary.period}: {len(incidents)} shared incident(s).",
        report_types=["threat-report"],
        object_refs=refs,
        object_marking_refs=marking,
    )
    extra = [StixEntry(object=_plain(identity), date_added=federation.created_at),
             StixEntry(object=_plain(report), date_added=summary.built_at or timezone.now())]
    export = Export(bundle=bundle([*extra, *result.entries]), incidents=len(incidents),
                    skipped=result.skipped)
    _record(export, community=federation.coordinator_id, what="federation_summary",
            actor=viewer, request=request,
            filters={"federation": federation.slug, "period": summary.period})
    return export


def _plain(obj) -> dict:
    return json.loads(obj.serialize())

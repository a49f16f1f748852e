"""STIX 2.1 downloads: web pages under /c/<slug>/ and endpoints under /api/v1/stix/.

Thin: each view asks `apps.interop.stix_exports`, which reads through `apps.sharing` and
records the export; anything the reader may not see answers 404, like what does not exist.
"""

import json

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from apps.accounts.api.mixins import UserPreferencesMixin
from apps.communities.models import Federation
from apps.communities.views import CommunityReadMixin
from apps.digests.summaries import period_parse, summary_for, summary_readable_by
from apps.digests.summary_views import FederationSummaryMixin
from apps.incidents.api.filters import IncidentFilter as ApiIncidentFilter
from apps.incidents.models import Incident
from apps.interop import stix_exports
from apps.interop.stix_exports import MEDIA_TYPE


def stix_response(export: stix_exports.Export, filename: str) -> HttpResponse:
    """The bundle as a download: STIX's media type, and an attachment so that a browser
    saves it rather than shows it."""
    response = HttpResponse(
        json.dumps(export.bundle, ensure_ascii=False, indent=1), content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- web ------------------------------------------------------------------------------------


class IncidentStixView(CommunityReadMixin, View):
    """One incident of this community's pages (its own or federated to it)."""

    def get(self, request, slug, pk):
        export = stix_exports.incident_stix_export(
            viewer=request.user, pk=pk, community=self.community, request=request)
        if export is None:
            raise Http404
        return stix_response(export, f"incident-{pk}.stix.json")


class SearchStixView(CommunityReadMixin, View):
    """The incident list's result (same query string) as one bundle."""

    def get(self, request, slug):
        export = stix_exports.search_stix_export(
            viewer=request.user, params=request.GET, community=self.community,
            request=request)
        return stix_response(export, f"incidents-{self.community.slug}.stix.json")


class ThreadStixView(CommunityReadMixin, View):
    """The incident a thread is about, with the thread's excerpt as a note."""

    def get(self, request, slug, pk):
        export = stix_exports.thread_stix_export(
            viewer=request.user, pk=pk, community=self.community, request=request)
        if export is None:
            raise Http404
        return stix_response(export, f"thread-{pk}.stix.json")


class SummaryStixView(FederationSummaryMixin, View):
    """A federation summary's report (for readers of the summaries only, else 404)."""

    def get(self, request, slug, period):
        summary = _summary(self.federation, period)
        if summary is None:
            raise Http404
        export = stix_exports.summary_stix_export(viewer=request.user, summary=summary,
                                                  request=request)
        return stix_response(export, f"summary-{self.federation.slug}-{summary.period}.stix.json")


def _summary(federation, period: str):
    from django.core.exceptions import ValidationError

    try:
        return summary_for(federation, str(period_parse(period)))
    except ValidationError:
        return None


# --- API ------------------------------------------------------------------------------------

STIX_RESPONSES = {
    (200, MEDIA_TYPE): OpenApiResponse(
        OpenApiTypes.OBJECT, description=_("A STIX 2.1 bundle, with the TLP 2.0 marking "
                                           "definitions its objects use.")),
    404: OpenApiResponse(description=_("Not found, or not visible to you.")),
}


class StixApiView(UserPreferencesMixin, APIView):
    """Signed-out callers get what a signed-out visitor sees (TLP:CLEAR), like the incident
    endpoints."""

    permission_classes = [permissions.AllowAny]


class IncidentStixApiView(StixApiView):
    @extend_schema(
        summary=_("Export an incident as STIX 2.1"),
        operation_id="stix_incident",
        description=_("The incident, its source's identity (the secretariat's for an "
                      "anonymous incident), indicators, ATT&CK techniques, sightings, "
                      "discussion notes and relationships, each marked with the incident's "
                      "TLP 2.0 label. 404 when you may not see it."),
        responses=STIX_RESPONSES,
        tags=["stix"],
    )
    def get(self, request, pk):
        export = stix_exports.incident_stix_export(viewer=request.user, pk=pk, request=request)
        if export is None:
            raise NotFound
        return stix_response(export, f"incident-{pk}.stix.json")


class SearchStixApiView(StixApiView):
    @extend_schema(
        summary=_("Export a search of incidents as STIX 2.1"),
        operation_id="stix_incidents_search",
        description=_("The incidents that the filters of /api/v1/incidents/ find among those "
                      "you may see, newest first, at most 500, as one bundle."),
        filters=True,
        responses=STIX_RESPONSES,
        tags=["stix"],
    )
    def get(self, request):
        export = stix_exports.search_stix_export(viewer=request.user, params=request.GET,
                                                 request=request)
        return stix_response(export, "incidents.stix.json")

    # Only for drf-spectacular, which documents the list's filters from these: the export
    # filters through `stix_exports.search_stix_export`, never through DRF.
    filterset_class = ApiIncidentFilter
    filter_backends = [DjangoFilterBackend]
    queryset = Incident.objects.none()


class ThreadStixApiView(StixApiView):
    @extend_schema(
        summary=_("Export a thread's incident as STIX 2.1"),
        operation_id="stix_thread_incident",
        description=_("The incident a discussion is about, with the discussion's first "
                      "posts as a note. 404 when you may not see the thread or the incident, "
                      "or the thread is about no incident."),
        responses=STIX_RESPONSES,
        tags=["stix"],
    )
    def get(self, request, pk):
        export = stix_exports.thread_stix_export(viewer=request.user, pk=pk, request=request)
        if export is None:
            raise NotFound
        return stix_response(export, f"thread-{pk}.stix.json")


class SummaryStixApiView(StixApiView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("Export a federation summary as STIX 2.1"),
        operation_id="stix_federation_summary",
        description=_("A report whose objects are the TLP:GREEN and TLP:CLEAR incidents "
                      "shared with the federation during the period that you may see. For "
                      "active members of the federation's communities; anyone else gets 404."),
        parameters=[
            OpenApiParameter("slug", str, OpenApiParameter.PATH,
                             description=_("Slug of the federation.")),
            OpenApiParameter("period", str, OpenApiParameter.PATH,
                             description=_("First month of the period, YYYY-MM.")),
        ],
        responses=STIX_RESPONSES,
        tags=["stix"],
    )
    def get(self, request, slug, period):
        federation = Federation.objects.filter(slug=slug).first()
        if federation is None or not summary_readable_by(request.user, federation):
            raise NotFound
        summary = _summary(federation, period)
        if summary is None:
            raise NotFound
        export = stix_exports.summary_stix_export(viewer=request.user, summary=summary,
                                                  request=request)
        return stix_response(export, f"summary-{federation.slug}-{summary.period}.stix.json")

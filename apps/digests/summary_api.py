"""/api/v1/federations/<slug>/summaries/<YYYY-MM>/: a federation summary's JSON document, at a
stable address, for the active members of the federation's communities (a token or a
session); anyone else gets 404, as for a summary that does not exist. The document is the
one the page shows (`summaries.summary_document`), described field by field below so that
the OpenAPI schema tells clients exactly what they get."""

from django.core.exceptions import ValidationError
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.mixins import UserPreferencesMixin
from apps.communities.models import Federation
from apps.digests.summaries import (
    period_parse,
    summary_document,
    summary_for,
    summary_readable_by,
)
from apps.sharing.tlp import TLP

PERIOD_PATTERN = r"^\d{4}-\d{2}$"


class SummaryNamesSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(help_text=_("Japanese name."))
    name_en = serializers.CharField(help_text=_("English name; may be empty."))


class SummaryCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("New incidents, every TLP label."))
    category = serializers.DictField(child=serializers.IntegerField(),
                                     help_text=_("Per category code."))
    intent = serializers.DictField(child=serializers.IntegerField(),
                                   help_text=_("Per apparent intent code."))
    sector = serializers.DictField(child=serializers.IntegerField(),
                                   help_text=_("Per sector code; an incident may name several."))
    technique = serializers.DictField(child=serializers.IntegerField(),
                                      help_text=_("Per ATT&CK technique id."))


class SummaryCommunitySerializer(SummaryNamesSerializer):
    counted = serializers.BooleanField(
        help_text=_("False when the community's secretariat keeps its counts out of the "
                    "summary: then both counts are null."))
    counts = SummaryCountsSerializer(allow_null=True, help_text=_("This period."))
    previous = SummaryCountsSerializer(allow_null=True, help_text=_("The period before."))


class SummaryItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    community = serializers.CharField(help_text=_("Slug of the item's community."))
    title = serializers.CharField()
    tlp = serializers.ChoiceField(choices=[TLP.CLEAR.value, TLP.GREEN.value])
    category = serializers.CharField()
    excerpt = serializers.CharField(help_text=_("The beginning of its text, as plain text."))
    created_at = serializers.DateTimeField()
    source = SummaryNamesSerializer(allow_null=True,
                             help_text=_("The sharing organisation; null when it was shared "
                                         "via the secretariat (anonymously)."))
    url = serializers.CharField(help_text=_("Its page on this site."))


class SummaryCorroboratedValueSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("Indicator type."))
    value = serializers.CharField()
    communities = serializers.IntegerField(help_text=_("Communities it was reported in."))
    organizations = serializers.IntegerField(
        help_text=_("Organisations that reported or sighted it."))
    incidents = serializers.ListField(child=serializers.UUIDField(),
                                      help_text=_("The items that reported it."))


class SummaryCorroboratedCountSerializer(serializers.Serializer):
    communities = serializers.IntegerField()
    organizations = serializers.IntegerField()


class SummaryCorroborationSerializer(serializers.Serializer):
    values = SummaryCorroboratedValueSerializer(
        many=True, help_text=_("Values reported only in items shared with the federation "
                               "(TLP:GREEN or TLP:CLEAR): named."))
    others = SummaryCorroboratedCountSerializer(
        many=True, help_text=_("Values also reported in items that do not leave their "
                               "community: counts only."))


class SummaryPeriodSerializer(serializers.Serializer):
    id = serializers.RegexField(PERIOD_PATTERN, help_text=_("Its first month."))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text=_("The first moment after it."))
    previous = serializers.CharField(help_text=_("The period the trend compares with."))


class SummaryDocumentSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("Version of this document's format."))
    federation = SummaryNamesSerializer()
    period = SummaryPeriodSerializer()
    built_at = serializers.DateTimeField()
    communities = SummaryCommunitySerializer(many=True)
    techniques = serializers.DictField(child=serializers.CharField(),
                                       help_text=_("Name of each ATT&CK technique counted."))
    items = SummaryItemSerializer(many=True)
    corroboration = SummaryCorroborationSerializer()


class SummaryDocumentView(UserPreferencesMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("Read a federation summary"),
        description=_(
            "The two-monthly summary of a federation: per community, counts of new "
            "incidents by category, intent, sector and ATT&CK technique for the period and "
            "the one before; the TLP:GREEN and TLP:CLEAR items shared with the federation; "
            "indicator values reported in more than one community. For active members of "
            "the federation's communities; anyone else gets 404."),
        parameters=[
            OpenApiParameter("slug", str, OpenApiParameter.PATH,
                             description=_("Slug of the federation.")),
            OpenApiParameter("period", str, OpenApiParameter.PATH, pattern=PERIOD_PATTERN,
                             description=_("First month of the period, YYYY-MM (February, "
                                           "April, June, August, October or December).")),
        ],
        responses={200: SummaryDocumentSerializer},
        tags=["federations"],
    )
    def get(self, request, slug: str, period: str):
        federation = Federation.objects.filter(slug=slug).first()
        if federation is None or not summary_readable_by(request.user, federation):
            raise NotFound
        try:
            period = str(period_parse(period))
        except ValidationError:  # a month that starts no period: no such summary
            raise NotFound from None
        summary = summary_for(federation, period)
        if summary is None:
            raise NotFound
        document = {**summary_document(summary), "built_at": summary.built_at}
        return Response(SummaryDocumentSerializer(document).data)


app_name = "digests_api"

urlpatterns = [
    re_path(r"^federations/(?P<slug>[-a-zA-Z0-9_]+)/summaries/(?P<period>\d{4}-\d{2})/$",
            SummaryDocumentView.as_view(), name="summary"),
]

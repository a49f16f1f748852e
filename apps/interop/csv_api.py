"""/api/v1/csv/indicators/ (GET: the indicators you may see as CSV, with the lists' filters)
and /api/v1/csv/indicators/import/ (POST: a CSV file into an incident you may change — in a
JSON body, as every write of this API: as text, or its bytes in base64 for Shift_JIS).

Visibility comes from `apps.sharing` through `apps.interop.csv_io`; refusals are Django's
exceptions, answered by the project's one exception handler (400, 403, 404).
"""

import base64
import binascii

import django_filters
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.communities.models import Community
from apps.incidents.api.filters import IndicatorFilter
from apps.incidents.filters import IncidentFilter
from apps.incidents.models import Incident
from apps.incidents.services import incident_editor_check
from apps.interop import csv_io
from apps.interop.csv_views import attachment, content_type
from apps.sharing.exposure import ExposureFound
from apps.sharing.selectors import visible_one
from portal.api.schema import ErrorSerializer

TAG = "csv"


class CsvRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: text/csv``; the export itself is streamed, so this only
    ever writes a refusal (its message as one line of text)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            data = " ".join(
                " ".join(map(str, value)) if isinstance(value, list) else str(value)
                for value in data.values()
            )
        return str(data or "").encode("utf-8")


# --- the export's parameters, read from the two FilterSets it reuses --------------------------


def _filter_parameters() -> list[OpenApiParameter]:
    parameters, seen = [], set()
    for filterset in (IndicatorFilter, IncidentFilter):
        for name, flt in filterset.base_filters.items():
            if name in seen:
                continue
            seen.add(name)
            description = flt.extra.get("help_text") or flt.label or name
            if isinstance(flt, django_filters.RangeFilter):
                parameters += [OpenApiParameter(f"{name}_{end}", OpenApiTypes.DATETIME,
                                                description=description)
                               for end in ("after", "before")]
                continue
            kind, enum = OpenApiTypes.STR, None
            if isinstance(flt, django_filters.UUIDFilter):
                kind = OpenApiTypes.UUID
            elif isinstance(flt, django_filters.BooleanFilter):
                kind = OpenApiTypes.BOOL
            elif isinstance(flt, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter):
                enum = [value for value, _label in flt.extra["choices"]]
            many = isinstance(flt, django_filters.MultipleChoiceFilter)
            parameters.append(OpenApiParameter(
                name, {"type": "array", "items": {"type": "string", "enum": enum}} if many
                else kind, enum=None if many else enum, description=description,
                explode=True if many else None))
    return parameters


ENCODING_PARAMETER = OpenApiParameter(
    "encoding", OpenApiTypes.STR, enum=list(csv_io.Encoding.values),
    description=gettext_lazy("utf-8 (default, with a byte-order mark for Excel) or shift_jis "
                             "(cp932); a file Shift_JIS cannot write is refused (400).")
)


class IndicatorCsvExportApiView(APIView):
    permission_classes = [AllowAny]  # signed out: the indicators of TLP:CLEAR incidents
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        operation_id="csv_indicators_export",
        summary=gettext_lazy("Export the indicators you may see as CSV"),
        description=gettext_lazy(
            "The indicators of every incident you may see under TLP 2.0, narrowed by the "
            "filters of /api/v1/indicators/ (`community`, `incident`, `type`, `value`) and of "
            "/api/v1/incidents/ (`q`, `tlp`, `category`, dates, …). Columns: incident_id, "
            "incident_title, tlp, source (“via the secretariat” for an anonymous incident, "
            "always), type, value, first_seen, last_seen, note, created_at. Cells that a "
            "spreadsheet would run as a formula start with a quote. Streamed; the export is "
            "recorded in the community's audit trail."),
        parameters=[ENCODING_PARAMETER, *_filter_parameters()],
        responses={(200, "text/csv"): OpenApiResponse(
            OpenApiTypes.BINARY, description=gettext_lazy("The CSV file."))},
        tags=[TAG],
    )
    def get(self, request):
        params = request.query_params
        encoding = csv_io.encoding_read(params.get("encoding"))
        export = csv_io.indicators_for_export(user=request.user, params=params)
        csv_io.export_encodable(export, encoding)
        community = (Community.objects.filter(slug=params["community"]).first()
                     if params.get("community") else None)
        csv_io.export_record(export=export, actor=request.user, community=community,
                             encoding=encoding, request=request)
        response = StreamingHttpResponse(
            csv_io.indicators_csv_stream(export, encoding=encoding,
                                         language=translation.get_language(),
                                         tz=timezone.get_current_timezone()),
            content_type=content_type(encoding),
        )
        return attachment(response, csv_io.export_filename(
            scope=community.slug if community else "all", encoding=encoding))


# --- import -------------------------------------------------------------------------------


class CsvImportTargetSerializer(serializers.Serializer):
    incident = serializers.UUIDField(help_text=gettext_lazy("The incident to add to."))


class CsvImportSerializer(CsvImportTargetSerializer):
    content = serializers.CharField(
        required=False, trim_whitespace=False, help_text=gettext_lazy(
            "The CSV file as text (then read as UTF-8). Give this or `content_base64`."))
    content_base64 = serializers.CharField(
        required=False, help_text=gettext_lazy(
            "The CSV file's bytes in base64, in UTF-8 or Shift_JIS (see `encoding`)."))
    encoding = serializers.ChoiceField(
        choices=[csv_io.AUTO, *csv_io.Encoding.values], default=csv_io.AUTO,
        help_text=gettext_lazy("For `content_base64`: auto (default: UTF-8 with or without a "
                               "byte-order mark, else Shift_JIS), utf-8 or shift_jis."))
    skip_existing = serializers.BooleanField(
        default=False, help_text=gettext_lazy(
            "Skip rows already on the incident instead of refusing the file."))
    dry_run = serializers.BooleanField(
        default=False, help_text=gettext_lazy("Only check the file and say what would be "
                                              "added; nothing is saved."))
    confirmed = serializers.ListField(
        child=serializers.CharField(), required=False, default=list,
        help_text=gettext_lazy("Possibly identifying data you confirm may be shared; see "
                               "`exposures` of a dry run."))

    def validate(self, attrs):
        if ("content" in attrs) == ("content_base64" in attrs):
            raise serializers.ValidationError(
                {"content": _("Give the file either as `content` or as `content_base64`.")})
        if "content" in attrs:
            attrs["data"], attrs["encoding"] = attrs.pop("content").encode("utf-8"), "utf-8"
        else:
            try:
                attrs["data"] = base64.b64decode(attrs.pop("content_base64"), validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError(
                    {"content_base64": _("This is not base64.")}) from None
        return attrs


class CsvRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=gettext_lazy("Row number; the header is row 1."))
    type = serializers.CharField()
    value = serializers.CharField()
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    type_detected = serializers.BooleanField(
        help_text=gettext_lazy("The file gave no type: it was detected from the value."))


class CsvRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=gettext_lazy("Row number; 0: the file itself."))
    messages = serializers.ListField(child=serializers.CharField())


class CsvExposureSerializer(serializers.Serializer):
    kind = serializers.CharField()
    match = serializers.CharField(help_text=gettext_lazy("Confirm it by this text."))
    where = serializers.CharField()


class CsvImportResultSerializer(serializers.Serializer):
    incident = serializers.UUIDField()
    encoding = serializers.CharField(help_text=gettext_lazy("utf-8 or shift_jis: as read."))
    ok = serializers.BooleanField(help_text=gettext_lazy("No row has an error."))
    saved = serializers.BooleanField()
    rows_read = serializers.IntegerField()
    added = serializers.IntegerField()
    indicators = CsvRowSerializer(many=True, help_text=gettext_lazy(
        "What is (or would be) added."))
    skipped = CsvRowSerializer(many=True, help_text=gettext_lazy("Already on the incident."))
    errors = CsvRowErrorSerializer(many=True)
    exposures = CsvExposureSerializer(many=True, help_text=gettext_lazy(
        "Possibly identifying data not confirmed yet: nothing is saved until each is "
        "confirmed (`confirmed`) or its row removed."))
    detail = serializers.CharField(required=False)


def _row(row: csv_io.ImportRow) -> dict:
    return {"row": row.row, "type": row.type, "value": row.value,
            "first_seen": row.first_seen, "last_seen": row.last_seen, "note": row.note,
            "type_detected": row.type_detected}


def result_data(result: csv_io.CsvImport, *, confirmed=(), saved=False, detail=None) -> dict:
    data = {
        "incident": result.incident.pk,
        "encoding": result.encoding,
        "ok": result.ok,
        "saved": saved,
        "rows_read": len(result.rows),
        "added": len(result.added),
        "indicators": [_row(row) for row in result.to_add],
        "skipped": [_row(row) for row in result.skipped],
        "errors": [{"row": row, "messages": messages} for row, messages in result.errors],
        "exposures": [{"kind": finding.kind.label, "match": finding.match,
                       "where": finding.where} for finding in result.findings(confirmed)],
    }
    if detail:
        data["detail"] = detail
    return CsvImportResultSerializer(data).data



class IndicatorCsvImportApiView(APIView):
    @extend_schema(
        operation_id="csv_indicators_import",
        summary=gettext_lazy("Import indicators from a CSV file into an incident"),
        description=gettext_lazy(
            "The author or the secretariat of the incident only (404 for an incident you may "
            "not see, 403 for one you may not change — before the file is read). The file "
            "comes as `content` (text) or `content_base64` (its bytes, UTF-8 or Shift_JIS). A "
            "header row names the columns type, value, first_seen, last_seen, note (type "
            "optional: detected from the value; defanged values accepted). All or nothing: "
            "if any row has an error, or possibly identifying data is not confirmed, nothing "
            "is saved and the answer is 400 with the body of a dry run (`errors` with row "
            "numbers — the header is row 1 —, `exposures`). `dry_run` checks without saving."),
        request=CsvImportSerializer,
        responses={200: CsvImportResultSerializer, 201: CsvImportResultSerializer,
                   404: OpenApiResponse(ErrorSerializer, description=gettext_lazy(
                       "No such incident, or one you may not see."))},
        tags=[TAG],
    )
    def post(self, request):
        target = CsvImportTargetSerializer(data=request.data)
        target.is_valid(raise_exception=True)
        incident = visible_one(request.user, Incident.objects.all(),
                               target.validated_data["incident"]).first()
        if incident is None:
            raise NotFound
        incident_editor_check(incident=incident, actor=request.user)  # 403, file unread
        serializer = CsvImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        options = serializer.validated_data
        confirmed = options["confirmed"]
        arguments = {"incident": incident, "data": options["data"],
                     "encoding": options["encoding"], "skip_existing": options["skip_existing"]}
        if options["dry_run"]:
            result = csv_io.indicators_csv_read(**arguments)
            return Response(result_data(result, confirmed=confirmed), status=status.HTTP_200_OK)
        try:
            result = csv_io.indicators_csv_import(actor=request.user,
                                                  confirmed_exposures=confirmed, **arguments)
        except csv_io.CsvRejected as error:
            return Response(result_data(error.result, confirmed=confirmed),
                            status=status.HTTP_400_BAD_REQUEST)
        except ExposureFound as error:
            result = csv_io.indicators_csv_read(**arguments)
            return Response(result_data(result, confirmed=confirmed,
                                        detail=" ".join(error.messages)),
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(result_data(result, saved=True), status=status.HTTP_201_CREATED)

"""POST /api/v1/imports/: a STIX 2.1 bundle or a MISP event read into a draft that its author
reviews on the web before anything is shared (the answer gives the review page).

The file comes as ``multipart/form-data`` (``file``, with ``community``) or as the JSON body
itself (``application/json`` or ``application/stix+json``, with ``?community=``); its kind is
told from the content. Refusals come from `apps.interop.imports` and are answered by the
project's exception handler (400 with ``detail`` or the field)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.api.mixins import UserPreferencesMixin
from apps.communities.api.scopes import communities_for
from apps.interop import imports
from apps.interop.models import ImportSource
from apps.sharing.tlp import TLP


class RawJSONParser(BaseParser):
    """The body as bytes, read no further than the import's limit: `imports` decodes,
    parses and refuses it in the reader's language."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return b""
        data = stream.read(imports.MAX_BYTES + 1)
        return data


class RawStixParser(RawJSONParser):
    media_type = "application/stix+json"


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy(
        "A STIX 2.1 bundle or a MISP event exported as JSON, UTF-8, at most 10 MB."))
    community = serializers.SlugField(help_text=gettext_lazy(
        "Slug of the community to share in (or give it as ?community=)."), required=False)


class UnknownTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    count = serializers.IntegerField()


class ImportDraftSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text=gettext_lazy("The draft's id."))
    review_url = serializers.URLField(help_text=gettext_lazy(
        "The page where the author reviews the draft and shares it."))
    source = serializers.ChoiceField(choices=ImportSource.choices,
                                     help_text=gettext_lazy("What the file was read as."))
    title = serializers.CharField(allow_blank=True)
    tlp = serializers.ChoiceField(choices=TLP.choices, allow_null=True, help_text=gettext_lazy(
        "The label read from the markings or tags (the strictest of them); null: none was "
        "found and the author must choose one."))
    indicator_count = serializers.IntegerField()
    techniques = serializers.ListField(child=serializers.CharField())
    unknown = UnknownTypeSerializer(many=True, help_text=gettext_lazy(
        "Object types in the file that are not imported, with how many of each."))
    warnings = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy(
        "What was read with a remark: patterns not understood, invalid values, …"))


class ImportCreateView(UserPreferencesMixin, APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, RawJSONParser, RawStixParser]

    @extend_schema(
        operation_id="imports_create",
        summary=gettext_lazy("Import a STIX bundle or a MISP event as a draft"),
        description=gettext_lazy(
            "Send the file as multipart (`file`, `community`) or as the JSON body with "
            "`?community=`. STIX or MISP is told from the content. The draft is seen by you "
            "alone until you review it at `review_url` and share it: the label (or null), "
            "the indicators read and the object types not imported are returned. 400 for a "
            "file that is not UTF-8 JSON, not a bundle or event, or larger than 10 MB."),
        parameters=[OpenApiParameter("community", OpenApiTypes.STR, OpenApiParameter.QUERY,
                                     required=False, description=gettext_lazy(
                                         "Slug of the community (for a JSON body)."))],
        request={"multipart/form-data": ImportUploadSerializer,
                 "application/json": OpenApiTypes.OBJECT,
                 "application/stix+json": OpenApiTypes.OBJECT},
        responses={201: ImportDraftSerializer},
        tags=["interop"],
    )
    def post(self, request, *args, **kwargs):
        body = request.data
        slug = request.query_params.get("community")
        if isinstance(body, bytes):
            data, filename = body, ""
            if not body.strip():
                raise ValidationError({"detail": _("Send the STIX bundle or MISP event as the "
                                                   "body, or as a multipart file.")})
        else:
            slug = slug or body.get("community")
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": [_("Send the STIX bundle or MISP event as "
                                                  "“file”.")]})
            data, filename = upload, upload.name
        if not slug:
            raise ValidationError({"community": [_("Name the community: its slug.")]})
        community = communities_for(request.user).filter(slug=slug).first()
        if community is None:
            raise ValidationError({"community": [_("No community of yours has this slug.")]})
        draft = imports.import_draft_create(author=request.user, community=community,
                                            source=None, filename=filename, data=data)
        payload = draft.payload
        answer = {
            "id": draft.pk,
            "review_url": request.build_absolute_uri(
                reverse("interop:import_review", args=[community.slug, draft.pk])),
            "source": draft.source,
            "title": payload.get("title") or "",
            "tlp": payload.get("tlp"),
            "indicator_count": len(payload.get("indicators") or ()),
            "techniques": payload.get("techniques") or [],
            "unknown": payload.get("unknown") or [],
            "warnings": payload.get("warnings") or [],
        }
        return Response(ImportDraftSerializer(answer).data, status=status.HTTP_201_CREATED)

"""The OpenAPI schema documents the refusals every endpoint can give, not only its success.

drf-spectacular describes the answer a view gives when all goes well; DRF also answers 400
(invalid input or a refused write), 401 (a missing or bad token), 403 (allowed to see, not to
change), 404 (missing — or not yours to see, which reads the same), 415 (a body in a
media type it does not read) and 429 (throttled).
`AutoSchema` adds each of them to an operation when the operation can give it, so that a
client generated from the schema knows every status the server sends.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal other than invalid input."""

    detail = serializers.CharField(help_text=_("What went wrong, in your language."))


VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "type": "object",
        "description": _(
            "Each refused field names its messages (a list of strings, or for a list of "
            "objects a list of per-item errors); `detail` holds a refusal of the request as a "
            "whole, `exposures` the identifying data that must be confirmed or redacted."),
        "additionalProperties": {},
    },
)

NO_NUL = r"^[^\x00]*$"
NOT_BLANK_NO_NUL = r"^[^\x00]*\S[^\x00]*$"

# Query parameters whose bad value is "no such page" (404), not invalid input (400): DRF
# answers an unknown ``?format=`` (documented where a view has several renderers) with 404.
PAGE_PARAMETERS = {"page", "cursor", "format"}


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF's text fields refuse NUL characters and, unless blank is allowed, text that
        # is only spaces (it trims first). Free text says so; slugs, e-mail addresses and
        # URLs already have a pattern or format that excludes both.
        if (direction == "request" and isinstance(field, serializers.CharField)
                and not field.read_only and schema.get("type") == "string"
                and not {"enum", "format", "pattern"} & schema.keys()):
            schema["pattern"] = (NO_NUL if field.allow_blank or not field.trim_whitespace
                                 else NOT_BLANK_NO_NUL)
        return schema

    def _get_request_for_media_type(self, serializer, direction="request"):
        # drf-spectacular documents every PATCH body as partial (all fields optional), as
        # DRF's UpdateModelMixin reads it; a view that validates the whole body marks its
        # serializer ``partial_on_patch = False`` and is documented with its required fields.
        if self.method == "PATCH" and not getattr(serializer, "partial_on_patch", True):
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code, description in self._refusals(operation).items():
            if code in responses:
                continue
            if code == "400":
                self.registry.register_on_missing(VALIDATION_ERROR)
                body = OpenApiResponse(response=VALIDATION_ERROR.ref, description=description)
            else:
                body = OpenApiResponse(response=ErrorSerializer, description=description)
            responses[code] = self._get_response_for_code(body, code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _refusals(self, operation) -> dict[str, str]:
        """The error statuses this operation can answer, each with why."""
        parameters = operation.get("parameters", [])
        path_parameters = [p for p in parameters if p["in"] == "path"]
        query_parameters = {p["name"] for p in parameters if p["in"] == "query"}
        writes = self.method not in permissions.SAFE_METHODS
        takes_body = "requestBody" in operation
        refusals = {}
        if writes or query_parameters - PAGE_PARAMETERS:
            refusals["400"] = _("Invalid input, or a change the rules refuse; nothing is "
                                "saved.")
        if self.view.authentication_classes:
            refusals["401"] = _("Missing, invalid, expired or revoked credentials.")
        # A permission class that may refuse a read says so with `refuses_reads = True`.
        if writes or any(getattr(p, "refuses_reads", False) for p in self.view.get_permissions()):
            refusals["403"] = _("You may see this but not do this.")
        if path_parameters:
            refusals["404"] = _("No such object, or one you may not see: the answer is the "
                                "same.")
        elif query_parameters & PAGE_PARAMETERS:
            refusals["404"] = _("No such page.")
        if takes_body:
            refusals["415"] = _("The body is not in one of the documented media types.")
        if self.view.get_throttles():
            refusals["429"] = _("Too many requests: wait and try again.")
        return refusals

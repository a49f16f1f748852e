"""The OpenAPI text of the meetings API, beside its viewsets."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

TAG = "meetings"

series = extend_schema_view(
    list=extend_schema(
        summary=_("List meeting series"),
        description=_("The years of meetings (April to March) of the communities where you "
                      "are an active member, newest first."),
        tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Read a meeting series"),
        description=_("A series of a community you are not an active member of answers 404."),
        tags=[TAG]),
)

meetings = extend_schema_view(
    list=extend_schema(
        summary=_("List meetings"),
        description=_("The meetings of the communities where you are an active member, "
                      "newest first, with their agenda and the address of their calendar "
                      "file."),
        tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Read a meeting"),
        description=_("A meeting of a community you are not an active member of answers "
                      "404."),
        tags=[TAG]),
)

minutes = extend_schema_view(
    list=extend_schema(
        summary=_("List minutes"),
        description=_("The published minutes you may read under their TLP label (and the "
                      "drafts of the communities where you are the chair or the secretariat), "
                      "newest first."),
        tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Read minutes"),
        description=_("Minutes outside your audience answer 404, like minutes that do not "
                      "exist."),
        tags=[TAG]),
)

materials = extend_schema_view(
    list=extend_schema(
        summary=_("List materials"),
        description=_("The meeting materials you may download under their TLP label, newest "
                      "first; each carries its download address."),
        tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Read a material's details"),
        description=_("A material outside your audience answers 404, like one that does not "
                      "exist."),
        tags=[TAG]),
)

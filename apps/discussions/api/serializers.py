"""How the API shows threads and posts. No field names the author or their organisation
directly: the source is what `apps.sharing` lets the caller read ("via the secretariat" for
an anonymous thread), and the thread author's posts in an anonymous thread say the same."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.discussions.models import Post, PostRevision, Thread
from apps.sharing.tlp import TLP
from portal.markdown import render_markdown

REDACTORS = [("author", _("the author")), ("secretariat", _("the secretariat"))]


def confirmed_exposures_field():
    return serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text=_(
            "Details flagged as possibly identifying the victim (e-mail addresses, user "
            "names, internal host names, private IPs) that you confirm may be shared, each "
            "as the text found. Unconfirmed findings are a 400 listing them."
        ),
    )


class ThreadSerializer(serializers.ModelSerializer):
    """Expects threads passed through `selectors.threads_decorate`."""

    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tlp_label = serializers.SerializerMethodField(help_text=_("FIRST's spelling, e.g. TLP:AMBER"))
    source = serializers.CharField(
        source="source_text",
        read_only=True,
        help_text=_("The organisation that shared it, or “via the secretariat”."),
    )
    incident = serializers.SerializerMethodField(
        help_text=_("Id of the incident discussed, if you may see it.")
    )
    post_count = serializers.IntegerField(read_only=True, help_text=_("Posts not deleted."))
    recipient_organizations = serializers.SerializerMethodField(
        help_text=_(
            "Slugs of the organisations chosen (TLP:AMBER, TLP:AMBER+STRICT); null when "
            "the source is hidden from you."
        )
    )
    recipient_users = serializers.SerializerMethodField(
        help_text=_("Names of the people chosen (TLP:RED); null when the source is hidden.")
    )

    class Meta:
        model = Thread
        fields = [
            "id",
            "community",
            "title",
            "tlp",
            "tlp_label",
            "anonymous",
            "federated",
            "source",
            "incident",
            "post_count",
            "created_at",
            "last_post_at",
            "recipient_organizations",
            "recipient_users",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_tlp_label(self, obj) -> str:
        return TLP(obj.tlp).label

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_incident(self, obj):
        return str(obj.visible_incident.pk) if obj.visible_incident else None

    @extend_schema_field({"type": "array", "items": {"type": "string"}, "nullable": True})
    def get_recipient_organizations(self, obj):
        if not obj.shows_recipients:
            return None
        return sorted(org.slug for org in obj.recipient_organizations.all())

    @extend_schema_field({"type": "array", "items": {"type": "string"}, "nullable": True})
    def get_recipient_users(self, obj):
        if not obj.shows_recipients:
            return None
        return sorted(user.get_full_name() for user in obj.recipient_users.all())


# Every spelling the schema promises: CLEAR … RED, and TLP:CLEAR … TLP:RED.
TLP_SPELLINGS = [*TLP.values, *TLP.labels]


@extend_schema_field({"type": "string", "enum": TLP_SPELLINGS})
class TLPInputField(serializers.CharField):
    """A label as FIRST writes it, with or without ``TLP:``; `apps.sharing.tlp.parse_tlp`
    reads it (and is lenient about case and spaces, which the schema does not promise)."""


class ThreadCreateSerializer(serializers.Serializer):
    community = serializers.SlugField(help_text=_("Slug of the community to share in."))
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text=_("The first post, in Markdown."))
    tlp = TLPInputField(
        help_text=_("CLEAR, GREEN, AMBER, AMBER+STRICT or RED (TLP: prefix optional).")
    )
    organizations = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "AMBER / AMBER+STRICT: slugs of the recipient organisations (default: every "
            "member organisation; your own is always added)."
        ),
    )
    users = serializers.ListField(
        child=serializers.EmailField(),
        required=False,
        default=list,
        help_text=_("RED: e-mail addresses of the named members."),
    )
    federated = serializers.BooleanField(
        default=False, help_text=_("GREEN / CLEAR only: also share with the federation.")
    )
    anonymous = serializers.BooleanField(
        default=False, help_text=_("Shown as “via the secretariat” to all but the secretariat.")
    )
    incident = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of an incident you can see, in the same community."),
    )
    confirmed_exposures = confirmed_exposures_field()


class ThreadUpdateSerializer(serializers.Serializer):
    anonymous = serializers.BooleanField(
        help_text=_(
            "false names the organisation that opened the thread (its author only; "
            "recorded); true shows “via the secretariat” from now on (author or secretariat)."
        )
    )


class ThreadAudienceSerializer(serializers.Serializer):
    tlp = TLPInputField(help_text=_("The new label."))
    organizations = serializers.ListField(
        child=serializers.SlugField(), required=False, allow_null=True, default=None
    )
    users = serializers.ListField(child=serializers.EmailField(), required=False, default=list)
    federated = serializers.BooleanField(default=False)


class PostSerializer(serializers.ModelSerializer):
    """Expects posts passed through `selectors.posts_decorate`."""

    thread = serializers.UUIDField(source="thread_id", read_only=True)
    parent = serializers.UUIDField(source="parent_id", read_only=True, allow_null=True)
    author = serializers.CharField(
        source="poster",
        read_only=True,
        allow_null=True,
        help_text=_("The author's name; null when hidden (anonymous thread)."),
    )
    source = serializers.CharField(
        source="source_text",
        read_only=True,
        help_text=_("The author's organisation, or “via the secretariat”."),
    )
    body = serializers.SerializerMethodField(help_text=_("Markdown; empty once deleted."))
    body_html = serializers.SerializerMethodField(help_text=_("Sanitised HTML of the body."))
    revision_count = serializers.IntegerField(read_only=True)
    yours = serializers.BooleanField(source="is_own", read_only=True)
    redacted_by = serializers.ChoiceField(
        choices=REDACTORS,
        source="redacted_by_role",
        read_only=True,
        allow_null=True,
        help_text=_("Who purged the current text (its words are gone), or null."),
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "parent",
            "author",
            "source",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "deleted",
            "revision_count",
            "yours",
            "redacted_by",
            "redacted_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_body(self, obj) -> str:
        return "" if obj.deleted else obj.body

    @extend_schema_field(OpenApiTypes.STR)
    def get_body_html(self, obj) -> str:
        return "" if obj.deleted else str(render_markdown(obj.body))


class PostCreateSerializer(serializers.Serializer):
    thread = serializers.UUIDField(help_text=_("Id of a thread you can see."))
    body = serializers.CharField(help_text=_("Markdown."))
    parent = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the post you answer, in the same thread."),
    )
    confirmed_exposures = confirmed_exposures_field()


class PostEditSerializer(serializers.Serializer):
    partial_on_patch = False  # PATCH /posts/{id}/ needs the new body (portal.api.schema)

    body = serializers.CharField(help_text=_("The new text; the old one is kept."))
    confirmed_exposures = confirmed_exposures_field()


class PostRevisionSerializer(serializers.ModelSerializer):
    """An earlier text. The editor is always the post's author, so no name is given; nor
    for a purge, whose maker is told by role only."""

    body = serializers.CharField(read_only=True, help_text=_("Empty once purged."))
    redacted_by = serializers.ChoiceField(
        choices=REDACTORS,
        source="redacted_by_role",
        read_only=True,
        allow_null=True,
        help_text=_("Who purged this text (its words are gone), or null."),
    )

    class Meta:
        model = PostRevision
        fields = ["id", "body", "edited_at", "redacted_by", "redacted_at"]
        read_only_fields = fields

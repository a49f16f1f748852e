"""How the API shows a year of meetings and each meeting, with the addresses scripts fetch
(a meeting's calendar)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.meetings.models import (
    AgendaComment,
    AgendaItem,
    Material,
    Meeting,
    MeetingSeries,
    Minutes,
)
from apps.sharing.tlp import TLP
from portal.markdown import render_markdown


def _absolute(serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request else path


class SeriesSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    chair = serializers.SerializerMethodField(help_text=_("The chair's name, if named."))
    organizations = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    report_url = serializers.SerializerMethodField(
        help_text=_("The year's activity report (add ?format=md for Markdown); a session or "
                    "an API token."))

    class Meta:
        model = MeetingSeries
        fields = ["id", "community", "fiscal_year", "title", "title_en", "purpose", "chair",
                  "organizations", "summary", "report_url"]
        read_only_fields = fields

    def get_chair(self, series) -> str | None:
        return series.chair.get_full_name() if series.chair else None

    def get_report_url(self, series) -> str:
        return _absolute(self, reverse("meetings:report", args=[series.community.slug,
                                                                 series.pk]))


class AgendaCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaComment
        fields = ["kind", "speaker", "text", "answer", "answered_by", "from_chat"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter = serializers.CharField(source="presenter_name", read_only=True,
                                      help_text=_("A member's name, or a guest's with "
                                                  "organisation and title."))
    comments = AgendaCommentSerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["position", "theme", "presenter", "is_guest", "duration_minutes", "summary",
                  "comments"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    ics_url = serializers.SerializerMethodField(
        help_text=_("The meeting as an iCalendar file (a session or an API token)."))

    class Meta:
        model = Meeting
        fields = ["id", "community", "series", "number", "title", "title_en", "starts_at",
                  "ends_at", "time_zone", "status", "location", "online_url", "video_url",
                  "summary", "agenda", "ics_url"]
        read_only_fields = fields

    def get_ics_url(self, meeting) -> str:
        return _absolute(self, reverse("meetings:ics", args=[meeting.community.slug,
                                                              meeting.pk]))


class SharedMeetingContentSerializer(serializers.ModelSerializer):
    """Minutes and materials, passed through `selectors.shared_decorate`: the source is the
    organisation, or "via the secretariat" when hidden from the caller."""

    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    meeting = serializers.UUIDField(source="meeting_id", read_only=True)
    tlp_label = serializers.SerializerMethodField(help_text=_("FIRST's spelling, e.g. TLP:AMBER"))
    source = serializers.SerializerMethodField(
        help_text=_("The organisation that shared it, or “via the secretariat”."))

    def get_tlp_label(self, obj) -> str:
        return TLP(obj.tlp).label

    def get_source(self, obj) -> str:
        return obj.source.display_name if obj.source else str(_("via the secretariat"))


class MinutesSerializer(SharedMeetingContentSerializer):
    body_html = serializers.SerializerMethodField(help_text=_("The text as sanitised HTML."))
    url = serializers.SerializerMethodField(help_text=_("The minutes' page in the portal."))

    class Meta:
        model = Minutes
        fields = ["id", "community", "meeting", "title", "tlp", "tlp_label", "source", "status",
                  "body", "body_html", "created_at", "updated_at", "published_at", "url"]
        read_only_fields = fields

    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body))

    def get_url(self, obj) -> str:
        return _absolute(self, obj.get_absolute_url())


class MaterialSerializer(SharedMeetingContentSerializer):
    download_url = serializers.SerializerMethodField(
        help_text=_("The file; a session or an API token (404 outside its audience)."))

    class Meta:
        model = Material
        fields = ["id", "community", "meeting", "title", "description", "tlp", "tlp_label",
                  "source", "filename", "content_type", "size", "sha256", "created_at",
                  "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return _absolute(self, obj.get_download_url())

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.meetings.models import (
    AgendaComment,
    AgendaItem,
    Attendance,
    Material,
    Meeting,
    MeetingSeries,
    Minutes,
)
from apps.meetings.selectors import minutes_readable
from apps.sharing.admin import ContentAdmin
from portal.admin import OperatorAdmin


def _save_in_community(formset, community_id) -> None:
    """What an inline adds belongs to its parent's community."""
    for obj in formset.save(commit=False):
        obj.community_id = community_id
        obj.save()
    for obj in formset.deleted_objects:
        obj.delete()
    formset.save_m2m()


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["number", "title", "starts_at", "ends_at", "status", "location"]
    show_change_link = True


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(OperatorAdmin):
    list_display = ["title", "community", "fiscal_year", "chair"]
    list_filter = ["community", "fiscal_year"]
    search_fields = ["title", "title_en"]
    list_select_related = ["community", "chair"]
    raw_id_fields = ["chair"]
    filter_horizontal = ["advisors", "organizations"]
    inlines = [MeetingInline]

    def save_formset(self, request, form, formset, change):
        _save_in_community(formset, form.instance.community_id)


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "theme", "presenter", "guest_name", "guest_organization",
              "guest_title", "duration_minutes", "summary"]
    raw_id_fields = ["presenter"]
    show_change_link = True


class AttendanceInline(admin.TabularInline):
    """Who answered, and after the meeting who came."""

    model = Attendance
    extra = 0
    fields = ["user", "guest_name", "guest_email", "organization", "guest_organization", "role",
              "answer", "attended"]
    raw_id_fields = ["user", "organization"]


@admin.register(Meeting)
class MeetingAdmin(OperatorAdmin):
    list_display = ["__str__", "number", "community", "series", "starts_at", "status",
                    "location"]
    list_filter = ["community", "status", "series__fiscal_year"]
    search_fields = ["title", "title_en", "agenda__theme", "agenda__guest_name"]
    list_select_related = ["community", "series"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["series", "note_takers"]
    inlines = [AgendaItemInline, AttendanceInline]

    def save_formset(self, request, form, formset, change):
        _save_in_community(formset, form.instance.community_id)


class AgendaCommentInline(admin.StackedInline):
    model = AgendaComment
    extra = 0
    fields = ["position", "kind", "speaker", "text", "answer", "answered_by", "from_chat"]


@admin.register(AgendaItem)
class AgendaItemAdmin(OperatorAdmin):
    list_display = ["theme", "meeting", "position"]
    list_select_related = ["meeting"]
    search_fields = ["theme", "guest_name"]
    raw_id_fields = ["meeting", "presenter"]
    exclude = ["community"]
    inlines = [AgendaCommentInline]

    def save_model(self, request, obj, form, change):
        obj.community_id = obj.meeting.community_id
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        _save_in_community(formset, form.instance.community_id)


class MeetingContentAdmin(ContentAdmin):
    """Minutes and materials: what the operator could see in the portal, linking there."""

    list_filter = ["tlp"]
    search_fields = ["title"]
    list_select_related = ["community", "meeting"]

    @admin.display(description=_("Portal page"))
    def portal_link(self, item) -> str:
        return format_html('<a href="{}">{}</a>', item.get_absolute_url(),
                           _("Open in the portal"))


@admin.register(Minutes)
class MinutesAdmin(MeetingContentAdmin):
    list_display = ["title", "community", "meeting", "tlp", "status", "created_at", "portal_link"]
    list_filter = ["tlp", "status"]

    def scope(self, user, queryset):
        return minutes_readable(user, queryset)  # drafts: as in the portal, organisers only


@admin.register(Material)
class MaterialAdmin(MeetingContentAdmin):
    list_display = ["title", "community", "meeting", "tlp", "size", "created_at", "portal_link"]


# ---- surveys --------------------------------------------------------------------------------
# Imported here, below the rest, so that this part stays one block at the end of the file.
from django.db.models import Count  # noqa: E402

from apps.meetings.models import Question, Survey  # noqa: E402


class QuestionInline(admin.TabularInline):
    """The questions as the chair wrote them in the portal, where the rules are kept (no
    change once members answered): shown here, not edited."""

    model = Question
    extra = 0
    fields = ["position", "text", "kind", "required", "choice_list"]
    readonly_fields = fields

    @admin.display(description=_("choices"))
    def choice_list(self, question) -> str:
        return " / ".join(choice.text for choice in question.choices.all())

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(OperatorAdmin):
    """Surveys and how many answered. The answers themselves — free texts above all — stay
    in the portal's results, which name no member: the admin lists none of them."""

    list_display = ["title", "community", "series", "closes_at", "names_organizations",
                    "in_report", "respondents"]
    list_filter = ["community", "names_organizations", "in_report"]
    search_fields = ["title"]
    list_select_related = ["community", "series"]
    fields = ["title", "description", "community", "series", "meeting", "names_organizations",
              "in_report", "closes_at", "created_by", "created_at"]
    # Naming organisations is decided before anyone answers (`surveys.survey_update`).
    readonly_fields = ["community", "series", "meeting", "names_organizations", "created_by",
                       "created_at"]
    inlines = [QuestionInline]

    def has_add_permission(self, request):
        return False  # a survey is prepared in the portal, by its community's organisers

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(respondent_count=Count("responses"))

    @admin.display(description=_("answers"), ordering="respondent_count")
    def respondents(self, survey) -> int:
        return survey.respondent_count

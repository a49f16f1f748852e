from django.contrib import admin

from apps.meetings.models import Meeting, MeetingSeries
from portal.admin import OperatorAdmin


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["number", "title", "starts_at", "ends_at", "location"]
    show_change_link = True


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(OperatorAdmin):
    list_display = ["title", "community", "fiscal_year"]
    list_filter = ["community", "fiscal_year"]
    search_fields = ["title", "title_en"]
    list_select_related = ["community"]
    inlines = [MeetingInline]

    def save_formset(self, request, form, formset, change):
        # A meeting added inline belongs to its series' community.
        for meeting in formset.save(commit=False):
            meeting.community_id = form.instance.community_id
            meeting.save()
        for meeting in formset.deleted_objects:
            meeting.delete()


@admin.register(Meeting)
class MeetingAdmin(OperatorAdmin):
    list_display = ["__str__", "number", "community", "series", "starts_at", "location"]
    list_filter = ["community", "series__fiscal_year"]
    search_fields = ["title", "title_en", "presenters"]
    list_select_related = ["community", "series"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["series"]

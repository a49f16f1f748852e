"""The state of every e-mail and job, for the secretariat's administrators: what was sent,
what had nothing to say, what failed and why (and is retried). Read-only: the jobs write
these rows; nobody edits them by hand. No content is shown — a digest's items are not
stored, only their number — and notices are not listed at all: that an item was addressed
to someone is itself something only the portal's own rules may tell."""

from django.contrib import admin

from apps.digests.models import DigestDelivery, JobFailure, Summary, SummaryDelivery
from portal.admin import ReadOnlyAdmin


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["user", "frequency", "period", "status", "item_count", "attempts",
                    "sent_at", "error"]
    list_filter = ["status", "frequency"]
    search_fields = ["user__email", "period"]
    list_select_related = ["user"]
    date_hierarchy = "claimed_at"


@admin.register(Summary)
class SummaryAdmin(ReadOnlyAdmin):
    list_display = ["federation", "period", "starts_at", "ends_at", "built_at"]
    list_filter = ["federation"]
    list_select_related = ["federation"]
    exclude = ["data"]


@admin.register(SummaryDelivery)
class SummaryDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["summary", "user", "status", "attempts", "sent_at", "error"]
    list_filter = ["status"]
    list_select_related = ["summary__federation", "user"]


@admin.register(JobFailure)
class JobFailureAdmin(ReadOnlyAdmin):
    list_display = ["failed_at", "task", "retrying", "error"]
    list_filter = ["retrying", "task"]
    search_fields = ["task", "task_id", "error"]

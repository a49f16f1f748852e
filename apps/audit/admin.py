from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.audit.models import ANONYMOUS_AUTHOR, AuditEvent
from apps.audit.presentation import detail_text
from portal.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only, for superusers. The actor of an act on an anonymous item by its own author
    is masked: the operator is not the hub that may know the source."""

    list_display = ["at", "who", "community", "action", "target_label", "ip_address"]
    list_filter = ["action", "community"]
    search_fields = ["target_id", "target_label"]
    list_select_related = ["community"]
    date_hierarchy = "at"
    fields = ["at", "who", "community", "action", "target_type", "target_id", "target_label",
              "summary", "ip_address", "user_agent"]
    readonly_fields = fields

    @admin.display(description=_("actor"))
    def who(self, event: AuditEvent) -> str:
        if event.detail.get(ANONYMOUS_AUTHOR):
            return _("the author of an anonymous item")
        return event.actor_email or "—"

    @admin.display(description=_("detail"))
    def summary(self, event: AuditEvent) -> str:
        return detail_text(event.detail)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

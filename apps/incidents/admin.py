"""Incidents in Django admin, under the portal's rules: a superuser lists only what they could
see in the portal ("No back door"), reads it without editing it (audiences change only
through `sharing`), and never learns the source of an anonymous item."""

from django.contrib import admin

from apps.incidents.models import Incident
from apps.sharing.selectors import source_organization, visible_to

FIELDS = (
    "community",
    "title",
    "summary",
    "category",
    "intent",
    "status",
    "detected_at",
    "tlp",
    "federated",
    "anonymous",
    "author",
    "author_organization",
    "recipient_organizations",
    "recipient_users",
    "created_at",
    "updated_at",
)
SOURCE_FIELDS = ("author", "author_organization", "recipient_organizations")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "tlp", "category", "status", "created_at"]
    list_filter = ["tlp", "category", "status"]
    search_fields = ["title"]
    list_select_related = ["community"]

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request))

    def get_fields(self, request, obj=None):
        if obj is not None and source_organization(obj, request.user) is None:
            return [field for field in FIELDS if field not in SOURCE_FIELDS]
        return list(FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

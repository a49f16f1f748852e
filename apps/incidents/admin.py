"""Incidents in Django admin, under the portal's rules: a superuser lists only what they could
see in the portal ("No back door"), reads it without editing it (audiences change only
through `sharing`), and never learns the source of an anonymous item."""

from django.contrib import admin

from apps.incidents.models import AttackTechnique, Incident, Indicator
from apps.incidents.selectors import indicators_visible_to
from apps.sharing.selectors import source_organization, visible_to

FIELDS = (
    "community",
    "title",
    "summary",
    "category",
    "intent",
    "status",
    "detected_at",
    "occurred_at",
    "sectors",
    "attack_stage",
    "techniques",
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


@admin.register(AttackTechnique)
class AttackTechniqueAdmin(admin.ModelAdmin):
    """Reference data, refreshed by `load_attack`; read-only here."""

    list_display = ["id", "name", "tactics", "is_subtechnique", "deprecated"]
    list_filter = ["deprecated", "is_subtechnique"]
    search_fields = ["id", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Indicators of the incidents the superuser could see in the portal, read-only; who
    added one is not shown (it would name the source of an anonymous incident)."""

    list_display = ["value", "type", "community", "created_at"]
    list_filter = ["type"]
    search_fields = ["value"]
    fields = ["community", "incident", "type", "value", "first_seen", "last_seen", "note"]
    readonly_fields = fields
    list_select_related = ["community"]

    def get_queryset(self, request):
        return indicators_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

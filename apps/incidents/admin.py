"""Incidents in Django admin: the list of those the operator could see in the portal, each
linking to its portal page (see `apps.sharing.admin.ContentAdmin`). Indicators have no admin:
a list of every visible indicator value would be an export that nobody records."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.incidents.models import AttackTechnique, Incident
from apps.sharing.admin import ContentAdmin
from portal.admin import ReadOnlyAdmin


@admin.register(Incident)
class IncidentAdmin(ContentAdmin):
    list_display = ["title", "community", "tlp", "category", "status", "created_at", "portal_link"]
    list_filter = ["tlp", "category", "status"]
    search_fields = ["title"]
    list_select_related = ["community"]

    @admin.display(description=_("Portal page"))
    def portal_link(self, incident: Incident) -> str:
        url = reverse("incidents:detail", args=[incident.community.slug, incident.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open in the portal"))


@admin.register(AttackTechnique)
class AttackTechniqueAdmin(ReadOnlyAdmin):
    """Reference data, refreshed by `load_attack`; read-only here."""

    list_display = ["id", "name", "tactics", "is_subtechnique", "deprecated"]
    list_filter = ["deprecated", "is_subtechnique"]
    search_fields = ["id", "name"]

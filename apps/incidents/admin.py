"""Incidents in Django admin: the list of those the operator could see in the portal, each
linking to its portal page (see `apps.sharing.admin.ContentAdmin`). Indicators have no admin:
a list of every visible indicator value would be an export that nobody records."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.incidents import actor_selectors
from apps.incidents.models import AttackTechnique, Campaign, Incident, ThreatActor
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


class _RecordAdmin(ContentAdmin):
    """Threat actors and campaigns: the records of the communities where the operator is an
    active member, as in the portal, with the count of incidents *they* may see. No change
    form (their writers are the community's members, in the portal); timeline entries have
    no admin at all — they are incident content."""

    list_display = ["name", "name_en", "community", "incident_count"]
    search_fields = ["name", "name_en", "aliases"]

    @admin.display(description=_("Incidents you may see"))
    def incident_count(self, record) -> int:
        return record.incident_count


@admin.register(ThreatActor)
class ThreatActorAdmin(_RecordAdmin):
    def scope(self, user, queryset):
        return actor_selectors.threat_actors_for(user).filter(pk__in=queryset.values("pk"))


@admin.register(Campaign)
class CampaignAdmin(_RecordAdmin):
    def scope(self, user, queryset):
        return actor_selectors.campaigns_for(user).filter(pk__in=queryset.values("pk"))

from django.contrib import admin

from apps.communities.admin_audit import MembershipAuditMixin, MembershipInlineAuditMixin
from apps.communities.groups import federation_sync_groups
from apps.communities.models import (
    Agreement,
    AgreementAcceptance,
    Community,
    Federation,
    Invitation,
    Membership,
    Organization,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "sector"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class MembershipInline(MembershipInlineAuditMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]
    fields = ["user", "organization", "role", "status"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "requires_approval"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(MembershipAuditMixin, admin.ModelAdmin):
    list_display = ["user", "community", "organization", "role", "status"]
    list_filter = ["community", "role", "status"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization", "community"]
    list_select_related = ["user", "community", "organization"]


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "coordinator"]
    filter_horizontal = ["communities", "liaisons"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        federation_sync_groups(form.instance)


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "version", "published_at"]
    list_filter = ["community"]


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["user", "agreement", "accepted_at", "ip_address"]
    readonly_fields = ["user", "agreement", "accepted_at", "ip_address", "user_agent"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "organization", "role", "created_at", "accepted_at",
                    "revoked_at", "expires_at"]
    list_filter = ["community"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "nonce", "sent_at", "accepted_at"]

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from apps.communities.admin_audit import MembershipAuditMixin, MembershipInlineAuditMixin
from apps.communities.models import (
    Agreement,
    AgreementAcceptance,
    Community,
    Federation,
    Invitation,
    Membership,
    Organization,
)
from portal.admin import CountedDeletionMixin, OperatorAdmin


@admin.register(Organization)
class OrganizationAdmin(OperatorAdmin):
    list_display = ["name", "name_en", "slug", "sector"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class MembershipInline(MembershipInlineAuditMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]
    fields = ["user", "organization", "role", "status"]


@admin.register(Community)
class CommunityAdmin(OperatorAdmin):
    list_display = ["name", "slug", "kind", "requires_approval"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(MembershipAuditMixin, OperatorAdmin):
    list_display = ["user", "community", "organization", "role", "status"]
    list_filter = ["community", "role", "status"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization", "community"]
    list_select_related = ["user", "community", "organization"]


@admin.register(Federation)
class FederationAdmin(OperatorAdmin):
    list_display = ["name", "slug", "coordinator"]
    list_select_related = ["coordinator"]
    filter_horizontal = ["communities", "liaisons"]


@admin.register(Agreement)
class AgreementAdmin(OperatorAdmin):
    list_display = ["title", "community", "version", "published_at"]
    list_filter = ["community"]
    list_select_related = ["community"]


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(OperatorAdmin):
    list_display = ["user", "agreement", "accepted_at", "ip_address"]
    list_select_related = ["user", "agreement"]
    readonly_fields = ["user", "agreement", "accepted_at", "ip_address", "user_agent"]


@admin.register(Invitation)
class InvitationAdmin(OperatorAdmin):
    list_display = ["email", "community", "organization", "role", "created_at", "accepted_at",
                    "revoked_at", "expires_at"]
    list_filter = ["community"]
    search_fields = ["email"]
    list_select_related = ["community", "organization"]
    readonly_fields = ["token_hash", "nonce", "sent_at", "accepted_at"]


RESERVED_GROUP_PREFIXES = ("community:", "federation:")


def group_manager(group: Group):
    """The `CommunityGroup` or `Federation` that names ``group``, or None for a group the
    portal does not manage. Reads what `list_select_related` fetched."""
    for attribute in ("community_group", "federation"):
        try:
            return getattr(group, attribute)
        except ObjectDoesNotExist:
            continue
    return None


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name.lower().startswith(RESERVED_GROUP_PREFIXES):
            raise forms.ValidationError(
                _("Names starting with “community:” or “federation:” are kept for the groups "
                  "the portal manages."),
                code="reserved",
            )
        return name


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(CountedDeletionMixin, BaseGroupAdmin):
    """The groups the portal manages (named by `CommunityGroup` or `Federation.group`) carry
    object-permission grants; they are shown but never edited or deleted by hand. Who belongs
    to an audience follows memberships, not group rows, and users' groups are not editable
    on the user page either."""

    form = GroupForm
    list_display = ["name", "managed_by"]
    list_select_related = [
        "community_group__community",
        "community_group__organization",
        "federation",
    ]

    @admin.display(description=_("Managed by the portal for"))
    def managed_by(self, group: Group) -> str:
        manager = group_manager(group)
        if manager is None:
            return self.get_empty_value_display()
        if isinstance(manager, Federation):
            return str(manager)
        kind = manager.get_kind_display()
        if manager.organization_id:
            kind = f"{kind}: {manager.organization}"
        return f"{manager.community} — {kind}"

    def get_fieldsets(self, request, obj=None):
        if obj is not None and group_manager(obj) is not None:
            return [(None, {
                "fields": ["name", "permissions"],
                "description": _("The portal manages this group: shared items are granted "
                                 "to it. It cannot be changed or deleted here."),
            })]
        return super().get_fieldsets(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and group_manager(obj) is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and group_manager(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

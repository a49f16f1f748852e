from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import ApiToken, User
from portal.admin import CountedDeletionMixin, OperatorAdmin


@admin.register(User)
class UserAdmin(CountedDeletionMixin, BaseUserAdmin):
    """People, without groups or per-user permissions: who sees what follows memberships
    (administered on the membership pages), and the portal never reads model permissions.
    An operator cannot add themself to an audience here; the superuser flag stays."""

    ordering = ["email"]
    list_display = ["email", "display_name", "language", "is_active", "is_superuser"]
    search_fields = ["email", "display_name"]
    list_filter = ["is_active", "is_superuser", "language"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "language", "time_zone", "digest_frequency"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["email", "display_name", "password1", "password2"]})]
    filter_horizontal = []


@admin.register(ApiToken)
class ApiTokenAdmin(OperatorAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["user__email", "name", "prefix"]
    list_select_related = ["user"]

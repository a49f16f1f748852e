"""Query-string filters of the community API (`?community=<slug>` and friends).

Filters only ever narrow the caller's scope (see ``scopes``); none of them can widen it.
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.communities.api.scopes import organization_is_active_in
from apps.communities.models import (
    Community,
    CommunityKind,
    Invitation,
    Membership,
    MembershipStatus,
    Organization,
    Role,
    Sector,
)
from portal.filters import CommunityScopedFilterSet


class CommunityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CommunityKind.choices,
                                       label=_("Kind of community"))

    class Meta:
        model = Community
        fields = ["kind"]


class OrganizationFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(
        method="filter_community",
        label=_("Slug of a community: only organisations with active members in it"),
    )
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"))

    class Meta:
        model = Organization
        fields = ["community", "sector"]

    def filter_community(self, queryset, name, value):
        return queryset.filter(organization_is_active_in(self.request.user, community_slug=value))


class MembershipFilter(CommunityScopedFilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    status = django_filters.ChoiceFilter(
        choices=MembershipStatus.choices,
        label=_("Status (members only see active memberships; the secretariat sees all)"),
    )
    organization = django_filters.CharFilter(field_name="organization__slug",
                                             label=_("Slug of the organisation"))

    class Meta:
        model = Membership
        fields = ["community", "role", "status", "organization"]


class InvitationState:
    OPEN = "open"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"
    CHOICES = [
        (OPEN, _("Open")),
        (ACCEPTED, _("Accepted")),
        (REVOKED, _("Revoked")),
        (EXPIRED, _("Expired")),
    ]


class InvitationFilter(CommunityScopedFilterSet):
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact",
                                      label=_("E-mail address of the invitee"))
    state = django_filters.ChoiceFilter(choices=InvitationState.CHOICES, method="filter_state",
                                        label=_("State of the link"))

    class Meta:
        model = Invitation
        fields = ["community", "email", "state"]

    def filter_state(self, queryset, name, value):
        now = timezone.now()
        if value == InvitationState.OPEN:
            return queryset.usable()
        if value == InvitationState.ACCEPTED:
            return queryset.filter(accepted_at__isnull=False)
        if value == InvitationState.REVOKED:
            return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False)
        return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                               expires_at__lte=now)

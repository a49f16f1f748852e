"""Auth groups that mirror memberships: the community's active members, each organisation's
active members in it, its secretariat, and each federation's members.

`sharing` grants object permissions to these groups; changing a membership changes them here,
so access follows status without any cache to expire.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from apps.communities.models import (
    Community,
    CommunityGroup,
    Federation,
    GroupKind,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)


def community_group(community: Community, kind: str, organization: Organization | None = None
                    ) -> Group:
    """The auth group for (community, kind[, organisation]), created on first use."""
    lookup = {"community": community, "kind": kind, "organization": organization}
    found = CommunityGroup.objects.select_related("group").filter(**lookup).first()
    if found:
        return found.group
    suffix = f"org:{organization.slug}" if organization else kind
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=f"community:{community.slug}:{suffix}")
        CommunityGroup.objects.get_or_create(group=group, defaults=lookup)
    return group


def federation_group(federation: Federation) -> Group:
    if federation.group_id is None:
        federation.group, _ = Group.objects.get_or_create(name=f"federation:{federation.slug}")
        federation.save(update_fields=["group"])
    return federation.group


def membership_sync_groups(membership: Membership) -> None:
    """Bring the user's groups for this community (and its federations) in line with the
    membership's status, role and organisation."""
    user = membership.user
    community = membership.community
    active = membership.status == MembershipStatus.ACTIVE
    wanted: set[int] = set()
    if active:
        wanted.add(community_group(community, GroupKind.MEMBERS).pk)
        wanted.add(community_group(community, GroupKind.ORGANIZATION,
                                   membership.organization).pk)
        if membership.role == Role.SECRETARIAT:
            wanted.add(community_group(community, GroupKind.SECRETARIAT).pk)
    managed = set(
        CommunityGroup.objects.filter(community=community).values_list("group_id", flat=True)
    )
    for federation in community.federations.all():
        group = federation_group(federation)
        managed.add(group.pk)
        still_in = (
            Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE,
                                      community__federations=federation)
            .exclude(pk=membership.pk)
            .exists()
        )
        if active or still_in:
            wanted.add(group.pk)
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))


def federation_sync_groups(federation: Federation) -> None:
    """Re-derive a federation's group after communities join or leave it."""
    group = federation_group(federation)
    user_ids = set(
        Membership.objects.filter(status=MembershipStatus.ACTIVE,
                                  community__federations=federation)
        .values_list("user_id", flat=True)
    )
    current = set(group.user_set.values_list("pk", flat=True))
    if current - user_ids:
        group.user_set.remove(*(current - user_ids))
    if user_ids - current:
        group.user_set.add(*(user_ids - current))

"""The auth groups that guardian's group grants point at: one per community (all its active
members), one per organisation in a community (its active members there), one per set of
organisations in a community (interned: the same set is always the same group), one per
federation.

A group here is only the *name of an audience* in the grant tables. Who belongs to it is never
stored: `apps.sharing.selectors` reads it from memberships at the moment of each query, so no
path that changes a membership (a form, the admin, a bulk delete, ``QuerySet.update()``, a data
migration) can leave access behind, and adding a user to one of these groups by hand grants
nothing.
"""

import hashlib

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from apps.communities.models import (
    Community,
    CommunityGroup,
    Federation,
    GroupKind,
    Organization,
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


def organizations_group(community: Community, organization_ids) -> Group:
    """The one auth group standing for the active members of exactly these organisations in
    ``community``, created on first use. Interned by a digest of the sorted ids, so every item
    shared with the same set (typically every member organisation) shares one group."""
    ids = sorted({int(pk) for pk in organization_ids})
    key = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()
    found = CommunityGroup.objects.select_related("group").filter(
        community=community, key=key).first()
    if found:
        return found.group
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=f"community:{community.slug}:orgs:{key[:16]}")
        interned, created = CommunityGroup.objects.get_or_create(
            group=group,
            defaults={"community": community, "kind": GroupKind.ORGANIZATIONS, "key": key})
        if created:
            interned.organizations.set(ids)
    return group


def federation_group(federation: Federation) -> Group:
    if federation.group_id is None:
        federation.group, _ = Group.objects.get_or_create(name=f"federation:{federation.slug}")
        federation.save(update_fields=["group"])
    return federation.group


def managed_groups() -> Q:
    """A condition on `Group`: the groups the portal grants to. Nobody edits their members by
    hand (their members are ignored anyway)."""
    return Q(pk__in=CommunityGroup.objects.values("group_id")) | Q(
        pk__in=Federation.objects.filter(group__isnull=False).values("group_id")
    )

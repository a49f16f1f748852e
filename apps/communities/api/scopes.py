"""What an API caller may see of communities, organisations, memberships and invitations.

Every rule starts from the caller's *active* memberships, read afresh on each request, so a
suspension or removal ends access on the very next call. Anything outside these querysets
answers 404, exactly like something that does not exist.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from apps.communities.models import (
    Community,
    Invitation,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)


def _active_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE)


def active_community_ids(user) -> QuerySet:
    """A subquery of the ids of the communities where ``user`` is an active member."""
    return _active_memberships(user).values("community_id")


def secretariat_community_ids(user) -> QuerySet:
    """A subquery of the ids of the communities where ``user`` is the active secretariat."""
    return _active_memberships(user).filter(role=Role.SECRETARIAT).values("community_id")


def is_secretariat(user, community_id: int) -> bool:
    """Whether ``user`` acts for the secretariat of that community right now."""
    return _active_memberships(user).filter(
        community_id=community_id, role=Role.SECRETARIAT
    ).exists()


def communities_for(user) -> QuerySet[Community]:
    """The communities where the user is an active member, with their role in each."""
    own = _active_memberships(user).filter(community=OuterRef("pk"))
    return (
        Community.objects.filter(pk__in=active_community_ids(user))
        .annotate(viewer_role=Subquery(own.values("role")[:1]),
                  viewer_organization=Subquery(own.values("organization__slug")[:1]))
        .order_by("name", "pk")
    )


def organization_is_active_in(user, *, community_slug: str | None = None) -> Exists:
    """For an Organization queryset: it has an active member in a community the user actively
    belongs to (optionally: in that community). An EXISTS, so there are no duplicates and no
    join that a later filter could widen to communities the user cannot see."""
    members = Membership.objects.filter(
        organization=OuterRef("pk"),
        status=MembershipStatus.ACTIVE,
        community_id__in=active_community_ids(user),
    )
    if community_slug is not None:
        members = members.filter(community__slug=community_slug)
    return Exists(members)


def organizations_for(user) -> QuerySet[Organization]:
    """Organisations with active members in the communities the user actively belongs to."""
    return Organization.objects.filter(organization_is_active_in(user)).order_by("name", "pk")


def memberships_for(user) -> QuerySet[Membership]:
    """Active memberships of the user's communities; every status in the communities whose
    secretariat the user is. Each row says whether the caller is its secretariat."""
    viewer_is_secretariat = Exists(
        secretariat_community_ids(user).filter(community_id=OuterRef("community_id"))
    )
    return (
        Membership.objects.filter(community_id__in=active_community_ids(user))
        .annotate(viewer_is_secretariat=viewer_is_secretariat)
        .filter(Q(status=MembershipStatus.ACTIVE) | Q(viewer_is_secretariat=True))
        .select_related("community", "user", "organization")
        .order_by("community__slug", "organization__name", "user__email", "pk")
    )


def invitations_for(user) -> QuerySet[Invitation]:
    """Invitations of the communities whose secretariat the user is; nobody else sees any."""
    return (
        Invitation.objects.filter(community_id__in=secretariat_community_ids(user))
        .select_related("community", "organization", "created_by")
        .order_by("-created_at", "pk")
    )

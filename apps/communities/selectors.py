"""Reads on communities, always starting from the user and the tenant."""

from django.db.models import OuterRef
from django.http import Http404

from apps.communities.desk import desk_ready_exists
from apps.communities.models import Community, Membership, MembershipStatus, Role


def memberships_of(user):
    """Every membership of the user, newest community first, with what lists need."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("community", "organization")


def membership_in(user, slug: str) -> Membership:
    """The user's membership in the community named by ``slug``, whatever its status, or 404:
    a community the user does not belong to looks exactly like one that does not exist."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("community", "organization", "user")
        .filter(community__slug=slug, user=user)
        .annotate(desk_ready=desk_ready_exists(OuterRef("community_id")))
        .exclude(status=MembershipStatus.LEFT)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def community_members(community: Community):
    return (
        Membership.objects.filter(community=community)
        .select_related("user", "organization")
        .order_by("organization__name", "user__display_name", "user__email")
    )


def is_active_member(user, community_id: int) -> bool:
    """Whether ``user`` is an active member of that community right now."""
    return user.is_authenticated and Membership.objects.filter(
        user_id=user.pk, community_id=community_id, status=MembershipStatus.ACTIVE
    ).exists()


def pending_approvals_count(*, user, community_slug: str) -> int:
    """How many memberships of the community wait for the secretariat's approval — 0 for
    anyone who is not its active secretariat. One query."""
    return Membership.objects.filter(
        community__slug=community_slug, status=MembershipStatus.PENDING_APPROVAL,
        community__memberships__user_id=user.pk,
        community__memberships__role=Role.SECRETARIAT,
        community__memberships__status=MembershipStatus.ACTIVE,
    ).count()

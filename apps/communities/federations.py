"""The coordinator community's secretariat manages its federation: which communities take
part and who its liaisons are (the people the two-monthly summary is e-mailed to:
`Federation.liaisons`, read by `apps.digests.summaries.summary_recipients`). Every change
is in the audit trail of the coordinator community."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit.models import Action
from apps.audit.services import record
from apps.communities.models import (
    Community,
    CommunityKind,
    Federation,
    Membership,
    MembershipStatus,
    Role,
)

User = get_user_model()


def federations_coordinated_by(community: Community):
    return Federation.objects.filter(coordinator=community).order_by("name")


def federation_liaisons(federation: Federation) -> list[tuple]:
    """Each liaison with the communities of the federation they are an active member of
    (none: they receive nothing until they are — `summary_recipients`). Two queries."""
    liaisons = list(federation.liaisons.order_by("email"))
    memberships = Membership.objects.filter(
        user__in=liaisons, community__in=federation.communities.all(),
        status=MembershipStatus.ACTIVE,
    ).select_related("community", "organization")
    by_user: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_user.setdefault(membership.user_id, []).append(membership)
    return [(user, by_user.get(user.pk, [])) for user in liaisons]


def _check_coordinator_secretariat(federation: Federation, actor) -> None:
    if not Membership.objects.filter(
        community_id=federation.coordinator_id, user_id=actor.pk,
        status=MembershipStatus.ACTIVE, role=Role.SECRETARIAT,
    ).exists():
        raise PermissionDenied(
            _("Only the secretariat of the coordinating community manages the federation."))


def _record(federation: Federation, actor, detail: dict) -> None:
    record(action=Action.SETTINGS_CHANGED, actor=actor, community=federation.coordinator,
           target=federation, label=f"federation {federation.slug}",
           detail={"federation": federation.slug, **detail})


@transaction.atomic
def federation_community_add(*, federation: Federation, community: Community, actor) -> None:
    """Invite an ISAC into the federation: its members see what authors opt into the
    federation from the next request (visibility reads the federation's communities)."""
    _check_coordinator_secretariat(federation, actor)
    if community.kind != CommunityKind.ISAC:
        raise ValidationError(_("Only ISACs take part in a federation."))
    if federation.communities.filter(pk=community.pk).exists():
        raise ValidationError(_("%(name)s is already in the federation.")
                              % {"name": community.display_name})
    federation.communities.add(community)
    _record(federation, actor, {"communities": {"added": community.slug}})


@transaction.atomic
def federation_community_remove(*, federation: Federation, community: Community,
                                actor) -> None:
    """Take an ISAC out; the coordinator stays (it would otherwise manage a federation it is
    not part of)."""
    _check_coordinator_secretariat(federation, actor)
    if community.pk == federation.coordinator_id:
        raise ValidationError(_("The coordinating community cannot leave its federation."))
    if not federation.communities.filter(pk=community.pk).exists():
        raise ValidationError(_("%(name)s is not in the federation.")
                              % {"name": community.display_name})
    federation.communities.remove(community)
    _record(federation, actor, {"communities": {"removed": community.slug}})


@transaction.atomic
def federation_liaison_add(*, federation: Federation, email: str, actor) -> None:
    """Name a liaison: an active member of one of the federation's communities."""
    _check_coordinator_secretariat(federation, actor)
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(
        email__iexact=email, is_active=True,
        memberships__community__in=federation.communities.all(),
        memberships__status=MembershipStatus.ACTIVE,
    ).distinct().first()
    if user is None:
        raise ValidationError(_(
            "%(email)s is not an active member of a community of this federation.")
            % {"email": email})
    if federation.liaisons.filter(pk=user.pk).exists():
        raise ValidationError(_("%(email)s is already a liaison.") % {"email": email})
    federation.liaisons.add(user)
    _record(federation, actor, {"liaisons": {"added": user.email}})


@transaction.atomic
def federation_liaison_remove(*, federation: Federation, user_id: int, actor) -> None:
    _check_coordinator_secretariat(federation, actor)
    user = federation.liaisons.filter(pk=user_id).first()
    if user is None:
        raise ValidationError(_("This person is not a liaison of the federation."))
    federation.liaisons.remove(user)
    _record(federation, actor, {"liaisons": {"removed": user.email}})

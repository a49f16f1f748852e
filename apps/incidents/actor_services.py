"""Writes on threat actors and campaigns: community reference data.

Who may write (decided here, once):
- create: an active member of the community in a sharing role (chair, secretariat, member,
  advisor) — the people who share incidents and attribute them; observers and guests read;
- edit: the record's creator, or the community's active secretariat (who curates the list).
The record is seen by every active member of the community, so it must say nothing that is
not for all of them; what it reveals of incidents is read through their TLP
(`apps.incidents.actor_selectors`).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.communities.models import Community, Membership, MembershipStatus, Role
from apps.incidents.actors import Campaign, ThreatActor
from apps.sharing.services import SHARING_ROLES


def _membership(user, community_id) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(
        user_id=user.pk, community_id=community_id, status=MembershipStatus.ACTIVE
    ).first()


def actor_may_create(*, user, community: Community) -> bool:
    membership = _membership(user, community.pk)
    return membership is not None and membership.role in SHARING_ROLES


def actor_may_change(*, user, record: ThreatActor | Campaign) -> bool:
    membership = _membership(user, record.community_id)
    if membership is None:
        return False
    return membership.role == Role.SECRETARIAT or (
        record.created_by_id == user.pk and membership.role in SHARING_ROLES
    )


def _check_create(user, community) -> None:
    if not actor_may_create(user=user, community=community):
        raise PermissionDenied(
            _("Only members who share in this community can add actors and campaigns.")
        )


def _check_change(user, record) -> None:
    if not actor_may_change(user=user, record=record):
        raise PermissionDenied(_("Only its creator or the secretariat can change this record."))


def _save(record) -> None:
    record.full_clean()
    model = type(record)
    if (
        model.objects.filter(community_id=record.community_id, name=record.name)
        .exclude(pk=record.pk)
        .exists()
    ):
        raise ValidationError({"name": _("This community already has a record of that name.")})
    record.save()


def _campaign_actor(actor, community_id):
    if actor is None or actor == "":
        return None
    pk = getattr(actor, "pk", actor)
    found = ThreatActor.objects.filter(community_id=community_id, pk=pk).first()
    if found is None:
        raise ValidationError({"actor": _("Choose an actor of this community.")})
    return found


@transaction.atomic
def threat_actor_create(
    *,
    user,
    community: Community,
    name: str,
    name_en: str = "",
    aliases: str = "",
    description: str = "",
) -> ThreatActor:
    """A named actor for this community's incidents to be attributed to."""
    _check_create(user, community)
    actor = ThreatActor(
        community=community,
        name=name,
        name_en=name_en,
        aliases=aliases,
        description=description,
        created_by=user,
    )
    _save(actor)
    return actor


@transaction.atomic
def threat_actor_update(*, user, actor: ThreatActor, **fields) -> ThreatActor:
    """Rename, add aliases or describe an actor (its creator or the secretariat)."""
    actor = ThreatActor.objects.select_for_update().get(pk=actor.pk)
    _check_change(user, actor)
    for name in ("name", "name_en", "aliases", "description"):
        if name in fields:
            setattr(actor, name, fields[name])
    _save(actor)
    return actor


@transaction.atomic
def campaign_create(
    *,
    user,
    community: Community,
    name: str,
    name_en: str = "",
    aliases: str = "",
    description: str = "",
    actor=None,
    first_seen: datetime.date | None = None,
    last_seen: datetime.date | None = None,
) -> Campaign:
    """A campaign of this community, optionally attributed to one of its actors."""
    _check_create(user, community)
    campaign = Campaign(
        community=community,
        name=name,
        name_en=name_en,
        aliases=aliases,
        description=description,
        actor=_campaign_actor(actor, community.pk),
        first_seen=first_seen,
        last_seen=last_seen,
        created_by=user,
    )
    _save(campaign)
    return campaign


@transaction.atomic
def campaign_update(*, user, campaign: Campaign, **fields) -> Campaign:
    """Change a campaign (its creator or the secretariat)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_change(user, campaign)
    for name in ("name", "name_en", "aliases", "description", "first_seen", "last_seen"):
        if name in fields:
            setattr(campaign, name, fields[name])
    if "actor" in fields:
        campaign.actor = _campaign_actor(fields["actor"], campaign.community_id)
    _save(campaign)
    return campaign

"""Writes on audiences: the author's choice becomes guardian grants, in one transaction, and
every change is recorded."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from apps.communities.groups import community_group, federation_group, organizations_group
from apps.communities.models import (
    Community,
    GroupKind,
    Membership,
    MembershipStatus,
    Organization,
    Role,
)
from apps.communities.selectors import is_active_member
from apps.sharing.audience import AMBERS, Audience, audience_resolve
from apps.sharing.auditing import audience_changed
from apps.sharing.materialise import audience_reposition, audience_rows_write
from apps.sharing.models import AudienceChange, SharedContent, permission_models, view_codename
from apps.sharing.selectors import may_change, recipients_of
from apps.sharing.signals import audience_set_done, send_on_commit
from apps.sharing.tlp import TLP

__all__ = ["audience_reposition"]  # re-exported: content apps write through this module

# Observers "see, do not share"; guests present at one meeting.
SHARING_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.ADVISOR})

# From this many organisations on, a TLP:AMBER audience is granted to one interned group for
# the whole set (AMBER to every member organisation: one grant per item, not one per
# organisation). Smaller sets keep one grant per organisation: each reader then walks one
# index range per organisation of theirs, however many small sets authors pick.
ORGANIZATION_SET_MIN = 4


def author_membership(*, author, community: Community) -> Membership:
    """The membership under which ``author`` shares in ``community`` (its organisation becomes
    the item's source), or PermissionDenied if they may not share there."""
    membership = (
        (
            Membership.objects.select_related("organization")
            .filter(user=author, community=community, status=MembershipStatus.ACTIVE)
            .first()
        )
        if author.is_authenticated
        else None
    )
    if membership is None:
        raise PermissionDenied(_("Only active members of this community can share in it."))
    if membership.role not in SHARING_ROLES:
        raise PermissionDenied(
            _("Observers and guests see what is shared with them but do not share.")
        )
    return membership


def _check_actor(item: SharedContent, actor) -> None:
    """Only the author, or a secretariat member who can see the item, sets its audience
    (`selectors.may_change`): the secretariat may not open up what it was never shown."""
    if may_change(actor, item):
        return
    if not is_active_member(actor, item.community_id):
        raise PermissionDenied(
            _("Only active members of this community can change who sees its items.")
        )
    raise PermissionDenied(_("Only the author or the secretariat can change who sees this item."))


def _groups(community: Community, audience: Audience) -> list[Group]:
    """The groups an audience is granted to: of the kinds `audience.GROUP_LABELS` gives for
    its label (lists filtered by label walk only those)."""
    if audience.tlp == TLP.GREEN:
        groups = [community_group(community, GroupKind.MEMBERS)]
        if audience.federated:
            groups += [federation_group(f) for f in community.federations.all()]
        return groups
    if audience.tlp in AMBERS:
        if len(audience.organizations) >= ORGANIZATION_SET_MIN:
            return [organizations_group(community, audience.organizations)]
        return [
            community_group(community, GroupKind.ORGANIZATION, organization)
            for organization in Organization.objects.filter(pk__in=audience.organizations)
        ]
    return []  # RED goes to people only; CLEAR is public.


def _grant(item: SharedContent, audience: Audience) -> None:
    """Replace the item's view grants with those the audience calls for, and its audience
    rows with them. The author keeps a user grant on every non-public label: they always see
    what they wrote while active. Call with ``item.tlp`` already set to ``audience.tlp``."""
    model = type(item)
    user_perms, group_perms = permission_models(model)
    permission = Permission.objects.get(
        content_type=ContentType.objects.get_for_model(model), codename=view_codename(model)
    )
    user_perms.objects.filter(content_object=item, permission=permission).delete()
    group_perms.objects.filter(content_object=item, permission=permission).delete()
    user_ids, group_ids = set(), set()
    if audience.tlp != TLP.CLEAR:
        user_ids = audience.users | {item.author_id}
        group_ids = {group.pk for group in _groups(item.community, audience)}
    user_perms.objects.bulk_create(
        user_perms(content_object=item, user_id=pk, permission=permission)
        for pk in sorted(user_ids)
    )
    group_perms.objects.bulk_create(
        group_perms(content_object=item, group_id=pk, permission=permission)
        for pk in sorted(group_ids)
    )
    audience_rows_write(item, group_ids=group_ids, user_ids=user_ids)


def _audience_json(audience: Audience, *, anonymous: bool) -> dict:
    """What a record keeps of an audience: the label and recipients, and whether the source
    was hidden ("via the secretariat") — lifting anonymity changes who knows the source."""
    return {**audience.as_json(), "anonymous": anonymous}


def _record(
    item: SharedContent, actor, audience: Audience, *, was_anonymous: bool | None = None
) -> AudienceChange | None:
    content_type = ContentType.objects.get_for_model(type(item))
    previous = (
        AudienceChange.objects.filter(content_type=content_type, object_id=item.pk)
        .order_by("-pk")
        .first()
    )
    # Rows written before anonymity was recorded lack the key: read them as "unchanged"
    # unless the caller knows what it was (`anonymity_set`).
    was = item.anonymous if was_anonymous is None else was_anonymous
    before = None
    if previous is not None:
        before = {"anonymous": was, **previous.to_audience}
    elif was_anonymous is not None:
        before = _audience_json(audience, anonymous=was)
    after = _audience_json(audience, anonymous=item.anonymous)
    if before == after:
        return None
    change = AudienceChange.objects.create(
        community_id=item.community_id,
        content_type=content_type,
        object_id=item.pk,
        actor=actor,
        from_tlp=previous.to_tlp if previous else (audience.tlp if before else ""),
        to_tlp=audience.tlp,
        from_audience=before,
        to_audience=after,
    )
    audience_changed(item=item, change=change)
    return change


@transaction.atomic
def audience_set(
    *,
    item: SharedContent,
    actor,
    tlp: str,
    organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool = False,
) -> AudienceChange | None:
    """Give a saved item its label and recipients (see `audience_resolve` for what each
    label accepts), re-compute its grants and record the change — all or nothing.

    Returns the recorded change, or None when the audience was already exactly this (the
    grants are re-computed anyway, which repairs any drift). A change is announced after the
    commit (`signals.audience_set_done`).
    """
    type(item)._default_manager.select_for_update().filter(pk=item.pk).values_list("pk").get()
    _check_actor(item, actor)
    audience = audience_resolve(
        community=item.community,
        author_organization_id=item.author_organization_id,
        tlp=tlp,
        organizations=organizations,
        users=users,
        federated=federated,
    )
    item.tlp, item.federated = audience.tlp, audience.federated
    _grant(item, audience)
    item.save(update_fields=["tlp", "federated"])
    item.recipient_organizations.set(audience.organizations)
    item.recipient_users.set(audience.users)
    change = _record(item, actor, audience)
    if change is not None:  # those newly addressed are told, after the commit
        send_on_commit(audience_set_done, type(item), item=item, audience=audience, actor=actor)
    return change


def audience_actor_check(*, item: SharedContent, actor) -> None:
    """Refuse (PermissionDenied) anyone but the author or the secretariat who sees the item,
    before anything about the requested change is looked at: a refusal must not depend on,
    nor tell, anything the body names (e.g. the label of an incident the actor cannot see)."""
    _check_actor(item, actor)


@transaction.atomic
def anonymity_set(*, item: SharedContent, actor, anonymous: bool) -> AudienceChange | None:
    """Hide (``anonymous=True``) or name (``False``) the organisation that shared an item,
    and record it in the item's audience history (``"anonymous": true → false``).

    Naming the source is the author's decision alone: the secretariat, who is told the
    source, may not lift anonymity on the author's behalf. Hiding it is harmless (it only
    narrows who is told), so the author or the secretariat may do it. Returns the recorded
    change, or None when the item already was so.
    """
    locked = type(item)._default_manager.select_for_update().get(pk=item.pk)
    _check_actor(locked, actor)
    if locked.anonymous == bool(anonymous):
        return None
    if not anonymous and actor.pk != locked.author_id:
        raise PermissionDenied(
            _("Only the author can name the organisation behind an anonymous item.")
        )
    locked.anonymous = bool(anonymous)
    type(locked)._default_manager.filter(pk=locked.pk).update(anonymous=locked.anonymous)
    item.anonymous = locked.anonymous
    return _record(locked, actor, recipients_of(locked), was_anonymous=not locked.anonymous)

"""An author's choice of audience, checked against the label before anything is granted.

Both the write (`services.audience_set`) and the preview (`selectors.audience_count`) go
through `audience_resolve`, so the picker never promises what the save would refuse.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.communities.models import (
    Community,
    GroupKind,
    Membership,
    MembershipStatus,
    Organization,
)
from apps.sharing.tlp import TLP, parse_tlp

AMBERS = frozenset({TLP.AMBER, TLP.AMBER_STRICT})
COMMUNITY_WIDE = frozenset({TLP.CLEAR, TLP.GREEN})

FEDERATION = "federation"  # the kind of a federation's group, beside GroupKind's
# The labels each kind of group is granted (`services._groups`): a list filtered by label
# walks only the groups that can hold it (`selectors.Reach.narrowed`). RED goes to people
# only and CLEAR is public, so neither is ever granted to a group.
GROUP_LABELS = {
    GroupKind.MEMBERS: frozenset({TLP.GREEN}),
    FEDERATION: frozenset({TLP.GREEN}),
    GroupKind.ORGANIZATION: AMBERS,
    GroupKind.ORGANIZATIONS: AMBERS,
    GroupKind.SECRETARIAT: frozenset(),  # names an audience; nothing is granted to it
}


@dataclass(frozen=True)
class Audience:
    """A label with its recipients: organisation ids (AMBER, AMBER+STRICT), user ids (RED),
    and whether a GREEN / CLEAR item goes to the community's federations."""

    tlp: TLP
    organizations: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()
    federated: bool = False

    def as_json(self) -> dict:
        return {
            "tlp": str(self.tlp),
            "organizations": sorted(self.organizations),
            "users": sorted(self.users),
            "federated": self.federated,
        }


def member_organizations(community: Community) -> QuerySet[Organization]:
    """Organisations represented in the community by a membership that has not ended: what
    the AMBER picker offers, and the default AMBER audience."""
    present = (
        Membership.objects.filter(community=community)
        .exclude(status=MembershipStatus.LEFT)
        .values("organization_id")
    )
    return Organization.objects.filter(pk__in=present)


def _ids(objects: Iterable | None) -> set[int]:
    return {getattr(obj, "pk", obj) for obj in objects or ()}


def _names(queryset) -> str:
    return ", ".join(sorted(str(obj) for obj in queryset))


def audience_resolve(
    *,
    community: Community,
    author_organization_id: int | None,
    tlp: str,
    organizations: Iterable | None = None,
    users: Iterable | None = None,
    federated: bool = False,
) -> Audience:
    """Check the choice against the label and complete it.

    ``organizations=None`` on AMBER / AMBER+STRICT means every member organisation of the
    community; the author's own organisation is always added. Anything the label does not
    allow — organisations on RED (a group grant), people on AMBER, recipients on GREEN /
    CLEAR, the federation on anything but GREEN / CLEAR, recipients outside the community —
    is refused with a ValidationError keyed by field, and nothing is granted.
    """
    tlp = parse_tlp(tlp)
    label = tlp.label
    org_ids, user_ids = _ids(organizations), _ids(users)
    errors: dict[str, str] = {}
    if tlp == TLP.RED and org_ids:
        errors["organizations"] = _(
            "TLP:RED goes to named people only; it cannot be shared with organisations."
        )
    if tlp in AMBERS and user_ids:
        errors["users"] = _(
            "%(label)s is shared with organisations; only TLP:RED names people."
        ) % {"label": label}
    if tlp in COMMUNITY_WIDE and (org_ids or user_ids):
        errors["organizations"] = _(
            "%(label)s reaches the whole community; recipients cannot be chosen."
        ) % {"label": label}
    if federated and tlp not in COMMUNITY_WIDE:
        errors["federated"] = _(
            "%(label)s never leaves the community; only TLP:GREEN and TLP:CLEAR can be "
            "shared with the federation."
        ) % {"label": label}
    elif federated and not community.federations.exists():
        errors["federated"] = _("This community is not part of a federation.")

    if tlp in AMBERS and "users" not in errors:
        members = set(member_organizations(community).values_list("pk", flat=True))
        if organizations is None:
            org_ids = set(members)
        strangers = org_ids - members
        if strangers:
            errors["organizations"] = _(
                "Not member organisations of this community: %(names)s."
            ) % {"names": _names(Organization.objects.filter(pk__in=strangers))}
        if author_organization_id is not None:
            org_ids.add(author_organization_id)
    if tlp == TLP.RED and user_ids:
        known = set(
            Membership.objects.filter(community=community, user_id__in=user_ids)
            .exclude(status=MembershipStatus.LEFT)
            .values_list("user_id", flat=True)
        )
        if user_ids - known:
            errors["users"] = _("Not members of this community: %(names)s.") % {
                "names": _names(get_user_model().objects.filter(pk__in=user_ids - known))
            }
    if errors:
        raise ValidationError(errors)
    return Audience(
        tlp=tlp,
        organizations=frozenset(org_ids) if tlp in AMBERS else frozenset(),
        users=frozenset(user_ids) if tlp == TLP.RED else frozenset(),
        federated=bool(federated),
    )

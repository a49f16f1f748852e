"""Writes on relay requests (`apps.incidents.relays`): a member hands a draft over, the
secretariat publishes it as the community's — anonymous, with the label and audience it
chooses — or declines it with a reason. Each decision is in the audit trail; the member's
organisation never reaches the published incident."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import Action
from apps.audit.services import record
from apps.communities.models import Community, Membership, MembershipStatus, Role
from apps.incidents.models import Category, Incident
from apps.incidents.relays import RelayRequest, RelayStatus
from apps.incidents.services import incident_create
from apps.sharing.services import author_membership


def _secretariat_check(*, community: Community, actor) -> None:
    if not Membership.objects.filter(community=community, user_id=actor.pk,
                                     status=MembershipStatus.ACTIVE,
                                     role=Role.SECRETARIAT).exists():
        # The same words as for a relay that does not exist: it is not theirs to see.
        raise PermissionDenied(_("Not found."))


def _pending(relay: RelayRequest) -> RelayRequest:
    relay = RelayRequest.objects.select_for_update().get(pk=relay.pk)
    if relay.status != RelayStatus.PENDING:
        raise ValidationError(_("This relay request was already decided."))
    return relay


@transaction.atomic
def relay_submit(*, member, community: Community, title: str, summary: str,
                 category: str = Category.OTHER) -> RelayRequest:
    """A member (in a sharing role) hands a draft to the secretariat. Nothing is shared: only
    the member and the secretariat read it until the secretariat publishes it."""
    membership = author_membership(author=member, community=community)
    relay = RelayRequest(community=community, member=member,
                         organization=membership.organization, title=title, summary=summary,
                         category=category)
    relay.full_clean()
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    relay.save()
    return relay


@transaction.atomic
def relay_publish(*, relay: RelayRequest, actor, title: str, summary: str, category: str,
                  tlp: str, organizations: Iterable | None = None,
                  users: Iterable | None = None, federated: bool = False,
                  confirmed_exposures: Iterable[str] = ()) -> Incident:
    """The secretariat publishes a relay, as redacted, as the community's: an anonymous
    incident that it authors (so its source reads "via the secretariat"), with the audience
    it chose. The victim-data check applies as to any item."""
    _secretariat_check(community=relay.community, actor=actor)
    relay = _pending(relay)
    incident = incident_create(
        author=actor, community=relay.community, title=title, summary=summary,
        category=category, tlp=tlp, organizations=organizations, users=users,
        federated=federated, anonymous=True, confirmed_exposures=confirmed_exposures)
    redacted = [name for name, value in (("title", title), ("summary", summary))
                if getattr(relay, name) != value]
    relay.status, relay.incident = RelayStatus.PUBLISHED, incident
    relay.decided_by, relay.decided_at = actor, timezone.now()
    relay.save(update_fields=["status", "incident", "decided_by", "decided_at"])
    # Neither text nor the member's name goes into the trail: the relay's id links them.
    record(action=Action.AUDIENCE_CHANGE, actor=actor, community=relay.community, target=relay,
           detail={"relay": "published", "incident": str(incident.pk), "tlp": incident.tlp,
                   "redacted": redacted})
    return incident


@transaction.atomic
def relay_decline(*, relay: RelayRequest, actor, reason: str) -> RelayRequest:
    """The secretariat declines a relay, telling the member why; nothing is shared."""
    _secretariat_check(community=relay.community, actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the member why it is declined.")})
    relay = _pending(relay)
    relay.status, relay.reason = RelayStatus.DECLINED, reason.strip()
    relay.decided_by, relay.decided_at = actor, timezone.now()
    relay.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    record(action=Action.AUDIENCE_CHANGE, actor=actor, community=relay.community, target=relay,
           detail={"relay": "declined"})
    return relay

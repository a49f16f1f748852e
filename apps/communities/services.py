"""Writes on communities: onboarding (invite, import, accept, agree), and the secretariat's
decisions on memberships. Each service runs in one transaction and leaves nothing half done."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import hash_token
from apps.audit.models import Action
from apps.audit.services import record, record_all
from apps.communities.auditing import membership_events, membership_record, membership_state
from apps.communities.models import (
    Agreement,
    AgreementAcceptance,
    Community,
    Invitation,
    Membership,
    MembershipStatus,
    Organization,
    Role,
    Sector,
)

User = get_user_model()


class InvitationError(Exception):
    """An invitation link that cannot be used; ``code`` picks the page the user sees."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@transaction.atomic
def organization_create(
    *, name: str, slug: str, sector: str = "", name_en: str = "", website: str = ""
) -> Organization:
    """Add an organisation to the portal: it exists once and may join many communities."""
    organization = Organization(
        name=name, name_en=name_en, slug=slug, sector=sector or Sector.OTHER, website=website
    )
    organization.full_clean()
    organization.save()
    return organization


def _enqueue_invitation_email(invitation: Invitation) -> None:
    from apps.communities.tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(str(invitation.pk)))


@transaction.atomic
def invitation_create(
    *,
    community: Community,
    email: str,
    organization: Organization,
    role: str,
    language: str,
    name: str = "",
    invited_by=None,
) -> Invitation:
    """Invite one person: a user shell (no password yet), an `invited` membership, and a
    single-use link e-mailed after commit. Re-inviting revokes the earlier open links."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, display_name=name, language=language)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership and membership.status not in (MembershipStatus.INVITED, MembershipStatus.LEFT):
        raise ValidationError(
            _("%(email)s is already a member of this community.") % {"email": email}
        )
    before = membership_state(membership) if membership else None
    if membership is None:
        membership = Membership(community=community, user=user)
    membership.organization = organization
    membership.role = role
    membership.status = MembershipStatus.INVITED
    membership.left_at = None
    membership.full_clean(validate_unique=False)
    membership.save()
    membership_record(before=before, membership=membership, actor=invited_by)
    now = timezone.now()
    Invitation.objects.filter(membership=membership).usable().update(revoked_at=now)
    invitation = Invitation(
        community=community,
        membership=membership,
        email=email,
        name=name,
        organization=organization,
        role=role,
        language=language,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
        created_by=invited_by,
    )
    invitation.full_clean(exclude=["token_hash", "membership"])
    invitation.save()
    _enqueue_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_create_with_organization(
    *,
    community: Community,
    email: str,
    organization_name: str,
    organization_slug: str,
    organization_sector: str = "",
    **invitation,
) -> Invitation:
    """Invite someone from an organisation the portal does not know yet. The organisation is
    created in the same transaction, so a refused invitation leaves none behind."""
    organization = organization_create(
        name=organization_name, slug=organization_slug, sector=organization_sector
    )
    return invitation_create(
        community=community, email=email, organization=organization, **invitation
    )


def invitation_resend(*, invitation: Invitation, invited_by=None) -> Invitation:
    """A fresh link with a fresh expiry; the old one stops working."""
    return invitation_create(
        community=invitation.community,
        email=invitation.email,
        organization=invitation.organization,
        role=invitation.role,
        language=invitation.language,
        name=invitation.name,
        invited_by=invited_by,
    )


def invitation_revoke(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def invitation_get_by_token(token: str) -> Invitation:
    """The invitation behind a link, or InvitationError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("community", "membership__user", "organization")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationError("invalid")
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    if invitation.revoked_at is not None:
        raise InvitationError("revoked")
    if invitation.is_expired:
        raise InvitationError("expired")
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user, password: str | None = None, display_name: str = "",
    language: str | None = None,
) -> Membership:
    """Consume the link once: set the password of a new account (or confirm the signed-in
    owner of the address), and move the membership on to awaiting its agreement."""
    if user.email.lower() != invitation.email.lower():
        raise InvitationError("wrong_user")
    # Claim the link atomically: a second request with the same link changes nothing.
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(accepted_at=timezone.now())
    if claimed != 1:
        raise InvitationError("used")
    if password:
        user.set_password(password)
    if display_name:
        user.display_name = display_name
    if language:
        user.language = language
    user.is_active = True
    user.save()
    membership = Membership.objects.select_for_update().get(pk=invitation.membership_id)
    before = membership_state(membership)
    membership.status = MembershipStatus.AWAITING_AGREEMENT
    membership.save()
    membership_record(before=before, membership=membership, actor=user)
    return membership


@transaction.atomic
def agreement_accept(
    *, membership: Membership, agreement: Agreement | None, briefing_acknowledged: bool,
    ip_address: str | None = None, user_agent: str = "",
) -> Membership:
    """Record acceptance of the current agreement and the TLP briefing; the membership
    becomes active, or waits for the secretariat where the community asks for approval."""
    if membership.status != MembershipStatus.AWAITING_AGREEMENT:
        raise ValidationError(_("This membership is not waiting for an agreement."))
    current = membership.community.current_agreement
    if current is not None and (agreement is None or agreement.pk != current.pk):
        raise ValidationError(_("Please accept the current version of the agreement."))
    if not briefing_acknowledged:
        raise ValidationError(_("Please confirm that you have read the TLP briefing."))
    now = timezone.now()
    before = membership_state(membership)
    if current is not None:
        AgreementAcceptance.objects.get_or_create(
            agreement=current, user=membership.user,
            defaults={"accepted_at": now, "ip_address": ip_address or None,
                      "user_agent": user_agent[:300]},
        )
    membership.briefing_acknowledged_at = membership.briefing_acknowledged_at or now
    if membership.approved_at or not membership.community.requires_approval:
        membership.status = MembershipStatus.ACTIVE
        membership.approved_at = membership.approved_at or now
        membership.activated_at = membership.activated_at or now
    else:
        membership.status = MembershipStatus.PENDING_APPROVAL
    membership.save()
    membership_record(before=before, membership=membership, actor=membership.user)
    return membership


@transaction.atomic
def agreement_publish(*, community: Community, title: str, body: str, author) -> Agreement:
    """A new version: every active member must accept it before seeing anything again."""
    current = community.current_agreement
    agreement = Agreement(
        community=community, version=(current.version + 1) if current else 1,
        title=title, body=body, created_by=author,
    )
    agreement.full_clean()
    agreement.save()
    events = []
    for membership in community.memberships.select_related(
        "user", "community", "organization"
    ).filter(status=MembershipStatus.ACTIVE):
        before = membership_state(membership)
        membership.status = MembershipStatus.AWAITING_AGREEMENT
        membership.save()
        events += membership_events(before=before, after=membership_state(membership),
                                    membership=membership, actor=author)
    record_all(events)
    return agreement


def _set_status(membership: Membership, status: str, actor, reason: str = "",
                **stamps) -> Membership:
    before = membership_state(membership)
    membership.status = status
    for field, value in stamps.items():
        setattr(membership, field, value)
    membership.save()
    membership_record(before=before, membership=membership, actor=actor, reason=reason)
    return membership


def _enqueue_membership_email(membership: Membership, event: str, reason: str = "") -> None:
    """Tell the member what the secretariat decided, once the decision is committed."""
    from apps.communities.tasks import send_membership_email

    transaction.on_commit(
        lambda: send_membership_email.delay(membership.pk, event, reason))


_SECRETARIAT_TRANSITIONS = {
    "approve": ({MembershipStatus.PENDING_APPROVAL}, MembershipStatus.ACTIVE),
    "suspend": ({MembershipStatus.ACTIVE, MembershipStatus.PENDING_APPROVAL,
                 MembershipStatus.AWAITING_AGREEMENT}, MembershipStatus.SUSPENDED),
    "reactivate": ({MembershipStatus.SUSPENDED}, MembershipStatus.ACTIVE),
    "remove": ({MembershipStatus.INVITED, MembershipStatus.AWAITING_AGREEMENT,
                MembershipStatus.PENDING_APPROVAL, MembershipStatus.ACTIVE,
                MembershipStatus.SUSPENDED}, MembershipStatus.LEFT),
}


@transaction.atomic
def membership_decide(*, membership: Membership, action: str, actor,
                      reason: str = "") -> Membership:
    """The secretariat approves, suspends, reactivates or removes a membership. What the
    member wrote stays; access ends on the next request: visibility reads memberships.
    The ``reason`` goes into the audit trail and the e-mail that tells the member."""
    if action not in _SECRETARIAT_TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    allowed_from, target = _SECRETARIAT_TRANSITIONS[action]
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status not in allowed_from:
        raise ValidationError(
            _("A membership that is “%(status)s” cannot be changed this way.")
            % {"status": membership.get_status_display()}
        )
    if membership.user_id == getattr(actor, "pk", None) and action in ("suspend", "remove"):
        raise ValidationError(_("You cannot suspend or remove your own membership."))
    now = timezone.now()
    reason = (reason or "").strip()
    if action == "approve":
        stamps = {"approved_at": now, "activated_at": now}
    elif action == "suspend":
        stamps = {"suspended_at": now}
    elif action == "reactivate":
        # A member who has not accepted the current agreement must do so first.
        current = membership.community.current_agreement
        if current and not AgreementAcceptance.objects.filter(
            agreement=current, user=membership.user
        ).exists():
            target = MembershipStatus.AWAITING_AGREEMENT
        stamps = {"suspended_at": None}
    else:
        Invitation.objects.filter(membership=membership).usable().update(revoked_at=now)
        stamps = {"left_at": now}
    was_invited = membership.status == MembershipStatus.INVITED
    membership = _set_status(membership, target, actor, reason=reason, **stamps)
    if not was_invited:  # someone who never came has nothing to be told
        _enqueue_membership_email(membership, action, reason)
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, organization=None,
                           actor=None, reason: str = "") -> Membership:
    """Change role or organisation; a community is never left without an active secretariat.
    A member whose role changed is told by e-mail, with the ``reason``."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if (membership.role == Role.SECRETARIAT and role != Role.SECRETARIAT
            and membership.status == MembershipStatus.ACTIVE
            and not Membership.objects.filter(
                community=membership.community_id, role=Role.SECRETARIAT,
                status=MembershipStatus.ACTIVE).exclude(pk=membership.pk).exists()):
        raise ValidationError(
            _("The community would have no secretariat left. Appoint another one first."))
    before = membership_state(membership)
    membership.role = role
    if organization is not None:
        membership.organization = organization
    membership.full_clean(validate_unique=False)
    membership.save()
    reason = (reason or "").strip()
    membership_record(before=before, membership=membership, actor=actor, reason=reason)
    if before["role"] != membership.role and membership.status != MembershipStatus.INVITED:
        _enqueue_membership_email(membership, "role", reason)
    return membership


SETTINGS = ("default_language", "requires_approval", "amber_titles_in_email",
            "counts_in_federation_summary")


@transaction.atomic
def community_settings_update(*, community: Community, actor, **changes) -> dict:
    """The secretariat changes its community's settings; what changed, from what to what, is
    recorded in the audit trail. Returns the changes ({} when nothing changed)."""
    if not Membership.objects.filter(community=community, user_id=actor.pk,
                                     status=MembershipStatus.ACTIVE,
                                     role=Role.SECRETARIAT).exists():
        raise PermissionDenied(_("Only the secretariat changes the community's settings."))
    community = Community.objects.select_for_update().get(pk=community.pk)
    changed = {name: {"from": getattr(community, name), "to": value}
               for name, value in changes.items()
               if name in SETTINGS and getattr(community, name) != value}
    if changed:
        for name, change in changed.items():
            setattr(community, name, change["to"])
        community.full_clean()
        community.save(update_fields=list(changed))
        record(action=Action.SETTINGS_CHANGED, actor=actor, community=community,
               target=community, detail=changed)
    return changed

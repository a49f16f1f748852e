"""Background jobs of onboarding. Thin: they take ids and call the work below."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.communities.models import Invitation
from portal.jobs import MAIL_RETRY


@shared_task(bind=True, **MAIL_RETRY)
def send_invitation_email(self, invitation_id: str) -> bool:
    """Send the invitation once. The row is claimed before the e-mail is handed over; if
    sending fails the claim is released, and the task retries with back-off when the mail
    server or the network failed (`MAIL_RETRY`)."""
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        return False
    invitation = Invitation.objects.select_related(
        "community", "organization", "created_by").get(pk=invitation_id)
    try:
        message = invitation_email(invitation)
        message.send()
    except BaseException:
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True


def invitation_email(invitation: Invitation) -> EmailMultiAlternatives:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "community": invitation.community,
            "accept_url": base + invitation.accept_url(),
            "expires_at": invitation.expires_at,
        }
        subject = render_to_string("communities/email/invitation_subject.txt", context).strip()
        body = render_to_string("communities/email/invitation.txt", context)
    return EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email])


@shared_task(acks_late=True)
def expire_invitations() -> int:
    """Unused invitations past their date: the link is dead already; tidy the membership so
    the directory does not list people who never came (they can be invited again)."""
    from apps.audit.services import record_all
    from apps.communities.auditing import membership_events, membership_state
    from apps.communities.models import Membership, MembershipStatus

    now = timezone.now()
    still_open = Invitation.objects.usable().values("membership_id")
    stale = Membership.objects.filter(status=MembershipStatus.INVITED).exclude(
        pk__in=still_open
    )
    count = 0
    events = []
    with transaction.atomic():
        for membership in stale.select_related("user", "community", "organization"):
            before = membership_state(membership)
            membership.status = MembershipStatus.LEFT
            membership.left_at = now
            membership.save()
            events += membership_events(before=before, after=membership_state(membership),
                                        membership=membership, via="expiry")
            count += 1
        record_all(events)
    return count


MEMBERSHIP_EVENTS = ("approve", "suspend", "reactivate", "remove", "role")


@shared_task(bind=True, **MAIL_RETRY)
def send_membership_email(self, membership_id: int, event: str, reason: str = "") -> bool:
    """Tell a member what the secretariat decided about their membership (approved,
    suspended, reactivated, removed, new role), in the member's language."""
    from apps.communities.models import Membership

    membership = Membership.objects.select_related("user", "community", "organization").filter(
        pk=membership_id).first()
    if membership is None or event not in MEMBERSHIP_EVENTS or not membership.user.email:
        return False
    membership_email(membership, event, reason).send()
    return True


def membership_email(membership, event: str, reason: str = "") -> EmailMultiAlternatives:
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    with translation.override(membership.user.language or membership.community.default_language):
        context = {
            "membership": membership,
            "community": membership.community,
            "event": event,
            "reason": reason,
            "home_url": base + membership.community.get_absolute_url(),
        }
        subject = render_to_string("communities/email/membership_subject.txt", context).strip()
        body = render_to_string("communities/email/membership.txt", context)
    return EmailMultiAlternatives(subject=subject, body=body, to=[membership.user.email])

"""Guests invited to one meeting by e-mail (a speaker from outside, an observer from a
ministry): they need no account. The invitation carries a signed link to that meeting alone
— its time, place, link and agenda, the answer to give, its calendar file, and whatever of
it is TLP:CLEAR. Nothing else of the community: a guest without an account cannot be named
on a TLP:RED item, and holds no membership that the TLP table would count as a reader.

The link is the credential: it names one attendance row, signed with the site's key;
removing the guest's row (or the meeting) revokes it."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.communities.models import Membership
from apps.meetings.models import Answer, Attendance, AttendanceRole, Meeting
from apps.meetings.selectors import may_organise
from apps.meetings.services import answerable

SALT = "meetings.guest"


def guest_token(attendance: Attendance) -> str:
    return signing.dumps({"a": attendance.pk, "m": str(attendance.meeting_id)}, salt=SALT,
                         compress=True)


def guest_url(attendance: Attendance) -> str:
    return reverse("meetings:guest", args=[attendance.meeting.community.slug,
                                           guest_token(attendance)])


def guest_attendance(token: str, slug: str) -> Attendance:
    """The guest's row that ``token`` names, in the community ``slug``, or DoesNotExist."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Attendance.DoesNotExist from None
    return (Attendance.objects.select_related("meeting__community", "meeting__series")
            .get(pk=data["a"], meeting_id=data["m"], user__isnull=True,
                 meeting__community__slug=slug))


@transaction.atomic
def guest_invite(*, meeting: Meeting, membership: Membership, name: str, email: str,
                 organization: str = "") -> Attendance:
    """The chair or the secretariat invites a guest; the e-mail leaves after the commit."""
    if not may_organise(membership) or membership.community_id != meeting.community_id:
        raise PermissionDenied(_("Only the chair or the secretariat invites guests."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("“%(email)s” is not an e-mail address.")
                               % {"email": email}}) from None
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the guest's name.")})
    answerable(meeting)  # not to a cancelled or past meeting
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting, community_id=meeting.community_id, guest_email=email,
                guest_name=name.strip()[:100], guest_organization=(organization or "")[:200],
                role=AttendanceRole.GUEST)
    except IntegrityError:
        raise ValidationError({"email": _("%(email)s is already invited to this meeting.")
                               % {"email": email}}) from None
    from apps.meetings.tasks import send_guest_invitation

    transaction.on_commit(lambda: send_guest_invitation.delay(attendance.pk))
    return attendance


@transaction.atomic
def guest_answer(*, attendance: Attendance, answer: str) -> Attendance:
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Choose in person, online or absent.")})
    answerable(attendance.meeting)
    attendance.answer, attendance.answered_at = answer, timezone.now()
    attendance.save(update_fields=["answer", "answered_at"])
    return attendance


def guest_invitation_email(attendance_id: int) -> EmailMultiAlternatives:
    """In the community's language (a guest has no preferences): Japanese, with English
    below it, as invitations to Japanese meetings usually are."""
    attendance = Attendance.objects.select_related("meeting__community").get(pk=attendance_id)
    meeting = attendance.meeting
    link = settings.SITE_URL.rstrip("/") + guest_url(attendance)
    parts = []
    for language in ("ja", "en"):
        with translation.override(language), timezone.override(meeting.zone):
            context = {"attendance": attendance, "meeting": meeting, "link": link}
            parts.append(render_to_string("meetings/email/guest_invitation.txt", context))
            if language == "ja":
                subject = render_to_string("meetings/email/guest_invitation_subject.txt",
                                           context).strip()
    return EmailMultiAlternatives(subject=subject, body="\n\n".join(parts),
                                  to=[attendance.guest_email])

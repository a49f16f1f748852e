"""The reminder a member gets the day before a meeting they said they would come to, in
their language and time zone: when, where, the link, the agenda."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.communities.models import Membership, MembershipStatus
from apps.meetings.models import AgendaItem, Answer, Attendance, MeetingStatus

# A meeting is "tomorrow" when it starts within this time of the daily run.
AHEAD = datetime.timedelta(hours=36)


def due_reminders(now: datetime.datetime | None = None) -> list[int]:
    """Ids of the attendances to remind: an answer to come (in person or online), to a
    meeting that is not cancelled and starts within `AHEAD`, from a person still active in
    its community, not reminded yet."""
    now = now or timezone.now()
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE,
                                       community_id=OuterRef("community_id"),
                                       user_id=OuterRef("user_id"))
    return list(
        Attendance.objects.filter(
            answer__in=[Answer.IN_PERSON, Answer.ONLINE], reminded_at__isnull=True,
            user__is_active=True, meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + AHEAD,
        ).exclude(meeting__status=MeetingStatus.CANCELLED)
        .filter(Exists(active)).values_list("pk", flat=True)
    )


def claim(attendance_id: int) -> bool:
    return bool(Attendance.objects.filter(pk=attendance_id, reminded_at__isnull=True)
                .update(reminded_at=timezone.now()))


def release(attendance_id: int) -> None:
    Attendance.objects.filter(pk=attendance_id).update(reminded_at=None)


def reminder_email(attendance_id: int) -> EmailMultiAlternatives:
    attendance = (
        Attendance.objects.select_related("user", "meeting__community")
        .prefetch_related(Prefetch("meeting__agenda",
                                   AgendaItem.objects.select_related("presenter")))
        .get(pk=attendance_id)
    )
    user, meeting = attendance.user, attendance.meeting
    base = settings.SITE_URL.rstrip("/")
    with translation.override(user.language), timezone.override(user.time_zone):
        context = {
            "user": user, "meeting": meeting, "attendance": attendance,
            "meeting_url": base + meeting.get_absolute_url(),
            "ics_url": base + meeting.get_calendar_url(),
        }
        subject = render_to_string("meetings/email/reminder_subject.txt", context).strip()
        body = render_to_string("meetings/email/reminder.txt", context)
    return EmailMultiAlternatives(subject=subject, body=body, to=[user.email])

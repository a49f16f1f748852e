"""The day before a meeting, whoever said they would come gets one reminder, in their
language and time zone, with the place, the link and the agenda — once, however often the
job runs; never for a cancelled meeting, an absence, or someone no longer active."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from apps.communities.models import Membership, MembershipStatus
from apps.meetings.models import Answer, Attendance, MeetingStatus
from apps.meetings.services import invitation_answer
from apps.meetings.tasks import send_meeting_reminders
from tests.meetings.test_meetings import make_meetings, make_series


@pytest.fixture
def tomorrow(community):
    meeting = make_meetings(make_series(community, fiscal_year=2026), 1)[0]
    meeting.starts_at = (timezone.now() + datetime.timedelta(days=1)).replace(
        second=0, microsecond=0)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)
    meeting.online_url = "https://meet.example/1"
    meeting.save()
    return meeting


def test_those_who_come_are_reminded_once_in_their_language(tomorrow, alice, bob, carol,
                                                            sec):
    alice.language, alice.time_zone = "ja", "Asia/Tokyo"
    alice.save()
    bob.language, bob.time_zone = "en", "Europe/London"
    bob.save()
    invitation_answer(meeting=tomorrow, user=alice, answer=Answer.IN_PERSON)
    invitation_answer(meeting=tomorrow, user=bob, answer=Answer.ONLINE)
    invitation_answer(meeting=tomorrow, user=carol, answer=Answer.ABSENT)
    # sec did not answer
    assert send_meeting_reminders() == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {alice.email, bob.email}
    ja, en = by_address[alice.email], by_address[bob.email]
    assert ja.subject.startswith("第1回 ") and "テーマ1" in ja.subject
    assert "山田 太郎" in ja.body and "https://meet.example/1" in ja.body
    assert en.subject.startswith("No. 1 ") and "Theme 1" in en.subject
    london = tomorrow.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    tokyo = tomorrow.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    end, dash = datetime.timedelta(hours=2), "\N{EN DASH}"
    assert f"{london:%Y-%m-%d %H:%M}{dash}{london + end:%H:%M} (Europe/London)" in en.body
    assert f"{tokyo:%Y-%m-%d %H:%M}{dash}{tokyo + end:%H:%M} (Asia/Tokyo)" in ja.body
    assert tomorrow.get_calendar_url() in en.body
    # Again (a rerun, a second worker): nobody twice.
    assert send_meeting_reminders() == 0
    assert len(mail.outbox) == 2


def test_no_reminder_for_a_cancelled_meeting_or_a_suspended_member(tomorrow, alice, bob):
    invitation_answer(meeting=tomorrow, user=alice, answer=Answer.IN_PERSON)
    invitation_answer(meeting=tomorrow, user=bob, answer=Answer.IN_PERSON)
    Membership.objects.filter(user=bob).update(status=MembershipStatus.SUSPENDED)
    send_meeting_reminders()
    assert [message.to for message in mail.outbox] == [[alice.email]]
    mail.outbox.clear()
    Attendance.objects.update(reminded_at=None)
    tomorrow.status = MeetingStatus.CANCELLED
    tomorrow.save()
    assert send_meeting_reminders() == 0 and not mail.outbox


def test_only_meetings_of_the_next_day(community, alice):
    meetings = make_meetings(make_series(community, fiscal_year=2026), 2)
    for meeting, days in zip(meetings, (3, 1), strict=True):
        meeting.starts_at = timezone.now() + datetime.timedelta(days=days)
        meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=1)
        meeting.save()
        invitation_answer(meeting=meeting, user=alice, answer=Answer.ONLINE)
    assert send_meeting_reminders() == 1
    assert "テーマ2" in mail.outbox[0].subject or "Theme 2" in mail.outbox[0].subject

"""Members answer a meeting's invitation (in person, online, absent) until it starts; a
cancelled meeting takes no answer; each answer records the organisation and role the member
holds in the community."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.meetings.models import Answer, Attendance, AttendanceRole, MeetingStatus
from apps.meetings.services import invitation_answer
from tests.meetings.test_meetings import make_meetings, make_series


@pytest.fixture
def upcoming(community):
    meeting = make_meetings(make_series(community, fiscal_year=2026), 1)[0]
    meeting.starts_at = timezone.now() + datetime.timedelta(days=3)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)
    meeting.save()
    return meeting


def answer_url(meeting):
    return reverse("meetings:answer", args=[meeting.community.slug, meeting.pk])


def test_a_member_answers_and_changes_their_mind(client_for, alice, bob, upcoming):
    client = client_for(alice)
    response = client.post(answer_url(upcoming), {"answer": Answer.ONLINE})
    assert response.status_code == 302
    client_for(bob).post(answer_url(upcoming), {"answer": Answer.IN_PERSON})
    client.post(answer_url(upcoming), {"answer": Answer.IN_PERSON})
    mine = Attendance.objects.get(meeting=upcoming, user=alice)
    assert mine.answer == Answer.IN_PERSON and mine.answered_at is not None
    assert mine.organization == alice.memberships.get().organization
    assert mine.role == AttendanceRole.MEMBER
    assert Attendance.objects.filter(meeting=upcoming).count() == 2
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert "attending in person: 2" in page and "attending online: 0" in page
    assert 'value="in_person" aria-pressed="true"' in page


@pytest.mark.parametrize(("change", "message"), [
    ({"status": MeetingStatus.CANCELLED}, "was cancelled"),
    ({"starts_at": timezone.now() - datetime.timedelta(minutes=1)}, "has started"),
])
def test_no_answer_once_cancelled_or_started(client_for, alice, upcoming, change, message):
    for name, value in change.items():
        setattr(upcoming, name, value)
    upcoming.save()
    client = client_for(alice)
    response = client.post(answer_url(upcoming), {"answer": Answer.IN_PERSON}, follow=True)
    assert message in response.content.decode()
    assert not Attendance.objects.filter(meeting=upcoming).exists()
    assert "Will you come?" not in response.content.decode()


def test_an_answer_that_is_not_one_is_refused(client_for, alice, upcoming):
    response = client_for(alice).post(answer_url(upcoming), {"answer": "maybe"}, follow=True)
    assert "Choose in person, online or absent." in response.content.decode()
    assert not Attendance.objects.exists()


def test_only_the_communitys_active_members_answer(client_for, outsider, sam, upcoming):
    assert client_for(outsider).post(answer_url(upcoming),
                                     {"answer": Answer.ONLINE}).status_code == 404
    assert client_for(sam).post(answer_url(upcoming),
                                {"answer": Answer.ONLINE}).status_code in (403, 404)
    assert not Attendance.objects.exists()


def test_an_attendance_is_a_member_or_a_guest(upcoming, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=upcoming, community=upcoming.community, user=alice,
                                  guest_email="guest@example.jp")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=upcoming, community=upcoming.community)
    Attendance.objects.create(meeting=upcoming, community=upcoming.community,
                              guest_name="小林 誠", guest_email="kobayashi@example.jp",
                              role=AttendanceRole.GUEST)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=upcoming, community=upcoming.community,
                                  guest_email="kobayashi@example.jp")


def attendance_url(meeting):
    return reverse("meetings:attendance", args=[meeting.community.slug, meeting.pk])


def test_the_secretariat_records_who_came(client_for, sec, alice, bob, upcoming):
    invitation_answer(meeting=upcoming, user=alice, answer=Answer.IN_PERSON)
    invitation_answer(meeting=upcoming, user=bob, answer=Answer.IN_PERSON)
    upcoming.starts_at = timezone.now() - datetime.timedelta(hours=1)
    upcoming.save()
    client = client_for(sec)
    sheet = client.get(attendance_url(upcoming)).content.decode()
    assert alice.get_full_name() in sheet and "attending in person" in sheet
    response = client.post(attendance_url(upcoming), {"attended": [alice.pk, sec.pk]})
    assert response.status_code == 302
    came = dict(Attendance.objects.filter(meeting=upcoming).values_list("user_id", "attended"))
    assert came[alice.pk] is True and came[bob.pk] is False and came[sec.pk] is True
    # Bob said he would come and did not: his answer stays, the record says he did not come.
    assert Attendance.objects.get(meeting=upcoming, user=bob).answer == Answer.IN_PERSON
    page = client_for(alice).get(upcoming.get_absolute_url()).content.decode()
    assert "2 people came." in page


def test_who_came_is_recorded_only_after_the_start_and_only_by_organisers(
        client_for, sec, alice, upcoming):
    response = client_for(sec).post(attendance_url(upcoming), {"attended": [alice.pk]},
                                    follow=True)
    assert "once the meeting has started" in response.content.decode()
    assert not Attendance.objects.filter(attended__isnull=False).exists()
    upcoming.starts_at = timezone.now() - datetime.timedelta(hours=1)
    upcoming.save()
    assert client_for(alice).get(attendance_url(upcoming)).status_code == 403
    assert client_for(alice).post(attendance_url(upcoming),
                                  {"attended": [alice.pk]}).status_code == 403
    assert not Attendance.objects.filter(attended__isnull=False).exists()

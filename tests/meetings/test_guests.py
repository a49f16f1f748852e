"""Guests invited to one meeting by e-mail: a signed personal link shows that meeting alone
(and what of it is TLP:CLEAR), takes their answer and gives its calendar; nothing else of the
community, and a bad or revoked link is 404."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.meetings.guests import guest_invite, guest_token, guest_url
from apps.meetings.materials import material_upload
from apps.meetings.models import Attendance, MeetingStatus
from tests.conftest import _member
from tests.meetings.test_meetings import make_meetings, make_series

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def chair(community, org_b):
    return _member(community, "chair@beta.example.jp", org_b, role="chair")


@pytest.fixture
def upcoming(community):
    meeting = make_meetings(make_series(community, fiscal_year=2026), 1)[0]
    meeting.starts_at = timezone.now() + datetime.timedelta(days=5)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)
    meeting.save()
    return meeting


def invite(client, meeting, **data):
    url = reverse("meetings:guest_invite", args=[meeting.community.slug, meeting.pk])
    return client.post(url, {"name": "外部 講師", "email": "speaker@univ.example.ac.jp",
                             "organization": "某大学", **data}, follow=True)


def test_the_chair_invites_a_guest_who_answers_through_the_link(
        client_for, client, chair, upcoming, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(chair), upcoming)
    assert "speaker@univ.example.ac.jp is invited" in response.content.decode()
    guest = Attendance.objects.get(guest_email="speaker@univ.example.ac.jp")
    (message,) = mail.outbox
    assert message.to == ["speaker@univ.example.ac.jp"]
    assert guest_url(guest) in message.body and upcoming.title in message.body
    page = client.get(guest_url(guest))
    assert page.status_code == 200 and upcoming.title in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    client.post(guest_url(guest), {"answer": "online"})
    guest.refresh_from_db()
    assert guest.answer == "online" and guest.answered_at is not None
    ics = client.get(reverse("meetings:guest_ics", args=[upcoming.community.slug,
                                                         guest_token(guest)]))
    (event,) = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert event.decoded("dtstart") == upcoming.starts_at.replace(microsecond=0)


def test_a_guest_sees_that_meeting_and_its_clear_items_only(client, chair, alice, upcoming,
                                                            community):
    guest = guest_invite(meeting=upcoming, membership=chair.memberships.get(),
                         name="ゲスト", email="g@example.org")
    public = material_upload(meeting=upcoming, author=alice, title="公開資料", tlp="CLEAR",
                             upload=SimpleUploadedFile("p.pdf", PDF))
    amber = material_upload(meeting=upcoming, author=alice, title="非公開資料", tlp="AMBER",
                            upload=SimpleUploadedFile("a.pdf", PDF))
    page = client.get(guest_url(guest)).content.decode()
    assert str(public.pk) in page and "公開資料" in page
    assert str(amber.pk) not in page and "非公開資料" not in page
    assert client.get(public.get_download_url()).status_code == 200
    assert client.get(amber.get_download_url()).status_code == 302  # sign-in: not for them
    # The link is no session: the community's pages stay closed.
    response = client.get(upcoming.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    other = make_meetings(upcoming.series, 1, start_number=2)[0]
    assert client.get(other.get_absolute_url()).status_code == 302


def test_bad_tampered_or_revoked_links_are_404(client, chair, upcoming, community):
    guest = guest_invite(meeting=upcoming, membership=chair.memberships.get(),
                         name="ゲスト", email="g@example.org")
    token = guest_token(guest)
    base = f"/c/{community.slug}/meetings/guest/"
    assert client.get(f"{base}{token[:-2]}xx/").status_code == 404
    assert client.get(f"/c/ict-isac/meetings/guest/{token}/").status_code == 404
    guest.delete()
    assert client.get(f"{base}{token}/").status_code == 404


@pytest.mark.parametrize(("data", "message"), [
    ({"email": "not-an-address"}, "is not an e-mail address"),
    ({"name": ""}, "Give the guest"),
])
def test_bad_invitations_are_refused_with_a_message(client_for, chair, upcoming, data,
                                                    message):
    response = invite(client_for(chair), upcoming, **data)
    assert message in response.content.decode()
    assert not Attendance.objects.filter(user__isnull=True).exists()


def test_a_guest_is_invited_once_and_only_by_organisers(client_for, chair, alice, upcoming):
    invite(client_for(chair), upcoming)
    response = invite(client_for(chair), upcoming, email="SPEAKER@univ.example.ac.jp")
    assert "already invited" in response.content.decode()
    assert invite(client_for(alice), upcoming).status_code == 403
    assert Attendance.objects.filter(user__isnull=True).count() == 1


def test_no_answer_once_the_meeting_is_cancelled(client, chair, upcoming):
    guest = guest_invite(meeting=upcoming, membership=chair.memberships.get(),
                         name="ゲスト", email="g@example.org")
    upcoming.status = MeetingStatus.CANCELLED
    upcoming.save()
    response = client.post(guest_url(guest), {"answer": "in_person"})
    assert response.status_code == 400 and "was cancelled" in response.content.decode()
    guest.refresh_from_db()
    assert guest.answer == ""

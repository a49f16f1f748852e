"""A meeting's record: its fiscal year, status, links and agenda (presenters, members or
guests, and the questions that followed), and the meeting as an iCalendar file that
calendar programs keep up to date."""

import datetime
import uuid

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.accounts.services import token_issue
from apps.meetings.models import (
    AgendaComment,
    AgendaItem,
    CommentKind,
    Meeting,
    MeetingStatus,
    fiscal_year_of,
)
from tests.meetings.test_meetings import JST, make_meetings, make_series

UTC = datetime.UTC


@pytest.fixture
def meeting(community):
    return make_meetings(make_series(community), 1)[0]


def ics_url(meeting):
    return reverse("meetings:ics", args=[meeting.community.slug, meeting.pk])


def parse(body: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    return event


# -- fiscal year -----------------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "year"), [
    (datetime.datetime(2026, 3, 31, 23, 59, tzinfo=JST), 2025),
    (datetime.datetime(2026, 4, 1, 0, 0, tzinfo=JST), 2026),
    # 1 April 00:00 in Japan is still 31 March in UTC: the year is Japan's.
    (datetime.datetime(2026, 3, 31, 15, 0, tzinfo=UTC), 2026),
    (datetime.datetime(2026, 3, 31, 14, 59, tzinfo=UTC), 2025),
    (datetime.datetime(2027, 1, 10, 12, 0, tzinfo=JST), 2026),
])
def test_the_fiscal_year_turns_on_1_april_japan_time(moment, year):
    assert fiscal_year_of(moment) == year


def test_a_meeting_outside_its_series_fiscal_year_is_refused(community):
    series = make_series(community, fiscal_year=2025)
    last = Meeting(community=community, series=series, title="年度末",
                   starts_at=datetime.datetime(2026, 3, 31, 23, 0, tzinfo=JST))
    last.full_clean()  # 31 March, still FY2025
    after = Meeting(community=community, series=series, title="新年度",
                    starts_at=datetime.datetime(2026, 4, 1, 0, 0, tzinfo=JST))
    with pytest.raises(ValidationError) as refused:
        after.full_clean()
    assert "fiscal year" in str(refused.value.message_dict["starts_at"])


# -- links, zone, status ---------------------------------------------------------------------


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://files.example/x",
                                  "file:///etc/passwd", "meet.example/1"])
def test_meeting_links_must_be_web_addresses(meeting, link):
    for field in ("online_url", "video_url"):
        setattr(meeting, field, link)
        with pytest.raises(ValidationError) as refused:
            meeting.full_clean()
        assert field in refused.value.message_dict
        setattr(meeting, field, "https://meet.example/1")
    meeting.full_clean()


def test_an_unknown_time_zone_is_refused(meeting):
    meeting.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as refused:
        meeting.full_clean()
    assert "time_zone" in refused.value.message_dict


def test_the_revision_rises_when_what_a_calendar_shows_changes(meeting):
    assert meeting.sequence == 0
    meeting.summary = "要旨だけを書き直す"
    meeting.save()
    assert meeting.sequence == 0  # a calendar shows no summary
    meeting.starts_at += datetime.timedelta(hours=1)
    meeting.save()
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    meeting.refresh_from_db()
    assert meeting.sequence == 2
    meeting.save()  # nothing changed
    meeting.refresh_from_db()
    assert meeting.sequence == 2


# -- agenda ----------------------------------------------------------------------------------


def test_a_presenter_is_a_member_or_a_guest_never_both(meeting, alice):
    item = AgendaItem(meeting=meeting, community=meeting.community, position=9, theme="x",
                      presenter=alice, guest_name="山田 太郎")
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert "guest_name" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()  # the database refuses it too


def test_a_guest_is_named_when_organisation_or_title_is_given(meeting):
    item = AgendaItem(meeting=meeting, community=meeting.community, position=9, theme="x",
                      guest_organization="カガミ研究所")
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert "guest_name" in refused.value.message_dict


def test_the_agenda_names_members_by_name_and_guests_with_organisation_and_title(meeting,
                                                                                  alice):
    guest = AgendaItem(meeting=meeting, community=meeting.community, position=8, theme="x",
                       guest_name="小林 誠", guest_organization="カガミ研究所",
                       guest_title="主任研究員")
    member = AgendaItem(meeting=meeting, community=meeting.community, position=9, theme="y",
                        presenter=alice)
    assert guest.presenter_name == "小林 誠（カガミ研究所、主任研究員）"
    assert guest.is_guest and not member.is_guest
    assert member.presenter_name == alice.get_full_name()


def test_an_item_of_another_communitys_meeting_is_refused(meeting, other_community):
    item = AgendaItem(meeting=meeting, community=other_community, position=9, theme="x")
    with pytest.raises(ValidationError):
        item.full_clean()


def test_the_meeting_page_shows_the_agenda_and_the_discussion(client_for, alice, meeting):
    item = meeting.agenda.get(position=1)
    item.summary = "**発表**の要旨"
    item.duration_minutes = 30
    item.save()
    AgendaComment.objects.create(item=item, community=meeting.community, position=1,
                                 kind=CommentKind.QUESTION, speaker="佐藤（ベータ証券）",
                                 text="境界の外の端末は？", answer="台帳で管理する。",
                                 answered_by="山田 太郎", from_chat=True)
    body = client_for(alice).get(meeting.get_absolute_url()).content.decode()
    assert item.theme in body and "山田 太郎" in body and "30 minutes" in body
    assert "<strong>発表</strong>" in body
    assert "境界の外の端末は？" in body and "台帳で管理する。" in body
    assert "from the chat" in body
    assert ics_url(meeting) in body


def test_the_meeting_page_costs_the_same_queries_for_few_or_many_items(
        client_for, alice, community, django_assert_max_num_queries):
    counts = []
    for items in (1, 12):
        meeting = make_meetings(make_series(community, fiscal_year=2020 + items), 1)[0]
        for position in range(3, items + 3):
            item = AgendaItem.objects.create(meeting=meeting, community=community,
                                             position=position, theme=f"t{position}",
                                             presenter=alice)
            AgendaComment.objects.create(item=item, community=community, position=1,
                                         speaker="x", text="y")
        client = client_for(alice)
        client.get(meeting.get_absolute_url())
        with django_assert_max_num_queries(20) as captured:
            assert client.get(meeting.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# -- the calendar file -----------------------------------------------------------------------


def test_a_member_gets_the_meeting_as_a_calendar_event_at_the_right_instants(
        client_for, alice, meeting):
    response = client_for(alice).get(ics_url(meeting))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    event = parse(response.content)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("DTSTART").astimezone(UTC) == meeting.starts_at.astimezone(UTC)
    assert event.decoded("DTEND").astimezone(UTC) == meeting.ends_at.astimezone(UTC)
    assert str(event["SUMMARY"]) == f"No. 1 {meeting.title_en}"  # in the reader's language
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "山田 太郎" in str(event["DESCRIPTION"])


def test_a_japanese_reader_gets_the_japanese_title(client_for, alice, meeting):
    alice.language = "ja"
    alice.save()
    event = parse(client_for(alice).get(ics_url(meeting)).content)
    assert str(event["SUMMARY"]) == f"第1回 {meeting.title}"


def test_a_moved_then_cancelled_meeting_keeps_its_uid_and_raises_its_sequence(
        client_for, alice, meeting):
    client = client_for(alice)
    first = parse(client.get(ics_url(meeting)).content)
    meeting.starts_at += datetime.timedelta(days=1)
    meeting.ends_at += datetime.timedelta(days=1)
    meeting.save()
    moved = parse(client.get(ics_url(meeting)).content)
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    cancelled = parse(client.get(ics_url(meeting)).content)
    assert first["UID"] == moved["UID"] == cancelled["UID"]
    assert [int(e["SEQUENCE"]) for e in (first, moved, cancelled)] == [0, 1, 2]
    assert moved.decoded("DTSTART") - first.decoded("DTSTART") == datetime.timedelta(days=1)
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_a_meeting_in_another_zone_is_written_in_its_own_zone(client_for, alice, meeting):
    meeting.time_zone = "Europe/Paris"
    meeting.save()
    response = client_for(alice).get(ics_url(meeting))
    event = parse(response.content)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART").astimezone(UTC) == meeting.starts_at.astimezone(UTC)


def test_a_script_fetches_the_calendar_with_an_api_token(client, alice, outsider, meeting):
    _token, key = token_issue(user=alice, name="calendar")
    response = client.get(ics_url(meeting), headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert parse(response.content)["UID"]
    bad = client.get(ics_url(meeting), headers={"Authorization": "Token not-a-token"})
    assert bad.status_code == 401 and b"BEGIN:VCALENDAR" not in bad.content
    _token, other = token_issue(user=outsider, name="calendar")
    foreign = client.get(ics_url(meeting), headers={"Authorization": f"Token {other}"})
    assert foreign.status_code == 404


def test_nobody_outside_the_community_gets_the_calendar(client, client_for, outsider, meeting):
    assert client_for(outsider).get(ics_url(meeting)).status_code == 404
    signed_out = client.get(ics_url(meeting))
    assert signed_out.status_code == 302 and b"BEGIN:VCALENDAR" not in signed_out.content
    unknown = reverse("meetings:ics", args=[meeting.community.slug, uuid.uuid4()])
    assert client.get(unknown).status_code == 302


# -- the personal feed -----------------------------------------------------------------------


def feed_url(user):
    return reverse("meetings:feed", args=[user.calendar_secret])


def test_the_personal_feed_holds_the_meetings_of_every_community_where_one_is_active(
        client, alice, outsider, community, other_community, sam):
    here = make_meetings(make_series(community, fiscal_year=2026), 2)
    there = make_meetings(make_series(other_community, fiscal_year=2026), 1)
    old = make_meetings(make_series(community, fiscal_year=2019), 1)  # over a year ago
    response = client.get(feed_url(alice))  # no sign-in: the secret is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content)
            .walk("VEVENT")}
    assert uids == {f"meeting-{m.pk}@renkei" for m in here}
    outsider_uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(
        client.get(feed_url(outsider)).content).walk("VEVENT")}
    assert outsider_uids == {f"meeting-{m.pk}@renkei" for m in there}
    # A suspended member's feed is empty; a past meeting is not repeated forever.
    suspended = icalendar.Calendar.from_ical(client.get(feed_url(sam)).content)
    assert not suspended.walk("VEVENT")
    assert f"meeting-{old[0].pk}@renkei" not in uids


def test_the_feed_speaks_its_owners_language(client, alice, community):
    make_meetings(make_series(community, fiscal_year=2026), 1)
    alice.language = "ja"
    alice.save()
    [event] = icalendar.Calendar.from_ical(client.get(feed_url(alice)).content).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("第1回 テーマ1")


def test_a_replaced_feed_address_stops_working_at_once(client, client_for, alice):
    old = feed_url(alice)
    assert client.get(old).status_code == 200
    response = client_for(alice).post(reverse("accounts:calendar_reset"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(alice)).status_code == 200
    page = client_for(alice).get(reverse("accounts:profile")).content.decode()
    assert feed_url(alice) in page and old not in page


def test_unknown_or_deactivated_feeds_are_404(client, alice):
    assert client.get(reverse("meetings:feed", args=["not-a-secret"])).status_code == 404
    url = feed_url(alice)
    alice.is_active = False
    alice.save()
    assert client.get(url).status_code == 404


def test_every_person_has_their_own_secret(alice, bob):
    assert len(alice.calendar_secret) >= 40 and alice.calendar_secret != bob.calendar_secret


def test_the_api_tells_a_person_their_feed_address(client, alice):
    _token, key = token_issue(user=alice, name="me")
    body = client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"}).json()
    assert body["calendar_url"] == f"http://testserver{feed_url(alice)}"
    response = client.get(body["calendar_url"].removeprefix("http://testserver"))
    assert response.status_code == 200


# -- each reader's time zone -----------------------------------------------------------------


def test_each_reader_sees_the_meeting_in_their_own_time_zone(client_for, alice, bob, meeting):
    """15:00 in Tokyo (the meeting's zone) is 07:00 in London in summer (BST, UTC+1)."""
    meeting.starts_at = datetime.datetime(2025, 6, 10, 15, 0, tzinfo=JST)
    meeting.ends_at = datetime.datetime(2025, 6, 10, 17, 0, tzinfo=JST)
    meeting.save()
    alice.time_zone = "Asia/Tokyo"
    alice.save()
    bob.time_zone = "Europe/London"
    bob.save()
    tokyo = client_for(alice).get(meeting.get_absolute_url()).content.decode()
    london = client_for(bob).get(meeting.get_absolute_url()).content.decode()
    assert "15:00–17:00" in tokyo and "(Europe/London)" not in tokyo
    assert "07:00–09:00" in london and "(Europe/London)" in london
    listed = client_for(bob).get(reverse("meetings:list", args=[meeting.community.slug]))
    assert "07:00–09:00" in listed.content.decode()

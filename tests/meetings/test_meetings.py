"""Meeting pages: active members read them; nobody else learns that they exist."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.meetings.models import AgendaItem, Meeting, MeetingSeries

JST = datetime.timezone(datetime.timedelta(hours=9))


def make_series(community, fiscal_year=2025, title="セキュリティ対策研究会"):
    return MeetingSeries.objects.create(
        community=community, fiscal_year=fiscal_year, title=title,
        title_en="Security practice study group", purpose="年間の**目的**",
    )


def make_meetings(series, count, start_number=1):
    first = datetime.datetime(series.fiscal_year, 4, 20, 15, 0, tzinfo=JST)
    meetings = [
        Meeting.objects.create(
            community=series.community, series=series, number=n,
            title=f"テーマ{n}", title_en=f"Theme {n}",
            starts_at=first + datetime.timedelta(days=14 * n),
            ends_at=first + datetime.timedelta(days=14 * n, hours=2),
            location="本社会議室",
            summary="議論の**要旨**<script>alert(1)</script>",
        )
        for n in range(start_number, start_number + count)
    ]
    for meeting in meetings:
        for position, name in enumerate(["山田 太郎", "佐藤 花子"], start=1):
            AgendaItem.objects.create(meeting=meeting, community=meeting.community,
                                      position=position, theme=f"{meeting.title}の{position}",
                                      guest_name=name)
    return meetings


@pytest.fixture
def meeting(community):
    return make_meetings(make_series(community), 1)[0]


def list_url(community):
    return reverse("meetings:list", args=[community.slug])


def detail_url(meeting):
    return reverse("meetings:detail", args=[meeting.community.slug, meeting.pk])


def test_member_sees_the_list_of_meetings(client_for, alice, meeting, community):
    response = client_for(alice).get(list_url(community))
    assert response.status_code == 200
    assert meeting.title_en in response.content.decode()
    assert detail_url(meeting) in response.content.decode()


def test_member_sees_a_meeting_with_sanitised_summary(client_for, alice, meeting):
    response = client_for(alice).get(detail_url(meeting))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>要旨</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert "佐藤 花子" in body


def test_japanese_reader_sees_japanese_titles_and_numbering(client_for, alice, meeting):
    alice.language = "ja"
    alice.save()
    body = client_for(alice).get(detail_url(meeting)).content.decode()
    assert "テーマ1" in body and "Theme 1" not in body
    assert "第1回" in body


def test_community_pages_link_to_meetings(client_for, alice, community):
    body = client_for(alice).get(reverse("communities:home", args=[community.slug])).content
    assert list_url(community).encode() in body


def test_outsider_gets_404_for_list_and_detail(client_for, outsider, meeting, community):
    client = client_for(outsider)
    assert client.get(list_url(community)).status_code == 404
    assert client.get(detail_url(meeting)).status_code == 404


def test_member_of_another_community_cannot_reach_its_meeting_through_their_own(
        client_for, outsider, other_community, meeting):
    url = reverse("meetings:detail", args=[other_community.slug, meeting.pk])
    assert client_for(outsider).get(url).status_code == 404


def test_unknown_meeting_is_404(client_for, alice, community):
    url = reverse("meetings:detail", args=[community.slug, uuid.uuid4()])
    assert client_for(alice).get(url).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client, meeting, community):
    for url in (list_url(community), detail_url(meeting)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_suspended_member_cannot_read_meetings(client_for, sam, meeting):
    response = client_for(sam).get(detail_url(meeting))
    assert response.status_code in (403, 404)
    assert meeting.title_en.encode() not in response.content


def test_upcoming_meeting_is_marked(client_for, alice, community):
    alice.language = "en"
    alice.save()
    series = make_series(community, fiscal_year=timezone.now().year + 1)
    make_meetings(series, 1)
    body = client_for(alice).get(list_url(community)).content.decode()
    assert "Upcoming" in body


def test_series_of_another_community_is_refused(community, other_community):
    series = make_series(other_community)
    meeting = Meeting(community=community, series=series, title="x",
                      starts_at=timezone.now())
    with pytest.raises(ValidationError):
        meeting.full_clean()


def test_meeting_cannot_end_before_it_starts(community):
    now = timezone.now()
    meeting = Meeting(community=community, title="x", starts_at=now,
                      ends_at=now - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError):
        meeting.full_clean()


def test_fiscal_year_runs_april_to_march(community):
    series = make_series(community, fiscal_year=2025)
    assert series.starts_on == datetime.date(2025, 4, 1)
    assert series.ends_on == datetime.date(2026, 3, 31)


@pytest.mark.parametrize("count", [3, 20])
def test_list_runs_a_fixed_number_of_queries(client_for, alice, community, count,
                                             django_assert_max_num_queries):
    make_meetings(make_series(community), count)
    make_meetings(make_series(community, fiscal_year=2024), count)
    client = client_for(alice)
    client.get(list_url(community))  # warm the session and the language
    # session, user, membership, meetings with their series, the reader's audiences and
    # unread notices (navigation): 6 today, one spare
    with django_assert_max_num_queries(7):
        response = client.get(list_url(community))
    assert response.status_code == 200
    assert response.content.decode().count("meetings/") >= 2 * count

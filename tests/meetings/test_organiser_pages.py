"""The chair and the secretariat keep the record on web pages: a year (series) and each
meeting. Nobody else can, bad input is refused with a message and nothing is saved, and a
meeting's times are read in its own time zone."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from apps.communities.models import Membership
from apps.meetings.models import Meeting, MeetingSeries
from tests.conftest import _member
from tests.meetings.test_meetings import make_meetings, make_series

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def chair(community, org_b):
    return _member(community, "chair@beta.example.jp", org_b, role="chair")


@pytest.fixture
def series(community):
    return make_series(community, fiscal_year=2026)


def meeting_data(series, **changes):
    data = {"series": series.pk, "number": 3, "title": "クラウド利用の実態", "title_en": "",
            "starts_at": "2026-06-10T15:00", "ends_at": "2026-06-10T17:00",
            "time_zone": "Asia/Tokyo", "status": "planned", "location": "会議室A",
            "online_url": "https://meet.example/3", "video_url": "", "summary": ""}
    return {**data, **changes}


def test_the_chair_creates_a_meeting_at_the_time_typed_in_its_zone(client_for, chair, series,
                                                                    community):
    chair.time_zone = "Europe/London"  # typing from abroad: the meeting's zone still rules
    chair.save()
    response = client_for(chair).post(reverse("meetings:create", args=[community.slug]),
                                      meeting_data(series))
    meeting = Meeting.objects.get(number=3)
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.community == community and meeting.series == series
    assert meeting.starts_at == datetime.datetime(2026, 6, 10, 15, 0, tzinfo=TOKYO)
    form = client_for(chair).get(reverse("meetings:edit", args=[community.slug, meeting.pk]))
    assert 'value="2026-06-10T15:00"' in form.content.decode()


def test_the_secretariat_edits_a_meeting_and_calendars_see_the_move(client_for, sec, series,
                                                                   community):
    meeting = make_meetings(series, 1)[0]
    url = reverse("meetings:edit", args=[community.slug, meeting.pk])
    response = client_for(sec).post(url, meeting_data(series, number=1,
                                                      starts_at="2026-06-11T10:00",
                                                      ends_at="2026-06-11T12:00"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime.datetime(2026, 6, 11, 10, 0, tzinfo=TOKYO)
    assert meeting.sequence == 1


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_at": "2026-06-10T14:00"}, "cannot end before it starts"),
    ({"number": 1}, "Another meeting of the series has this number."),
    ({"online_url": "javascript:alert(1)"}, "http:// or https://"),
    ({"starts_at": "2027-04-01T10:00", "ends_at": "2027-04-01T12:00"}, "fiscal year"),
    ({"time_zone": "Mars/Base"}, "is not a time zone"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client_for, chair, series,
                                                                  community, changes, message):
    make_meetings(series, 1)  # number 1 is taken
    before = Meeting.objects.count()
    response = client_for(chair).post(reverse("meetings:create", args=[community.slug]),
                                      meeting_data(series, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Meeting.objects.count() == before


def test_a_series_of_another_community_cannot_be_chosen(client_for, chair, community,
                                                        other_community):
    foreign = make_series(other_community, fiscal_year=2026)
    response = client_for(chair).post(reverse("meetings:create", args=[community.slug]),
                                      meeting_data(foreign))
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_the_chair_names_the_years_chair_advisors_and_organisations(client_for, chair, alice,
                                                                    outsider, community):
    url = reverse("meetings:series_create", args=[community.slug])
    orgs = list(Membership.objects.filter(community=community).values_list(
        "organization_id", flat=True).distinct())
    data = {"title": "クラウド研究会", "title_en": "Cloud study group", "fiscal_year": 2026,
            "purpose": "目的", "chair": chair.pk, "advisors": [alice.pk],
            "organizations": orgs, "summary": ""}
    assert client_for(chair).post(url, data).status_code == 302
    series = MeetingSeries.objects.get(title="クラウド研究会")
    assert series.community == community and series.chair == chair
    assert list(series.advisors.all()) == [alice]
    # Someone of another community cannot be named.
    refused = client_for(chair).post(url, {**data, "title": "x", "advisors": [outsider.pk]})
    assert refused.status_code == 400
    assert not MeetingSeries.objects.filter(title="x").exists()


@pytest.mark.parametrize("who", ["alice", "olive"])
def test_members_and_observers_cannot_keep_the_record(client_for, request, series, community,
                                                      who):
    user = request.getfixturevalue(who)
    meeting = make_meetings(series, 1)[0]
    client = client_for(user)
    for url in (reverse("meetings:create", args=[community.slug]),
                reverse("meetings:edit", args=[community.slug, meeting.pk]),
                reverse("meetings:series_create", args=[community.slug]),
                reverse("meetings:series_edit", args=[community.slug, series.pk])):
        assert client.get(url).status_code == 403
        assert client.post(url, meeting_data(series, number=9)).status_code == 403
    assert not Meeting.objects.filter(number=9).exists()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert reverse("meetings:edit", args=[community.slug, meeting.pk]) not in page


def test_outsiders_do_not_learn_the_pages_exist(client_for, outsider, series, community):
    meeting = make_meetings(series, 1)[0]
    client = client_for(outsider)
    assert client.get(reverse("meetings:create", args=[community.slug])).status_code == 404
    assert client.get(reverse("meetings:edit",
                              args=[community.slug, meeting.pk])).status_code == 404


def test_organisers_see_the_links(client_for, chair, series, community):
    meeting = make_meetings(series, 1)[0]
    page = client_for(chair).get(reverse("meetings:list", args=[community.slug])).content
    assert reverse("meetings:create", args=[community.slug]).encode() in page
    detail = client_for(chair).get(meeting.get_absolute_url()).content
    assert reverse("meetings:edit", args=[community.slug, meeting.pk]).encode() in detail


def agenda_rows(*rows, initial=0):
    data = {"agenda-TOTAL_FORMS": len(rows), "agenda-INITIAL_FORMS": initial,
            "agenda-MIN_NUM_FORMS": 0, "agenda-MAX_NUM_FORMS": 1000}
    for index, row in enumerate(rows):
        data.update({f"agenda-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_chair_writes_the_agenda_with_the_meeting(client_for, chair, alice, series,
                                                      community):
    url = reverse("meetings:create", args=[community.slug])
    page = client_for(chair).get(url).content.decode()
    assert 'name="agenda-TOTAL_FORMS"' in page
    rows = agenda_rows({"theme": "クラウド設定の点検", "presenter": alice.pk,
                        "duration_minutes": 30},
                       {"theme": "海外拠点の事例", "guest_name": "Emily Clark",
                        "guest_organization": "Kagami Security Labs", "guest_title": "Analyst"},
                       {"theme": ""})  # an empty row adds nothing
    response = client_for(chair).post(url, {**meeting_data(series), **rows})
    assert response.status_code == 302
    meeting = Meeting.objects.get(number=3)
    agenda = list(meeting.agenda.order_by("position"))
    assert [(i.position, i.theme, i.presenter, i.guest_name) for i in agenda] == [
        (1, "クラウド設定の点検", alice, ""), (2, "海外拠点の事例", None, "Emily Clark")]
    assert all(i.community == community for i in agenda)
    # Edit: the first item goes, a new one is added at the end.
    first, second = agenda
    edit = agenda_rows({"id": first.pk, "theme": first.theme, "presenter": alice.pk,
                        "DELETE": "on"},
                       {"id": second.pk, "theme": second.theme, "guest_name": "Emily Clark"},
                       {"theme": "質疑"}, initial=2)
    url = reverse("meetings:edit", args=[community.slug, meeting.pk])
    assert client_for(chair).post(url, {**meeting_data(series), **edit}).status_code == 302
    assert [(i.position, i.theme) for i in meeting.agenda.order_by("position")] == [
        (1, "海外拠点の事例"), (2, "質疑")]


def test_a_bad_agenda_row_saves_neither_the_meeting_nor_its_agenda(client_for, chair, alice,
                                                                   series, community):
    rows = agenda_rows({"theme": "x", "presenter": alice.pk, "guest_name": "山田 太郎"})
    response = client_for(chair).post(reverse("meetings:create", args=[community.slug]),
                                      {**meeting_data(series), **rows})
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert not Meeting.objects.exists()

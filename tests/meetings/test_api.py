"""/api/v1/meeting-series/ and /api/v1/meetings/: what a member's scripts read, only of the
communities where they are active, with the calendar address a script can fetch."""

import pytest

from apps.accounts.services import token_issue
from apps.meetings.models import AgendaComment
from tests.meetings.test_meetings import make_meetings, make_series


@pytest.fixture
def meetings(community, other_community):
    here = make_meetings(make_series(community, fiscal_year=2026), 2)
    there = make_meetings(make_series(other_community, fiscal_year=2026), 1)
    return here, there


def api(client, user):
    _token, key = token_issue(user=user, name="script")
    return lambda path: client.get(path, headers={"Authorization": f"Token {key}"})


def test_a_member_reads_the_meetings_of_their_communities_only(client, alice, meetings,
                                                               community):
    here, there = meetings
    get = api(client, alice)
    body = get("/api/v1/meetings/").json()
    assert {row["id"] for row in body["results"]} == {str(m.pk) for m in here}
    first = next(row for row in body["results"] if row["id"] == str(here[0].pk))
    assert first["community"] == community.slug and first["series"] == here[0].series_id
    assert [item["presenter"] for item in first["agenda"]] == ["山田 太郎", "佐藤 花子"]
    assert get(f"/api/v1/meetings/{there[0].pk}/").status_code == 404
    series = get("/api/v1/meeting-series/").json()["results"]
    assert [row["id"] for row in series] == [here[0].series_id]
    assert get(f"/api/v1/meeting-series/{there[0].series_id}/").status_code == 404


def test_the_community_filter_narrows_and_never_widens(client, alice, meetings,
                                                       other_community):
    get = api(client, alice)
    assert get(f"/api/v1/meetings/?community={other_community.slug}").json()["results"] == []


def test_a_script_follows_the_calendar_address(client, alice, meetings):
    here, _there = meetings
    get = api(client, alice)
    row = get(f"/api/v1/meetings/{here[0].pk}/").json()
    response = get(row["ics_url"].removeprefix("http://testserver"))
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content


def test_signed_out_callers_read_nothing(client, meetings):
    assert client.get("/api/v1/meetings/").status_code in (401, 403)


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_costs_the_same_queries_for_few_or_many(client, alice, community, count,
                                                         django_assert_max_num_queries):
    for meeting in make_meetings(make_series(community, fiscal_year=2026), count):
        item = meeting.agenda.first()
        AgendaComment.objects.create(item=item, community=community, position=1,
                                     speaker="x", text="y")
    get = api(client, alice)
    get("/api/v1/meetings/")
    # the token, the count, the meetings, their agenda (with presenters), the comments: 5,
    # one spare
    with django_assert_max_num_queries(6):
        assert len(get("/api/v1/meetings/").json()["results"]) == count

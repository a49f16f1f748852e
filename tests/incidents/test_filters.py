"""One incident FilterSet serves the web list and the API: the same parameters, the same
meaning, and visibility decided before any filter runs."""

import datetime
import zoneinfo

import pytest

from apps.incidents import filters
from apps.incidents.api import filters as api_filters
from apps.incidents.models import Incident

pytestmark = pytest.mark.django_db


def api_titles(client, **params) -> set[str]:
    response = client.get("/api/v1/incidents/", params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


@pytest.fixture
def items(incident_for, cast, alice, org_b):
    return {
        "green": incident_for(alice, "GREEN", title="緑", summary="子会社でランサムウェアに感染。",
                              techniques=["T1566.001"]),
        "amber": incident_for(alice, "AMBER", title="琥珀", organizations=[org_b],
                              summary="ランサムウェアの暗号化を確認。"),
        "anonymous": incident_for(alice, "GREEN", title="匿名", anonymous=True,
                                  summary="標的型メール"),
    }


def test_the_web_and_the_api_use_the_same_filterset():
    assert api_filters.IncidentFilter is filters.IncidentFilter


def test_api_search_finds_japanese_words_among_what_the_caller_may_see(
    items, bob, carol, client_for
):
    assert api_titles(client_for(bob), q="ランサムウェア") == {"緑", "琥珀"}
    assert api_titles(client_for(carol), q="ランサムウェア") == {"緑"}
    assert api_titles(client_for(carol), q="ランサムウェア\u3000子会社") == {"緑"}


def test_api_keeps_its_parameter_names(items, bob, client_for, community):
    client = client_for(bob)
    assert api_titles(client, community=community.slug, tlp="AMBER") == {"琥珀"}
    assert api_titles(client, community="nowhere") == set()
    assert api_titles(client, anonymous="true") == {"匿名"}
    assert api_titles(client, technique="T1566") == {"緑"}
    assert api_titles(client, tlp=["GREEN", "AMBER"]) == {"緑", "琥珀", "匿名"}


def test_dates_accept_a_day_or_a_moment(items, bob, client_for):
    # The items are dated on a fixed day, not "today": a run at midnight would otherwise
    # make them yesterday's, or spread them over two days.
    made = datetime.datetime(2025, 5, 1, 23, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    Incident.objects.filter(pk__in=[item.pk for item in items.values()]).update(
        created_at=made)
    client = client_for(bob)  # reads days in Asia/Tokyo (the default time zone)
    # A day: "before 1 May" includes the whole of 1 May (JST: 14:30 UTC is still 1 May).
    assert len(api_titles(client, created_before="2025-05-01")) == 3
    assert api_titles(client, created_after="2025-05-01") == {"緑", "琥珀", "匿名"}
    assert api_titles(client, created_after="2025-05-02") == set()
    assert api_titles(client, created_before="2025-04-30") == set()
    # A moment (ISO 8601), as API clients send it, in any offset.
    later = (made + datetime.timedelta(hours=1)).isoformat()
    assert api_titles(client, created_after=later) == set()
    assert len(api_titles(client, created_before=later)) == 3
    assert len(api_titles(client, created_before="2025-05-01T14:31:00Z")) == 3
    assert api_titles(client, created_before="2025-05-01T14:29:00Z") == set()
    response = client.get("/api/v1/incidents/", {"created_after": "not a date"})
    assert response.status_code == 400


def test_the_web_form_offers_every_filter_but_the_community(items, bob, client_for, community):
    """The page is already one community's; the API's other filters are offered there too."""
    response = client_for(bob).get(f"/c/{community.slug}/incidents/", {"anonymous": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="community"' not in html
    for name in ("attack_stage", "anonymous", "occurred_after", "created_before", "technique"):
        assert f'name="{name}"' in html, name
    assert "匿名" in html and "琥珀" not in html
    assert Incident.objects.count() == 3


@pytest.mark.parametrize("moment", ["2025-05-01T12:00:00-23:59", "2025-05-01T12:00:00+23:30"])
def test_a_moment_with_any_offset_is_read_not_a_server_error(items, bob, client_for, moment):
    """ISO 8601 allows offsets up to ±23:59; PostgreSQL refuses a timestamp whose offset
    passes ±15:59, so the filters turn every moment into UTC before the query."""
    client = client_for(bob)
    assert client.get("/api/v1/incidents/", {"created_after": moment}).status_code == 200
    assert client.get("/api/v1/threads/", {"active_since": moment}).status_code == 200
    assert client.get("/api/v1/posts/", {"since": moment}).status_code == 200
    field = filters.DayOrMomentField()
    assert field.clean(moment).utcoffset() == datetime.timedelta(0)

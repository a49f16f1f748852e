"""The incident list sorted (newest, last activity, label), its filters and sort kept in the
pager's URLs, and what was shared since the member's previous visit marked new."""

import datetime
import re

import pytest
from django.utils import timezone

from apps.incidents.list_visits import ListVisit
from apps.incidents.models import Incident
from apps.incidents.views import IncidentListView
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db

LIST = "/c/fin-isac/incidents/"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return re.findall(r'/incidents/[0-9a-f-]{36}/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def items(incident_for, cast, alice, bob, org_b):
    made = {}
    for number, (tlp, extra) in enumerate([
        (TLP.GREEN, {}), (TLP.AMBER, {"organizations": [org_b]}), (TLP.RED, {"users": [bob]}),
        (TLP.CLEAR, {}), (TLP.GREEN, {}),
    ]):
        made[number] = incident_for(alice, tlp, title=f"item {number}", **extra)
    # Distinct moments: shared one hour apart, the oldest changed last.
    start = timezone.now() - datetime.timedelta(days=1)
    for number, item in made.items():
        Incident.objects.filter(pk=item.pk).update(
            created_at=start + datetime.timedelta(hours=number),
            updated_at=start + datetime.timedelta(hours=10 - number))
    from apps.sharing.materialise import audience_rebuild
    audience_rebuild(Incident)  # the list positions follow created_at
    return made


def test_newest_last_activity_and_label(items, bob, client_for):
    client = client_for(bob)
    assert titles(client.get(LIST)) == [f"item {n}" for n in (4, 3, 2, 1, 0)]
    assert titles(client.get(LIST, {"sort": "activity"})) == [
        f"item {n}" for n in (0, 1, 2, 3, 4)]
    assert titles(client.get(LIST, {"sort": "label"})) == [
        "item 2", "item 1", "item 4", "item 0", "item 3"]  # RED, AMBER, GREEN…, CLEAR


@pytest.mark.parametrize("sort", ["newest", "activity", "label"])
def test_pages_keep_filters_and_sort(items, bob, client_for, monkeypatch, sort):
    monkeypatch.setattr(IncidentListView, "paginate_by", 2)
    client = client_for(bob)
    whole = titles(client.get(LIST, {"sort": sort, "category": "ransomware"}))
    response = client.get(LIST, {"sort": sort, "category": "ransomware"})
    seen = []
    for _page in range(5):
        seen += titles(response)
        link = re.search(r'href="\?([^"]+)" rel="next"', response.content.decode())
        if not link:
            break
        query = link.group(1).replace("&amp;", "&")
        assert f"sort={sort}" in query and "category=ransomware" in query
        response = client.get(f"{LIST}?{query}")
    assert len(seen) == 5 and set(seen) == {f"item {n}" for n in range(5)}
    assert seen[:2] == whole


def test_the_search_box_keeps_the_filters_and_the_sort(items, bob, client_for):
    page = client_for(bob).get(LIST, {"sort": "label", "tlp": "GREEN"}).content.decode()
    start = page.index('class="incident-search"')
    search = page[start:page.index("</form>", start)]
    assert 'name="sort" value="label"' in search and 'name="tlp" value="GREEN"' in search


def test_shared_since_the_previous_visit_is_marked_new(items, incident_for, alice, bob,
                                                       client_for, community):
    client = client_for(bob)
    assert "chip new" not in client.get(LIST).content.decode()
    ListVisit.objects.filter(user=bob, community=community).update(
        last_seen_at=timezone.now() - datetime.timedelta(minutes=40))
    incident_for(alice, TLP.GREEN, title="fresh")
    page = client.get(LIST).content.decode()
    assert page.count("chip new") == 1
    assert re.search(r'class="unread".*?fresh', page, re.S)
    # A signed-out visitor sees no marks and records nothing.
    client.logout()
    assert "chip new" not in client.get(LIST).content.decode()
    assert ListVisit.objects.count() == 1


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("params", [{"sort": "activity"}, {"sort": "label"},
                                    {"sort": "label", "q": "らんさむうぇあ"}])
def test_sorted_list_costs_a_fixed_number_of_queries(
        incident_for, cast, alice, bob, org_b, client_for, count, params,
        django_assert_max_num_queries):
    kinds = [{"tlp": TLP.GREEN, "anonymous": True}, {"tlp": TLP.AMBER, "organizations": [org_b]},
             {"tlp": TLP.RED, "users": [bob]}, {"tlp": TLP.CLEAR}]
    for number in range(count):
        incident_for(alice, title=f"ランサムウェア {number}", **kinds[number % len(kinds)])
    client = client_for(bob)
    client.get(LIST)  # warm the session and the list visit
    with django_assert_max_num_queries(30):
        response = client.get(LIST, params)
    assert len(titles(response)) == min(count, 25)

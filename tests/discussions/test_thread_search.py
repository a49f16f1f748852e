"""The thread list: its own search box (folded text, as the incident search), filters,
sorts, filters and sort kept in the URL, and what is new since the member's last visit."""

import datetime
import re

import pytest
from django.utils import timezone

from apps.discussions import views
from apps.discussions.models import Thread
from apps.incidents.list_visits import ListVisit
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db

LIST = "/c/fin-isac/discussions/"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return re.findall(r'/discussions/[0-9a-f-]{36}/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def world(open_thread, reply, incident, cast, alice, bob, carol, org_a, org_b):
    ransom = open_thread(alice, TLP.GREEN, title="ランサムウェア対策", body="手口の共有")
    vpn = open_thread(bob, TLP.GREEN, title="機器の脆弱性", body="最初の投稿")
    reply(alice, vpn, body="ＶＰＮ装置の更新を確認")
    secret = open_thread(alice, TLP.AMBER, title="ランサムウェア被害 (限定)", body="本文",
                         organizations=[org_a, org_b])
    anonymous = open_thread(alice, TLP.GREEN, title="匿名の相談", body="本文", anonymous=True)
    linked = open_thread(bob, TLP.GREEN, title="インシデントについて", body="本文",
                         incident=incident(bob, TLP.GREEN))
    return {"ransom": ransom, "vpn": vpn, "secret": secret, "anonymous": anonymous,
            "linked": linked}


def test_search_finds_titles_and_posts_in_any_form_among_what_the_reader_sees(
        world, bob, carol, client_for):
    assert set(titles(client_for(bob).get(LIST, {"q": "らんさむうぇあ"}))) == {
        "ランサムウェア被害 (限定)", "ランサムウェア対策"}
    assert titles(client_for(carol).get(LIST, {"q": "ﾗﾝｻﾑｳｪｱ"})) == ["ランサムウェア対策"]
    assert titles(client_for(carol).get(LIST, {"q": "vpn"})) == ["機器の脆弱性"]
    assert titles(client_for(carol).get(LIST, {"q": "vpn 対策"})) == []


def test_filters_by_label_incident_and_dates(world, bob, client_for):
    client = client_for(bob)
    assert titles(client.get(LIST, {"tlp": "AMBER"})) == ["ランサムウェア被害 (限定)"]
    assert titles(client.get(LIST, {"has_incident": "true"})) == ["インシデントについて"]
    assert "インシデントについて" not in titles(client.get(LIST, {"has_incident": "false"}))
    today = timezone.localdate().isoformat()
    assert len(titles(client.get(LIST, {"created_after": today}))) == 5
    assert titles(client.get(LIST, {"active_before": "2000-01-01"})) == []


def test_an_anonymous_thread_is_never_found_by_its_source(world, bob, sec, client_for, org_a):
    for reader in (bob, sec):
        found = titles(client_for(reader).get(LIST, {"organization": org_a.slug}))
        assert "匿名の相談" not in found
        assert "ランサムウェア対策" in found


def test_sorts_newest_activity_and_label(world, bob, reply, client_for):
    reply(bob, world["ransom"], body="追記")  # the oldest thread now has the latest post
    client = client_for(bob)
    by_activity = titles(client.get(LIST))
    assert by_activity[0] == "ランサムウェア対策"
    by_start = titles(client.get(LIST, {"sort": "newest"}))
    assert by_start == [t.title for t in
                        Thread.objects.order_by("-created_at", "-pk")]
    by_label = titles(client.get(LIST, {"sort": "label"}))
    assert by_label[0] == "ランサムウェア被害 (限定)"  # AMBER before GREEN
    assert set(by_label) == set(by_activity)


@pytest.mark.parametrize("sort", ["activity", "newest", "label"])
def test_pages_keep_the_filters_and_the_sort_and_walk_every_thread_once(
        world, bob, client_for, monkeypatch, sort):
    monkeypatch.setattr(views, "THREADS_PER_PAGE", 2)
    client = client_for(bob)
    params, seen = {"sort": sort, "tlp": ["GREEN", "AMBER"]}, []
    response = client.get(LIST, params)
    for _page in range(5):
        seen += titles(response)
        link = re.search(r'href="\?([^"]+)" rel="next"', response.content.decode())
        if not link:
            break
        query = link.group(1).replace("&amp;", "&")
        assert f"sort={sort}" in query and "tlp=GREEN" in query and "tlp=AMBER" in query
        response = client.get(f"{LIST}?{query}")
    assert sorted(seen) == sorted(Thread.objects.values_list("title", flat=True))


def test_a_cursor_the_portal_did_not_write_is_404(world, bob, client_for):
    assert client_for(bob).get(LIST, {"sort": "label", "cursor": "PURPLE~abc"}).status_code == 404


def test_threads_with_posts_since_the_previous_visit_are_marked_new(
        world, bob, alice, reply, client_for, community):
    client = client_for(bob)
    assert "chip new" not in client.get(LIST).content.decode()  # the first visit
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    ListVisit.objects.filter(user=bob, community=community).update(last_seen_at=an_hour_ago)
    Thread.objects.update(last_post_at=an_hour_ago - datetime.timedelta(minutes=1))
    reply(alice, world["vpn"], body="新しい情報")
    page = client.get(LIST).content.decode()
    assert page.count("chip new") == 1
    assert re.search(r'class="unread".*?機器の脆弱性', page, re.S)
    # Within the same visit, the marks stay.
    assert client.get(LIST).content.decode().count("chip new") == 1


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("params", [{"q": "thread", "sort": "newest"}, {"sort": "label"},
                                    {"tlp": "GREEN", "has_incident": "false"}])
def test_filtered_and_sorted_list_costs_a_fixed_number_of_queries(
        open_thread, alice, bob, cast, client_for, count, params,
        django_assert_max_num_queries):
    for number in range(count):
        open_thread(alice, [TLP.GREEN, TLP.CLEAR, TLP.RED][number % 3], title=f"thread {number}",
                    **({"users": [bob]} if number % 3 == 2 else {}))
    client = client_for(bob)
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(24):
        response = client.get(LIST, params)
    assert response.status_code == 200

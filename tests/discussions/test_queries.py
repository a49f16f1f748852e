"""Lists cost a fixed number of queries whatever their length: 3 threads or 30."""

import pytest

from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


@pytest.fixture
def threads(open_thread, reply, alice, bob, carol, org_a, org_b):
    def make(count):
        choices = [
            {"tlp": TLP.GREEN, "anonymous": True},
            {"tlp": TLP.AMBER, "organizations": [org_a, org_b]},
            {"tlp": TLP.RED, "users": [bob]},
        ]
        made = []
        for i in range(count):
            thread = open_thread(alice, title=f"Thread {i}", **choices[i % len(choices)])
            reply(bob, thread)
            reply(alice, thread)
            made.append(thread)
        return made

    return make


@pytest.mark.parametrize("count", [3, 30])
def test_thread_list_page_costs_the_same_queries_for_3_or_30_threads(
    threads, bob, client_for, count, django_assert_max_num_queries
):
    threads(count)
    client = client_for(bob)
    client.get("/c/fin-isac/discussions/")  # warm the session
    # 14: with the list's visit (unread marks) and the organisations of its filter.
    with django_assert_max_num_queries(14):
        response = client.get("/c/fin-isac/discussions/")
    assert response.status_code == 200
    assert response.content.decode().count('<td><span class="tlp') == count


@pytest.mark.parametrize("count", [3, 30])
def test_thread_api_list_costs_the_same_queries_for_3_or_30_threads(
    threads, bob, client_for, count, django_assert_max_num_queries
):
    threads(count)
    client = client_for(bob)
    with django_assert_max_num_queries(12):
        data = client.get("/api/v1/threads/").json()
    assert data["count"] == count
    assert {t["post_count"] for t in data["results"]} == {3}


@pytest.mark.parametrize("count", [3, 30])
def test_post_api_list_costs_the_same_queries_for_3_or_30_threads(
    threads, bob, client_for, count, django_assert_max_num_queries
):
    threads(count)
    client = client_for(bob)
    with django_assert_max_num_queries(8):
        data = client.get("/api/v1/posts/").json()
    assert data["count"] == 3 * count


def test_thread_page_costs_the_same_queries_for_few_or_many_posts(
    open_thread, reply, alice, bob, client_for, django_assert_max_num_queries
):
    thread = open_thread(alice, TLP.GREEN, anonymous=True)
    client = client_for(bob)
    url = f"/c/fin-isac/discussions/{thread.pk}/"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for i in range(25):
        reply(bob if i % 2 else alice, thread, body=f"post {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="card post"') == 26

"""Threads on the "Addressed to me" page: the same rules as incidents (RED naming me,
AMBER / AMBER+STRICT naming my organisation, only what I see, not my own), anonymous
sources hidden, a fixed number of queries."""

import re

import pytest
from django.urls import reverse

from apps.discussions.models import Thread
from apps.sharing.selectors import addressed_to
from apps.sharing.tlp import TLP
from tests.discussions.conftest import set_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast")]


def addressed_url(community):
    return reverse("incidents:addressed", args=[community.slug])


def thread_titles(response):
    return set(re.findall(r'/discussions/[0-9a-f-]{36}/">([^<]+)</a>', response.content.decode()))


def test_addressed_threads_follows_the_incident_rules(
    open_thread, alice, bob, carol, olive, sec, org_b, org_c
):
    red_bob = open_thread(alice, TLP.RED, users=[bob])
    red_carol = open_thread(alice, TLP.RED, users=[carol])
    amber_b = open_thread(alice, TLP.AMBER, organizations=[org_b])
    strict_c = open_thread(alice, TLP.AMBER_STRICT, organizations=[org_c])
    open_thread(alice, TLP.GREEN)
    open_thread(alice, TLP.CLEAR)
    assert set(addressed_to(bob, Thread.objects.all())) == {red_bob, amber_b}
    # her organisation, not her name
    assert set(addressed_to(olive, Thread.objects.all())) == {amber_b}
    assert set(addressed_to(carol, Thread.objects.all())) == {red_carol, strict_c}
    assert set(addressed_to(alice, Thread.objects.all())) == set()  # her own threads
    # sec (org A) is in the author's organisation, which every AMBER audience includes
    assert set(addressed_to(sec, Thread.objects.all())) == {amber_b, strict_c}


def test_red_naming_my_organisation_colleague_is_not_addressed_to_me(
    open_thread, alice, bob, olive
):
    open_thread(alice, TLP.RED, users=[olive])
    assert not addressed_to(bob, Thread.objects.all()).exists()


def test_suspended_member_and_signed_out_visitor_get_nothing(
    open_thread, alice, bob, sam, community
):
    from django.contrib.auth.models import AnonymousUser

    open_thread(alice, TLP.RED, users=[sam, bob])
    assert not addressed_to(sam, Thread.objects.all()).exists()
    assert not addressed_to(AnonymousUser(), Thread.objects.all()).exists()
    set_status(bob, community, "suspended")
    assert not addressed_to(bob, Thread.objects.all()).exists()


def test_label_change_removes_a_thread_from_addressed_at_once(open_thread, alice, bob, org_b):
    from apps.discussions.services import thread_update_audience

    thread = open_thread(alice, TLP.AMBER, organizations=[org_b])
    assert set(addressed_to(bob, Thread.objects.all())) == {thread}
    thread_update_audience(thread=thread, actor=alice, tlp=TLP.GREEN)
    # GREEN is for everyone, not addressed
    assert not addressed_to(bob, Thread.objects.all()).exists()
    thread_update_audience(thread=thread, actor=alice, tlp=TLP.AMBER, organizations=[])
    assert not addressed_to(bob, Thread.objects.all()).exists()  # org B left out


def test_addressed_page_shows_threads_as_a_second_section(
    open_thread, incident, alice, bob, carol, org_b, client_for, community
):
    incident(alice, TLP.RED, users=[bob])
    open_thread(alice, TLP.RED, title="Red thread for Bob", users=[bob])
    open_thread(alice, TLP.AMBER, title="Amber thread for B", organizations=[org_b])
    open_thread(alice, TLP.GREEN, title="Green thread")
    open_thread(alice, TLP.RED, title="Red thread for Carol", users=[carol])
    response = client_for(bob).get(addressed_url(community))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Discussion threads" in page and "RED incident" in page
    assert page.index("RED incident") < page.index("Discussion threads")
    assert thread_titles(response) == {"Red thread for Bob", "Amber thread for B"}
    assert thread_titles(client_for(carol).get(addressed_url(community))) == {
        "Red thread for Carol"
    }
    empty = client_for(alice).get(addressed_url(community)).content.decode()
    assert "No discussion thread is addressed to you here." in empty


def test_addressed_page_hides_the_source_of_an_anonymous_thread(
    open_thread, alice, bob, sec, org_b, client_for, community
):
    open_thread(alice, TLP.AMBER, title="Anonymous tip", organizations=[org_b], anonymous=True)
    bob_page = client_for(bob).get(addressed_url(community)).content.decode()
    assert "Anonymous tip" in bob_page
    assert "via the secretariat" in bob_page and "Alpha Bank" not in bob_page
    sec_page = client_for(sec).get(addressed_url(community)).content.decode()
    assert "Anonymous tip" in sec_page and "Alpha Bank" in sec_page  # the hub is told


def test_addressed_page_in_japanese(open_thread, alice, bob, org_b, client_for, community):
    open_thread(alice, TLP.AMBER, organizations=[org_b])
    bob.language = "ja"
    bob.save(update_fields=["language"])
    page = client_for(bob).get(addressed_url(community)).content.decode()
    assert "Discussion threads" not in page
    assert "TLP:AMBER" in page


@pytest.mark.parametrize("count", [3, 30])
def test_addressed_page_costs_fixed_queries_with_threads(
    count,
    open_thread,
    incident,
    alice,
    bob,
    org_b,
    client_for,
    community,
    django_assert_max_num_queries,
):
    for i in range(count):
        incident(alice, TLP.AMBER, organizations=[org_b])
        open_thread(alice, TLP.AMBER, title=f"Amber {i}", organizations=[org_b], anonymous=i % 2)
        open_thread(alice, TLP.RED, title=f"Red {i}", users=[bob], incident=None)
    client = client_for(bob)
    client.get(addressed_url(community))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(addressed_url(community))
    assert response.status_code == 200
    assert len(thread_titles(response)) == 2 * count


@pytest.mark.parametrize("count", [3, 30])
def test_addressed_threads_is_two_queries(
    count, open_thread, alice, bob, org_b, django_assert_max_num_queries
):
    for i in range(count):
        open_thread(alice, TLP.AMBER, title=f"Amber {i}", organizations=[org_b])
    with django_assert_max_num_queries(2):  # bob's audiences, then the threads
        assert len(list(addressed_to(bob, Thread.objects.all()))) == count

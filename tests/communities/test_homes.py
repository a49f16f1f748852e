"""The homes: a community's home shows what is new since the member's last visit, what is
addressed to them and what waits for them; the portal's home lists each community with its
news, and a visitor the public TLP:CLEAR items. Nothing is counted or shown that `sharing`
does not give the reader; the queries are fixed whatever the number of items."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.communities.models import Membership
from apps.communities.visits import SEEN_EVERY, VISIT_GAP, membership_visit
from apps.discussions.models import Thread
from apps.discussions.services import thread_create
from apps.incidents.models import Incident
from apps.meetings.minutes import minutes_create, minutes_publish
from apps.meetings.models import Meeting
from apps.meetings.services import invitation_answer
from apps.sharing.selectors import visible_to
from apps.sharing.tlp import TLP
from tests.conftest import _member

pytestmark = pytest.mark.django_db


def incident(author, community, tlp, title, **audience):
    from apps.incidents.services import incident_create

    return incident_create(author=author, community=community, title=title, summary="本文",
                           category="phishing", tlp=tlp, **audience)


def home(client, community):
    return client.get(reverse("communities:home", args=[community.slug]))


def world(community, bob, org_a, alice, carol, org_c):
    """Bob shares one incident under each label: AMBER to Alice's organisation, RED once to
    Alice and once to Carol only, AMBER+STRICT to Carol's organisation only."""
    return {
        "clear": incident(bob, community, TLP.CLEAR, "[clear-item]"),
        "green": incident(bob, community, TLP.GREEN, "[green-item]"),
        "amber-a": incident(bob, community, TLP.AMBER, "[amber-to-a]", organizations=[org_a]),
        "strict-c": incident(bob, community, TLP.AMBER_STRICT, "[strict-to-c]",
                             organizations=[org_c]),
        "red-alice": incident(bob, community, TLP.RED, "[red-to-alice]", users=[alice]),
        "red-carol": incident(bob, community, TLP.RED, "[red-to-carol]", users=[carol]),
    }


def test_red_item_not_addressed_to_the_member_is_never_counted_or_shown(
        client_for, community, alice, bob, carol, org_a, org_c):
    world(community, bob, org_a, alice, carol, org_c)
    response = home(client_for(alice), community)
    body = response.content.decode()
    new = response.context["news"]["new"]["incidents"]
    assert new.count == visible_to(alice, Incident.objects.filter(community=community)).count()
    assert new.count == 4
    assert "[red-to-carol]" not in body and "[strict-to-c]" not in body
    assert "[red-to-alice]" in body and "[amber-to-a]" in body and "[green-item]" in body
    addressed = [entry["item"].title for entry in response.context["news"]["addressed"]]
    assert sorted(addressed) == ["[amber-to-a]", "[red-to-alice]"]


def test_carol_sees_her_red_item_and_never_alices(client_for, community, alice, bob, carol,
                                                  org_a, org_c):
    world(community, bob, org_a, alice, carol, org_c)
    body = home(client_for(carol), community).content.decode()
    assert "[red-to-carol]" in body and "[strict-to-c]" in body
    assert "[red-to-alice]" not in body and "[amber-to-a]" not in body


def test_threads_and_minutes_follow_sharing_too(client_for, community, alice, bob, carol, sec,
                                                org_a):
    thread_create(author=bob, community=community, title="[thread-red-carol]", body="x",
                  tlp=TLP.RED, users=[carol])
    thread_create(author=bob, community=community, title="[thread-green]", body="x",
                  tlp=TLP.GREEN)
    meeting = Meeting.objects.create(community=community, number=1, title="第1回",
                                     starts_at=timezone.now() + datetime.timedelta(days=3))
    minutes_publish(minutes=minutes_create(meeting=meeting, author=sec, title="[minutes-red]",
                                           body="x", tlp=TLP.RED, users=[carol]), actor=sec)
    minutes_publish(minutes=minutes_create(meeting=meeting, author=sec, title="[minutes-green]",
                                           body="x", tlp=TLP.GREEN), actor=sec)
    response = home(client_for(alice), community)
    body = response.content.decode()
    assert "[thread-green]" in body and "[minutes-green]" in body
    assert "[thread-red-carol]" not in body and "[minutes-red]" not in body
    new = response.context["news"]["new"]
    assert (new["threads"].count, new["minutes"].count, new["meetings"].count) == (1, 1, 1)


def test_what_is_new_counts_from_the_end_of_the_previous_visit(client_for, community, alice,
                                                               bob):
    client = client_for(alice)
    Membership.objects.filter(user=alice, community=community).update(
        activated_at=timezone.now() - datetime.timedelta(days=1))
    earlier = incident(bob, community, TLP.GREEN, "[before-first-visit]")
    Incident.objects.filter(pk=earlier.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2))
    first = home(client, community)
    assert "[before-first-visit]" in first.content.decode()  # new since she joined
    membership = Membership.objects.get(user=alice, community=community)
    assert membership.last_seen_at is not None
    # Reloading during the same visit keeps the same news.
    assert "[before-first-visit]" in home(client, community).content.decode()
    # A visit later: only what came after the previous one.
    Membership.objects.filter(pk=membership.pk).update(
        last_seen_at=timezone.now() - VISIT_GAP - datetime.timedelta(minutes=1))
    incident(bob, community, TLP.GREEN, "[after-visit]")
    body = home(client, community).content.decode()
    assert "[after-visit]" in body and "[before-first-visit]" not in body


def test_last_visit_is_written_at_most_every_few_minutes(community, alice):
    membership = Membership.objects.get(user=alice, community=community)
    now = timezone.now()
    since = membership_visit(membership=membership, now=now)
    assert since == membership.activated_at or since == membership.created_at
    membership.refresh_from_db()
    assert membership.last_seen_at == now
    updated_at = membership.updated_at
    membership_visit(membership=membership, now=now + SEEN_EVERY / 2)
    membership.refresh_from_db()
    assert membership.last_seen_at == now  # not written again so soon
    later = now + SEEN_EVERY
    assert membership_visit(membership=membership, now=later) == since  # same visit
    membership.refresh_from_db()
    assert membership.last_seen_at == later and membership.updated_at == updated_at
    next_visit = later + VISIT_GAP
    assert membership_visit(membership=membership, now=next_visit) == later


def test_pending_tasks_rsvp_until_answered_and_drafts_for_the_organisers(
        client_for, community, alice, sec):
    meeting = Meeting.objects.create(community=community, number=2, title="第2回 勉強会",
                                     starts_at=timezone.now() + datetime.timedelta(days=7))
    minutes_create(meeting=meeting, author=sec, title="[draft-minutes]", body="x",
                   tlp=TLP.GREEN)
    client = client_for(alice)
    tasks = home(client, community).context["news"]["tasks"]
    assert tasks["rsvps"] == [meeting] and tasks["minutes_drafts"] == []
    invitation_answer(meeting=meeting, user=alice, answer="online")
    assert home(client, community).context["news"]["tasks"]["rsvps"] == []
    body = home(client_for(sec), community).content.decode()
    assert "[draft-minutes]" in body


@pytest.mark.parametrize("items", [3, 12])
def test_community_home_query_count_is_fixed(client_for, community, alice, bob, carol, org_a,
                                             django_assert_max_num_queries, items):
    for n in range(items):
        incident(bob, community, TLP.AMBER, f"amber {n}", organizations=[org_a])
        incident(bob, community, TLP.RED, f"red {n}", users=[alice])
        thread_create(author=bob, community=community, title=f"thread {n}", body="x",
                      tlp=TLP.GREEN)
    client = client_for(alice)
    home(client, community)  # the visit is recorded; the next view writes nothing
    with django_assert_max_num_queries(18):
        response = home(client, community)
    assert response.status_code == 200


def test_portal_home_lists_communities_with_their_visible_news(
        client_for, community, other_community, alice, bob, carol, org_a, org_c):
    world(community, bob, org_a, alice, carol, org_c)
    thread_create(author=bob, community=community, title="t", body="x", tlp=TLP.RED,
                  users=[carol])
    _member(other_community, "alice2@alpha.example.jp", org_a)
    Membership.objects.create(community=other_community, user=alice, organization=org_a,
                              role="member", status="active")
    response = client_for(alice).get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    visible = visible_to(alice, Incident.objects.filter(community=community)).count()
    assert visible == 4
    # incidents, threads, meetings, minutes
    assert f'data-community="{community.slug}" data-new="{visible} 0 0 0"' in body
    assert f'data-community="{other_community.slug}" data-new="0 0 0 0"' in body
    assert reverse("communities:home", args=[community.slug]) in response.content.decode()


@pytest.mark.parametrize("items", [2, 8])
def test_portal_home_query_count_is_fixed(client_for, community, other_community, alice, bob,
                                          org_a, django_assert_max_num_queries, items):
    Membership.objects.create(community=other_community, user=alice, organization=org_a,
                              role="member", status="active")
    for n in range(items):
        incident(bob, community, TLP.GREEN, f"green {n}")
        thread_create(author=bob, community=community, title=f"thread {n}", body="x",
                      tlp=TLP.GREEN)
    client = client_for(alice)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("home")).status_code == 200


def test_visitor_home_shows_only_clear_items_which_a_visitor_may_open(
        client, community, alice, bob, carol, org_a, org_c, django_assert_max_num_queries):
    items = world(community, bob, org_a, alice, carol, org_c)
    thread_create(author=bob, community=community, title="[thread-clear]", body="x",
                  tlp=TLP.CLEAR)
    thread_create(author=bob, community=community, title="[thread-green]", body="x",
                  tlp=TLP.GREEN)
    with django_assert_max_num_queries(2):
        response = client.get(reverse("home"))
    body = response.content.decode()
    assert "[clear-item]" in body and "[thread-clear]" in body
    for hidden in ("[green-item]", "[amber-to-a]", "[strict-to-c]", "[red-to-alice]",
                   "[red-to-carol]", "[thread-green]"):
        assert hidden not in body
    url = reverse("incidents:detail", args=[community.slug, items["clear"].pk])
    assert url in body
    assert client.get(url).status_code == 200
    thread = Thread.objects.get(title="[thread-clear]")
    assert client.get(reverse("discussions:detail", args=[community.slug, thread.pk])
                      ).status_code == 200


def test_every_member_counts_exactly_what_sharing_gives_them(community, cast, org_a, org_b,
                                                             org_c):
    from apps.digests.activity import community_activity

    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    world(community, bob, org_a, alice, carol, org_c)
    world(community, carol, org_b, bob, alice, org_a)
    thread_create(author=alice, community=community, title="t-red", body="x", tlp=TLP.RED,
                  users=[bob])
    thread_create(author=carol, community=community, title="t-amber", body="x",
                  tlp=TLP.AMBER, organizations=[org_c])
    for name in ("alice", "bob", "carol", "sec", "olive"):
        person = cast[name]
        membership = Membership.objects.get(user=person, community=community)
        news = community_activity(user=person, membership=membership, since=None)
        for kind, model in (("incidents", Incident), ("threads", Thread)):
            expected = visible_to(person, model.objects.filter(community=community))
            assert news["new"][kind].count == expected.count(), (name, kind)
            shown = {item.pk for item in news["new"][kind].items}
            assert shown <= set(expected.values_list("pk", flat=True)), (name, kind)
        for entry in news["addressed"]:
            assert visible_to(person, type(entry["item"]).objects.filter(
                pk=entry["item"].pk)).exists(), name


def test_suspended_members_and_outsiders_get_no_community_home(client_for, community, sam,
                                                               outsider):
    assert home(client_for(sam), community).status_code == 403
    assert home(client_for(outsider), community).status_code == 404

"""One rule for "the author or the secretariat": `may_change` decides, the pages show their
buttons by it and the services refuse by it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.discussions.services import post_add, post_delete, thread_create
from apps.incidents.services import incident_update
from apps.sharing.selectors import changeable, may_change
from apps.sharing.services import audience_set
from apps.sharing.tlp import TLP
from tests.discussions.conftest import set_status

pytestmark = pytest.mark.django_db


def test_the_author_may_change_their_item(share, alice):
    assert may_change(alice, share(alice, TLP.RED))


def test_the_secretariat_may_change_what_it_sees(share, carol, sec, org_a):
    assert may_change(sec, share(carol, TLP.AMBER, organizations=[org_a]))


def test_the_secretariat_may_not_change_what_it_was_never_shown(share, carol, sec, bob):
    item = share(carol, TLP.AMBER, organizations=[])  # org C only
    assert not may_change(sec, item)
    assert not may_change(sec, share(carol, TLP.RED, users=[bob]))
    with pytest.raises(PermissionDenied) as refusal:
        audience_set(item=item, actor=sec, tlp=TLP.GREEN)
    assert str(refusal.value) == "Only the author or the secretariat can change who sees this item."


def test_another_member_who_sees_it_may_not(share, alice, bob, olive):
    item = share(alice, TLP.GREEN)
    assert not may_change(bob, item)
    assert not may_change(olive, item)
    with pytest.raises(PermissionDenied) as refusal:
        incident_update(incident=item, actor=bob, title="Not yours")
    assert str(refusal.value) == "Only the author or the secretariat can change this item."


def test_a_suspended_author_may_not_until_reactivated(share, carol, community):
    item = share(carol, TLP.CLEAR)  # public: the author still sees it once suspended
    set_status(carol, community, "suspended")
    assert not may_change(carol, item)
    with pytest.raises(PermissionDenied) as refusal:
        audience_set(item=item, actor=carol, tlp=TLP.GREEN)
    assert str(refusal.value) == (
        "Only active members of this community can change who sees its items."
    )
    set_status(carol, community, "active")
    assert may_change(carol, item)


def test_outsiders_and_signed_out_visitors_may_not(share, alice, outsider):
    item = share(alice, TLP.CLEAR)
    assert not may_change(outsider, item)
    assert not may_change(AnonymousUser(), item)


def test_a_post_follows_the_rule_through_its_thread(community, alice, carol, sec, org_a):
    thread = thread_create(author=carol, community=community, title="t", body="b",
                           tlp=TLP.AMBER, organizations=[org_a])
    post = post_add(author=alice, thread=thread, body="alice's reply")
    assert may_change(alice, post, seen_through=thread)
    assert may_change(sec, post, seen_through=thread)
    assert not may_change(carol, post, seen_through=thread)  # the thread's author, not the post's
    hidden = thread_create(author=carol, community=community, title="h", body="b",
                           tlp=TLP.AMBER, organizations=[])
    assert not may_change(sec, hidden.posts.get(), seen_through=hidden)
    with pytest.raises(PermissionDenied):
        post_delete(post=post, actor=carol)


def test_changeable_answers_for_a_page_in_three_queries(
    share, alice, bob, sec, org_a, django_assert_max_num_queries
):
    mine = [share(alice, TLP.GREEN) for _ in range(3)]
    hidden = share(bob, TLP.AMBER, organizations=[])  # org B only: sec does not see it
    seen = share(bob, TLP.AMBER, organizations=[org_a])
    with django_assert_max_num_queries(3):  # roles, sec's audiences, what sec sees
        assert changeable(sec, [*mine, hidden, seen]) == {item.pk for item in [*mine, seen]}
    with django_assert_max_num_queries(1):
        assert changeable(alice, [*mine, hidden, seen]) == {item.pk for item in mine}


@pytest.mark.parametrize("name", ["alice", "bob", "sec", "olive"])
def test_the_edit_button_and_the_edit_page_follow_the_rule(
    name, cast, share, carol, org_a, org_b, client_for, community
):
    item = share(cast["alice"], TLP.AMBER, organizations=[org_a, org_b])
    user = cast[name]
    client = client_for(user)
    edit = reverse("incidents:edit", args=[community.slug, item.pk])
    detail = client.get(reverse("incidents:detail", args=[community.slug, item.pk]))
    assert detail.status_code == 200
    allowed = may_change(user, item)
    assert allowed == (name in {"alice", "sec"})
    assert (f'href="{edit}"' in detail.content.decode()) == allowed
    assert client.get(edit).status_code == (200 if allowed else 403)

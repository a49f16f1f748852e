"""Reading what a user may see costs a fixed number of queries, whatever the page size: the
reader's audiences (once per request that changes nothing), then one statement."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.incidents.models import Incident
from apps.sharing.selectors import (
    reach_of,
    reaches_remembered,
    source_organizations,
    visible_to,
)
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(share, alice, bob, carol, org_b, community):
    def make(count):
        choices = [
            {"tlp": TLP.GREEN, "anonymous": True},
            {"tlp": TLP.AMBER, "organizations": [org_b]},
            {"tlp": TLP.RED, "users": [bob]},
            {"tlp": TLP.RED, "users": [carol]},
            {"tlp": TLP.CLEAR},
        ]
        return [share(alice, **choices[i % len(choices)]) for i in range(count)]

    return make


@pytest.mark.parametrize("count", [5, 50])
def test_listing_what_a_member_may_see_costs_two_queries_for_5_or_50_items(
    items, bob, count, django_assert_max_num_queries
):
    items(count)
    with django_assert_max_num_queries(2):  # bob's audiences, then the items
        seen = list(visible_to(bob, Incident.objects.select_related("author_organization")))
    assert len(seen) == count * 4 // 5  # all but the RED item addressed to carol
    with django_assert_max_num_queries(1):
        sources = source_organizations(seen, bob)
    assert sum(source is None for source in sources.values()) == count // 5


@pytest.mark.parametrize("count", [5, 50])
def test_listing_what_a_signed_out_visitor_may_see_costs_one_query(
    items, count, django_assert_max_num_queries
):
    items(count)
    with django_assert_max_num_queries(1):
        seen = list(visible_to(AnonymousUser(), Incident.objects.all()))
    assert {item.tlp for item in seen} == {TLP.CLEAR}


def test_within_a_request_the_audiences_are_read_once(
    items, bob, django_assert_num_queries
):
    items(5)
    with reaches_remembered():
        with django_assert_num_queries(2):
            first = set(visible_to(bob, Incident.objects.all()))
        with django_assert_num_queries(1):
            assert set(visible_to(bob, Incident.objects.all())) == first
            assert reach_of(bob) == reach_of(bob)
    with django_assert_num_queries(1):  # outside: read anew at every question
        reach_of(bob)


def test_a_membership_suspended_between_two_questions_counts_outside_a_request(
    items, bob, community
):
    items(5)
    seen = set(visible_to(bob, Incident.objects.all()))
    assert any(item.tlp != TLP.CLEAR for item in seen)
    bob.memberships.filter(community=community).update(status="suspended")
    assert {item.tlp for item in visible_to(bob, Incident.objects.all())} == {TLP.CLEAR}


@pytest.mark.parametrize(("method", "reads"), [("get", 1), ("head", 1), ("post", 2)])
def test_only_a_request_that_changes_nothing_remembers_the_audiences(
    method, reads, bob, rf, django_assert_num_queries
):
    from apps.sharing.middleware import ReachPerRequestMiddleware

    def view(request):
        reach_of(bob)
        reach_of(bob)
        return None

    with django_assert_num_queries(reads):
        ReachPerRequestMiddleware(view)(getattr(rf, method)("/"))

"""Reading what a user may see costs a fixed number of queries, whatever the page size."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.incidents.models import Incident
from apps.sharing.selectors import source_organizations, visible_to
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
def test_listing_what_a_member_may_see_costs_one_query_for_5_or_50_items(
    items, bob, count, django_assert_max_num_queries
):
    items(count)
    with django_assert_max_num_queries(1):
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

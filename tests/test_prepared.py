"""portal.prepared: a query compiled once answers every run as the queryset would."""

import pytest
from django.db.models import Exists, OuterRef

from apps.communities.models import Membership, Organization
from portal.prepared import Prepared

pytestmark = pytest.mark.django_db


def _organizations_of(user_id):
    mine = Membership.objects.filter(user_id=user_id, organization=OuterRef("pk"))
    return Organization.objects.filter(Exists(mine)).order_by("slug")


def test_each_run_answers_for_its_own_values(alice, bob, org_a, org_b):
    prepared = Prepared(lambda user_id: _organizations_of(user_id).values_list("slug"),
                        "user_id")
    for user in (alice, bob, alice):
        assert prepared.rows(user_id=user.pk) == list(
            _organizations_of(user.pk).values_list("slug"))
    instances = Prepared(_organizations_of, "user_id").instances(user_id=bob.pk)
    assert instances == list(_organizations_of(bob.pk)) == [org_b]


def test_a_value_the_query_does_not_use_as_given_is_refused():
    # The marker becomes a string in the SQL parameters: it could not be put back.
    prepared = Prepared(lambda slug: Organization.objects.filter(slug=slug), "slug")
    with pytest.raises(ValueError, match="slug"):
        prepared.rows(slug=1)


def test_only_integers_are_taken(alice):
    prepared = Prepared(_organizations_of, "user_id")
    with pytest.raises(TypeError):
        prepared.rows(user_id=str(alice.pk))
    with pytest.raises(TypeError):
        prepared.rows()

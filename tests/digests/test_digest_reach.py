"""The bulk reads the digests ask of `sharing`: `reaches_of` (everyone's reach in one query)
equals `reach_of` for every person, and `BatchAudiences` (a batch's audience rows, asked per
reader in memory) equals `visible_to` for every person and item — so that a job that reads
in bulk sees exactly what the portal shows."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.communities.models import Federation, Membership
from apps.discussions.models import Thread
from apps.discussions.services import thread_create
from apps.incidents.models import Incident
from apps.incidents.services import incident_create
from apps.sharing.selectors import BatchAudiences, reach_of, reaches_of, visible_to
from apps.sharing.tlp import TLP
from tests.conftest import _member
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, community, other_community, org_a, org_b, org_c):
    """Every kind of audience: the community, one organisation, an interned set of four or
    more, people, the public, a federation; members in every state, and one moved by a
    bulk update."""
    org_d = OrganizationFactory(slug="org-d", name="デルタ", name_en="Delta")
    dave = _member(community, "dave@delta.example.jp", org_d)
    _member(community, "pat@delta.example.jp", org_d, status="pending_approval")
    _member(community, "lee@delta.example.jp", org_d, status="left")
    # Olive also acts for Gamma in the other ISAC; the outsider joins a federation.
    Membership.objects.create(community=other_community, user=cast["olive"], organization=org_c,
                              status="active")
    federation = Federation.objects.create(slug="fed", name="連合", coordinator=community)
    federation.communities.set([community, other_community])
    alice, bob, sam = cast["alice"], cast["bob"], cast["sam"]
    every = [org_a, org_b, org_c, org_d]
    for model_create, extra in ((incident_create, {"category": "ddos"}),
                                (thread_create, {"body": "本文"})):
        for tlp, choice in [
            (TLP.CLEAR, {}), (TLP.GREEN, {}), (TLP.GREEN, {"federated": True}),
            (TLP.AMBER, {"organizations": [org_b]}),
            (TLP.AMBER, {"organizations": every}),  # one interned group
            (TLP.AMBER_STRICT, {"organizations": [org_c, org_d]}),
            (TLP.RED, {"users": [bob, sam]}),
        ]:
            model_create(author=alice, community=community, title=f"{tlp} {choice}", tlp=tlp,
                         **extra, **choice)
        model_create(author=cast["outsider"], community=other_community, title="ICT GREEN",
                     tlp=TLP.GREEN, **extra)
        model_create(author=cast["outsider"], community=other_community, title="ICT RED",
                     tlp=TLP.RED, users=[cast["olive"]], **extra)
    # Carol leaves Gamma's place for Delta's by a bulk update: no signal, no service.
    Membership.objects.filter(user=cast["carol"]).update(organization=org_d)
    return [*cast.values(), dave]


def test_reaches_of_equals_reach_of_for_everyone(world):
    people = list(get_user_model().objects.all())
    with CaptureQueriesContext(connection) as queries:
        reaches = reaches_of(person.pk for person in people)
    assert len(queries) == 1
    assert reaches == {person.pk: reach_of(person) for person in people}
    assert any(reach.federations for reach in reaches.values())
    assert reaches_of([]) == {}


@pytest.mark.parametrize("model", [Incident, Thread])
def test_batch_audiences_see_what_visible_to_sees(world, model):
    people = list(get_user_model().objects.all())
    queryset = model.objects.all()
    audiences = BatchAudiences(queryset)
    reaches = reaches_of(person.pk for person in people)
    for person in people:
        expected = set(visible_to(person, queryset).values_list("pk", flat=True))
        assert audiences.visible(reaches[person.pk]) == expected, person
    # Signed out: the public items only.
    assert audiences.visible(reach_of(None)) == set(
        queryset.filter(tlp=TLP.CLEAR).values_list("pk", flat=True))


def test_a_label_raised_by_a_bulk_update_is_not_public_any_more(world, alice):
    Incident.objects.filter(tlp=TLP.CLEAR).update(tlp=TLP.RED)
    audiences = BatchAudiences(Incident.objects.all())
    assert audiences.visible(reach_of(None)) == set()
    assert audiences.visible(reach_of(alice)) == set(
        visible_to(alice, Incident.objects.all()).values_list("pk", flat=True))


def test_a_narrowed_reach_asks_only_its_communities(world, alice, community, other_community):
    audiences = BatchAudiences(Incident.objects.all())
    here = audiences.visible(reach_of(alice).narrowed(communities=[community.pk]))
    assert here == set(visible_to(alice, Incident.objects.filter(community=community))
                       .values_list("pk", flat=True))
    assert not Incident.objects.filter(pk__in=here, community=other_community).exists()

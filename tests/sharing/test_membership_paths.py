"""Findings 1 and 2 of the trust review, replayed: access follows memberships whatever path
changed them, and auth groups edited by hand give nobody anything.

Each item here is seen by bob through his membership only; every test removes or moves that
membership by a path that skips `Membership.save()` / `delete()` (the admin's "delete
selected", the admin's change form, `QuerySet.update()`) and asks every list bob could read.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.communities.models import Federation, Membership
from apps.discussions.models import Thread
from apps.discussions.services import thread_create
from apps.incidents.models import Incident
from apps.incidents.services import incident_create
from apps.sharing.selectors import visible_to
from apps.sharing.tlp import TLP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation(community, other_community):
    federation = Federation.objects.create(slug="fed", name="連携", coordinator=community)
    federation.communities.add(community, other_community)
    return federation


@pytest.fixture
def items(community, alice, bob, org_a, org_b, federation):
    """What bob sees while he is an active member of org B in fin-isac: GREEN, AMBER,
    AMBER+STRICT and a federated GREEN incident, and a GREEN and an AMBER thread."""
    incidents = [
        incident_create(author=alice, community=community, title=f"{tlp} 事案",
                        category="other", tlp=tlp, **choice)
        for tlp, choice in [
            (TLP.GREEN, {}),
            (TLP.AMBER, {"organizations": [org_a, org_b]}),
            (TLP.AMBER_STRICT, {"organizations": [org_b]}),
            (TLP.GREEN, {"federated": True}),
        ]
    ]
    threads = [
        thread_create(author=alice, community=community, title=f"{tlp} 議論", body="本文",
                      tlp=tlp, **choice)
        for tlp, choice in [(TLP.GREEN, {}), (TLP.AMBER, {"organizations": [org_b]})]
    ]
    return incidents, threads


def _seen_by(user) -> set:
    return set(visible_to(user, Incident.objects.all()).values_list("pk", flat=True)) | set(
        visible_to(user, Thread.objects.all()).values_list("pk", flat=True)
    )


def _api_ids(client) -> set[str]:
    ids = set()
    for url in ("/api/v1/incidents/", "/api/v1/threads/"):
        response = client.get(url)
        assert response.status_code == 200
        ids |= {row["id"] for row in response.json()["results"]}
    return ids


@pytest.fixture
def admin_client(client_for):
    return client_for(UserFactory(email="root@renkei.example", is_staff=True,
                                  is_superuser=True))


def test_bulk_delete_in_the_admin_ends_access_at_once(items, bob, community, admin_client,
                                                      client_for):
    bob_client = client_for(bob)
    assert len(_api_ids(bob_client)) == 6
    membership = Membership.objects.get(user=bob, community=community)
    response = admin_client.post(
        reverse("admin:communities_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert _seen_by(bob) == set()
    assert _api_ids(bob_client) == set()


def test_moving_a_membership_in_the_admin_leaves_nothing_behind(
    items, bob, community, other_community, admin_client, client_for
):
    membership = Membership.objects.get(user=bob, community=community)
    url = reverse("admin:communities_membership_change", args=[membership.pk])
    form = {
        "community": other_community.pk, "user": bob.pk,
        "organization": membership.organization_id, "role": "member", "status": "active",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    membership.refresh_from_db()
    assert membership.community == other_community
    # Only the federated GREEN item remains: bob is now in a federation partner.
    federated = Incident.objects.get(federated=True)
    assert _seen_by(bob) == {federated.pk}
    assert _api_ids(client_for(bob)) == {str(federated.pk)}


def test_queryset_update_ends_access_at_once(items, bob, community):
    assert len(_seen_by(bob)) == 6
    Membership.objects.filter(user=bob).update(status="suspended")
    assert _seen_by(bob) == set()
    Membership.objects.filter(user=bob).update(status="active")
    assert len(_seen_by(bob)) == 6


def test_groups_added_by_hand_grant_nothing(items, community, federation):
    """The superuser (or anyone) put into every group the grants point at sees no more."""
    root = UserFactory(email="root@renkei.example", is_staff=True, is_superuser=True)
    stranger = UserFactory(email="stranger@renkei.example")
    for user in (root, stranger):
        user.groups.add(*Group.objects.all())
        assert _seen_by(user) == set()


def test_a_deleted_community_membership_row_is_a_membership_that_ended(items, bob):
    Membership.objects.filter(user=bob).delete()
    assert _seen_by(bob) == set()

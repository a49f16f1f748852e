"""Reciprocity: per member organisation, what it shared, sighted, fed back and read — counts
only, for the secretariat alone, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.communities.models import Organization
from apps.incidents.models import Incident, IncidentView
from apps.incidents.reciprocity import reciprocity
from apps.incidents.relay_services import relay_publish, relay_submit
from apps.incidents.services import feedback_add, incident_create, sighting_add
from apps.sharing.tlp import TLP
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _share(author, community, title, tlp=TLP.GREEN):
    return incident_create(author=author, community=community, title=title, category="other",
                           tlp=tlp)


@pytest.fixture
def activity(community, alice, bob, carol, sec):
    """org-a shares two (one long ago), org-b sights and gives feedback and reads, org-c
    only reads; a relay from carol (org-c) is published by the secretariat (org-a)."""
    first = _share(alice, community, "Phishing wave")
    old = _share(alice, community, "Old news")
    Incident.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=200))
    sighting_add(user=bob, incident=first)
    feedback_add(user=bob, incident=first, action="blocked")
    feedback_add(user=bob, incident=first, action="hunted")
    IncidentView.objects.create(incident=first, organization=bob.memberships.get().organization)
    IncidentView.objects.create(incident=first, organization=carol.memberships.get().organization)
    relay = relay_submit(member=carol, community=community, title="Our breach", summary="s")
    relay_publish(relay=relay, actor=sec, title="A breach", summary="s", category="other",
                  tlp=TLP.GREEN)
    return first


def _rows(community, days=90, sort="name"):
    since = timezone.now() - datetime.timedelta(days=days)
    return {org.slug: (org.shared, org.relayed, org.sightings, org.feedback, org.read)
            for org in reciprocity(community, since=since, sort=sort)}


def test_counts_per_organisation_over_the_period(community, activity):
    assert _rows(community) == {
        "org-a": (1, 0, 0, 0, 0),
        "org-b": (0, 0, 1, 2, 1),
        "org-c": (0, 1, 0, 0, 1),
    }
    assert _rows(community, days=365)["org-a"] == (2, 0, 0, 0, 0)


def test_sorted_by_any_column(community, activity):
    since = timezone.now() - datetime.timedelta(days=90)
    order = [org.slug for org in reciprocity(community, since=since, sort="-feedback")]
    assert order[0] == "org-b"
    order = [org.slug for org in reciprocity(community, since=since, sort="-shared")]
    assert order[0] == "org-a"


def test_page_shows_counts_only_to_the_secretariat(client_for, community, cast, activity):
    url = reverse("incidents:reciprocity", args=[community.slug])
    page = client_for(cast["sec"]).get(url, {"days": 90, "sort": "-read"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Beta Securities" in html
    assert "Phishing wave" not in html and "A breach" not in html
    for name in ("alice", "bob", "carol", "olive", "outsider"):
        assert client_for(cast[name]).get(url).status_code == 404, name


def test_query_count_does_not_grow_with_organisations(
        client_for, community, sec, activity, django_assert_max_num_queries):
    url = reverse("incidents:reciprocity", args=[community.slug])
    client = client_for(sec)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for n in range(8):
        organization = OrganizationFactory(slug=f"more-{n}")
        MembershipFactory(community=community, organization=organization,
                          user=UserFactory(email=f"m{n}@more.example.jp"), status="active")
    assert Organization.objects.count() >= 11
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count("<tr>") == 1 + 11

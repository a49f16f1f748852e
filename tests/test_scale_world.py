"""`build_scale_world` writes what the services would: a small world (a few hundred incidents),
whose grants are compared with those `audience_set` gives the same items."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from apps.communities.models import Membership, MembershipStatus, Organization
from apps.discussions.models import Thread
from apps.incidents.models import Incident
from apps.sharing.audience import AMBERS, member_organizations
from apps.sharing.models import AudienceRow, permission_models
from apps.sharing.selectors import visible_to
from apps.sharing.services import audience_set
from apps.sharing.tlp import TLP

INCIDENTS = 600
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path):
    manifest = tmp_path / "manifest.json"
    out = StringIO()
    call_command("build_scale_world", incidents=INCIDENTS, manifest=str(manifest), seed=3,
                 stdout=out)
    return json.loads(manifest.read_text()), out.getvalue()


def audience_of(item) -> dict:
    """Everything `audience_set` writes for an item, as comparable sets."""
    user_perms, group_perms = permission_models(type(item))
    rows = {
        "user_grants": set(user_perms.objects.filter(content_object=item)
                           .values_list("user_id", "permission_id")),
        "group_grants": set(group_perms.objects.filter(content_object=item)
                            .values_list("group_id", "permission_id")),
        "organizations": set(item.recipient_organizations.values_list("pk", flat=True)),
        "users": set(item.recipient_users.values_list("pk", flat=True)),
        "tlp": type(item).objects.get(pk=item.pk).tlp,
    }
    rows["audience_rows"] = set(
        AudienceRow.objects.filter(object_id=item.pk).values_list("group_id", "user_id",
                                                                  "community_id", "position"))
    return rows


def test_grants_are_those_audience_set_writes(world):
    """For items of every label and both kinds of AMBER audience (the default, every member
    organisation, and a few named ones), `audience_set` run again changes nothing."""
    checked = Counter()
    for model in (Incident, Thread):
        for tlp in TLP:
            for item in model.objects.filter(tlp=tlp).order_by("pk")[:6]:
                before = audience_of(item)
                organizations = users = None
                if tlp in AMBERS:
                    default = set(member_organizations(item.community)
                                  .values_list("pk", flat=True)) | {item.author_organization_id}
                    named = before["organizations"] != default
                    checked["named" if named else "default"] += 1
                    organizations = list(before["organizations"]) if named else None
                if tlp == TLP.RED:
                    users = list(before["users"])
                audience_set(item=item, actor=item.author, tlp=tlp,
                             organizations=organizations, users=users)
                assert audience_of(item) == before, (model.__name__, tlp, item.pk)
                checked[tlp] += 1
    assert all(checked[tlp] for tlp in TLP), checked
    assert checked["named"] and checked["default"], checked


def test_manifest_counts_what_visible_to_counts(world):
    manifest, out = world
    users = {entry["kind"]: entry for entry in manifest["users"]}
    assert set(users) == {"red_recipient", "big_organisation", "many_communities"}
    for kind, entry in users.items():
        user = Membership.objects.filter(user__email=entry["email"]).first().user
        assert entry["visible_incidents"] == visible_to(user, Incident.objects.all()).count()
        assert entry["visible_threads"] == visible_to(user, Thread.objects.all()).count()
        assert f"| {entry['email']} | {kind} | {entry['visible_incidents']} |" in out
    # Each is what its kind says.
    red = Membership.objects.filter(user__email=users["red_recipient"]["email"]).first().user
    assert Incident.objects.filter(tlp=TLP.RED, recipient_users=red).count() >= 5
    many = users["many_communities"]["email"]
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE)
    assert active.filter(user__email=many).count() >= max(
        active.filter(user=m.user_id).count() for m in active.exclude(user__email=many))
    largest = Organization.objects.annotate(
        people=Count("memberships__user", distinct=True)).order_by("-people").first()
    assert active.filter(user__email=users["big_organisation"]["email"],
                         organization=largest).exists()


def test_tlp_mix_and_text(world):
    counts = Counter(Incident.objects.values_list("tlp", flat=True))
    assert sum(counts.values()) == INCIDENTS
    assert Thread.objects.count() == INCIDENTS // 10
    expected = {TLP.CLEAR: 0.10, TLP.GREEN: 0.50, TLP.AMBER: 0.30, TLP.AMBER_STRICT: 0.05,
                TLP.RED: 0.05}
    for tlp, share in expected.items():
        assert abs(counts[tlp] / INCIDENTS - share) < 0.04, counts
    ransom = Incident.objects.filter(summary__contains="ランサムウェア").count()
    assert 0.01 < ransom / INCIDENTS < 0.06
    first = Incident.objects.order_by("created_at").first().created_at
    last = Incident.objects.order_by("created_at").last().created_at
    assert (last - first).days > 4 * 365

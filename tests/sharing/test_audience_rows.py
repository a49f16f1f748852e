"""The materialised audience (`AudienceRow`) on the paths the visibility property does not
walk: deleting items, threads moving up on a new post, the rebuild from grants that migrations
and bulk-loaded worlds use, AMBER to every organisation as one interned group, and pages."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from apps.communities.groups import federation_group
from apps.communities.models import CommunityGroup, Federation, GroupKind
from apps.discussions.models import Thread
from apps.discussions.services import post_add, thread_create
from apps.incidents.models import Incident, IncidentGroupObjectPermission
from apps.sharing.audience import FEDERATION, GROUP_LABELS
from apps.sharing.materialise import audience_rebuild
from apps.sharing.models import AudienceRow
from apps.sharing.pages import Cursor, visible_count, visible_page
from apps.sharing.tlp import TLP
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def rows_of(item) -> set:
    return set(
        AudienceRow.objects.filter(
            content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk
        ).values_list("group_id", "user_id", "position")
    )


def every_row() -> set:
    return set(
        AudienceRow.objects.values_list(
            "content_type_id", "object_id", "community_id", "group_id", "user_id", "position"
        )
    )


def test_deleting_items_deletes_their_rows_on_every_path(share, alice, bob):
    kept = share(alice, TLP.GREEN)
    one, bulk = share(alice, TLP.RED, users=[bob]), share(alice, TLP.CLEAR)
    one.delete()
    Incident.objects.filter(pk=bulk.pk).delete()  # the admin's "delete selected"
    assert set(AudienceRow.objects.values_list("object_id", flat=True)) == {kept.pk}


def test_a_new_post_moves_the_thread_in_every_list(alice, bob, community):
    first = thread_create(author=alice, community=community, title="1", body="b", tlp=TLP.GREEN)
    second = thread_create(author=alice, community=community, title="2", body="b", tlp=TLP.GREEN)
    assert [t.pk for t in visible_page(bob, Thread.objects.all(), size=5).items] == [
        second.pk, first.pk]
    post_add(author=bob, thread=first, body="返信")
    first.refresh_from_db()
    assert {position for _, _, position in rows_of(first)} == {first.last_post_at}
    assert [t.pk for t in visible_page(bob, Thread.objects.all(), size=5).items] == [
        first.pk, second.pk]


def test_the_rebuild_from_grants_gives_exactly_the_rows_the_services_wrote(
    share, alice, bob, carol, org_b, community
):
    thread_create(author=alice, community=community, title="t", body="b", tlp=TLP.RED,
                  users=[carol])
    for choice in [{"tlp": TLP.CLEAR}, {"tlp": TLP.GREEN}, {"tlp": TLP.AMBER},
                   {"tlp": TLP.AMBER_STRICT, "organizations": [org_b]},
                   {"tlp": TLP.RED, "users": [bob, carol]}]:
        share(alice, **choice)
    written = every_row()
    assert len(written) >= 8
    AudienceRow.objects.all().delete()
    audience_rebuild(Incident)
    audience_rebuild(Thread)
    assert every_row() == written


def test_amber_to_every_organisation_is_one_grant_whoever_many_there_are(share, alice, community):
    for _ in range(6):
        MembershipFactory(community=community, organization=OrganizationFactory())
    first, second = share(alice, TLP.AMBER), share(alice, TLP.AMBER)
    for incident in (first, second):
        assert IncidentGroupObjectPermission.objects.filter(content_object=incident).count() == 1
        assert len(rows_of(incident)) == 2  # the set's group, and the author
    interned = CommunityGroup.objects.get(kind=GroupKind.ORGANIZATIONS)
    assert interned.organizations.count() == 7  # alice's and the six new ones


def test_pages_follow_the_cursor_and_stay_right_while_items_are_added(share, alice, bob):
    items = [share(alice, TLP.GREEN) for _ in range(5)]
    first = visible_page(bob, Incident.objects.all(), size=2)
    assert [i.pk for i in first.items] == [items[4].pk, items[3].pk]
    share(alice, TLP.GREEN)  # a new item goes to the top, not into the next page
    second = visible_page(bob, Incident.objects.all(), size=2, after=first.next)
    assert [i.pk for i in second.items] == [items[2].pk, items[1].pk]
    assert Cursor.decode(second.next.encode()) == second.next
    last = visible_page(bob, Incident.objects.all(), size=2, after=second.next)
    assert [i.pk for i in last.items] == [items[0].pk] and last.next is None


def test_counts_are_exact_up_to_the_cap_and_say_more_beyond(share, alice, bob):
    for _ in range(4):
        share(alice, TLP.GREEN)
    share(alice, TLP.CLEAR)
    assert (visible_count(bob, Incident.objects.all(), cap=5).value, visible_count(
        bob, Incident.objects.all(), cap=5).exact) == (5, True)
    capped = visible_count(bob, Incident.objects.all(), cap=3)
    assert (capped.value, capped.exact) == (3, False)
    assert visible_count(AnonymousUser(), Incident.objects.all()).value == 1


@pytest.mark.parametrize("text", ["", "x", "bm90IGEgY3Vyc29y", "MjAyNi0wMS0wMXxub3Q"])
def test_a_cursor_this_portal_did_not_write_is_refused(text):
    with pytest.raises(ValueError):
        Cursor.decode(text)


# Writing a grant or an audience row anywhere but `apps.sharing` would let the two disagree.
WRITES = re.compile(
    r"(AudienceRow|ObjectPermission)\b[^\n]*\.(create|bulk_create|update|delete|get_or_create|"
    r"update_or_create)\(|\b(assign_perm|remove_perm|bulk_assign_perm)\("
)


def test_only_sharing_writes_grants_and_audience_rows():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for base in ("apps", "portal")
        for path in (root / base).rglob("*.py")
        if "migrations" not in path.parts and (root / "apps" / "sharing") not in path.parents
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if WRITES.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("narrow", [False, True])
def test_a_label_raised_by_update_does_not_leave_the_item_public(share, alice, bob, narrow):
    """`QuerySet.update()` grants nothing; it must not leave a public row counting either."""
    item = share(alice, TLP.CLEAR)
    Incident.objects.filter(pk=item.pk).update(tlp=TLP.RED)
    assert not visible_page(AnonymousUser(), Incident.objects.all(), size=5,
                            narrow=narrow).items
    assert not visible_page(bob, Incident.objects.all(), size=5, narrow=narrow).items
    assert not Incident.objects.visible_to(AnonymousUser()).exists()
    assert not Incident.objects.visible_to(bob).exists()


def test_every_group_is_granted_only_the_labels_its_kind_holds(share, alice, bob, community):
    """`audience.GROUP_LABELS` (which audiences a list filtered by label walks) says what
    `services` grants: a grant outside it would be missed by such a list."""
    federation = Federation.objects.create(slug="fed", name="Federation", coordinator=community)
    federation.communities.add(community)
    items = [share(alice, label) for label in TLP]
    items += [share(alice, TLP.GREEN, federated=True),
              share(alice, TLP.AMBER, organizations=[alice.memberships.get().organization])]
    kinds = dict(CommunityGroup.objects.values_list("group_id", "kind"))
    kinds[federation_group(federation).pk] = FEDERATION
    granted = set()
    for item in items:
        for group_id in IncidentGroupObjectPermission.objects.filter(
                content_object=item).values_list("group_id", flat=True):
            granted.add((kinds[group_id], item.tlp))
            assert item.tlp in GROUP_LABELS[kinds[group_id]], (kinds[group_id], item.tlp)
    assert {kind for kind, _label in granted} >= {GroupKind.MEMBERS, FEDERATION,
                                                   GroupKind.ORGANIZATION}

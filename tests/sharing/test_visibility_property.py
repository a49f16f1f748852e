"""Random worlds against the TLP table of DESIGN.md.

Hypothesis builds communities (some federated), organisations, people with memberships in
every role and status, and items under every label with random recipients, exclusions,
anonymity and federation; then suspends, removes or moves some members and changes some
audiences. For every person (and nobody signed in) and every item, `visible_to`, `can_view`
and the source shown must agree with `sees` / `knows_source` below — written from the table,
never calling `sharing`. HYPOTHESIS_PROFILE=ci runs several hundred worlds.

Memberships change by every path a row can change by (`PATHS`): a model save (what forms and
services do), ``QuerySet.update()`` (a data migration, a bulk admin action), a bulk
``QuerySet.delete()`` (the admin's "delete selected"); and some worlds add everybody to every
auth group by hand. Visibility must follow the memberships whatever the path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from apps.communities.models import Community, Federation, Membership, Organization
from apps.incidents.models import (
    Incident,
    IncidentGroupObjectPermission,
    IncidentUserObjectPermission,
)
from apps.incidents.services import incident_create
from apps.sharing.models import AudienceRow
from apps.sharing.pages import visible_count, visible_listing, visible_page
from apps.sharing.selectors import (
    audience_count,
    can_view,
    reach_of,
    source_organizations,
    visible_to,
)
from apps.sharing.services import audience_set
from tests.sharing.shards import shard_classes

User = get_user_model()

LABELS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
ROLES = ["chair", "secretariat", "member", "advisor", "observer", "guest"]
STATUSES = ["invited", "awaiting_agreement", "pending_approval", "active", "suspended", "left"]
SHARERS = {"chair", "secretariat", "member", "advisor"}  # observers see, do not share
# How a membership row changes. A deleted row is, for the TLP table, a membership that has
# ended: the reference records it as "left".
PATHS = ["save", "update", "delete"]


@dataclass(frozen=True)
class Member:
    org: int
    role: str
    status: str


@dataclass(frozen=True)
class Choice:
    """What the author picked, as the portal shows it: `organizations` is the resolved AMBER
    list (the default is every organisation represented in the community at the time)."""

    tlp: str
    organizations: frozenset[int] | None  # None: the default, i.e. all of them
    default_organizations: frozenset[int]
    users: frozenset[int]
    federated: bool

    @property
    def chosen_organizations(self) -> frozenset[int]:
        return self.default_organizations if self.organizations is None else self.organizations


@dataclass
class Item:
    community: int
    author: int
    author_org: int
    anonymous: bool
    first: Choice
    final: Choice


@dataclass
class World:
    n_users: int
    n_orgs: int
    n_communities: int
    federations: list[frozenset[int]]
    superusers: set[int]
    memberships: dict[tuple[int, int], Member]  # (user, community) -> membership when shared
    final: dict[tuple[int, int], Member]  # after suspensions, departures and moves
    items: list[Item] = field(default_factory=list)
    paths: dict[tuple[int, int], str] = field(default_factory=dict)  # how each change is made
    hand_groups: bool = False  # everybody added to every auth group by hand at the end


def sees(world: World, memberships: dict, user: int | None, item: Item, choice: Choice) -> bool:
    """The TLP table of DESIGN.md, and nothing else."""
    if choice.tlp == "CLEAR":
        return True  # anyone, signed in or not
    if user is None:
        return False

    def active(community: int) -> bool:
        member = memberships.get((user, community))
        return member is not None and member.status == "active"

    here = item.community
    if user == item.author and active(here):
        return True  # the author keeps sight of what they wrote
    if choice.tlp == "GREEN":
        return active(here) or (
            choice.federated
            and any(
                active(other)
                for federation in world.federations
                if here in federation
                for other in federation
            )
        )
    if choice.tlp in ("AMBER", "AMBER+STRICT"):
        return active(here) and memberships[(user, here)].org in (
            choice.chosen_organizations | {item.author_org}
        )
    return active(here) and user in choice.users  # RED


def knows_source(world: World, user: int | None, item: Item) -> bool:
    if not item.anonymous:
        return True
    member = world.final.get((user, item.community))
    return user == item.author or (
        member is not None and member.status == "active" and member.role == "secretariat"
    )


def _present(memberships: dict, community: int, what: str) -> list[int]:
    """Organisations (or people) with a membership in the community that has not ended."""
    index = 0 if what == "user" else 1
    return sorted(
        {
            (key[0], member.org)[index]
            for key, member in memberships.items()
            if key[1] == community and member.status != "left"
        }
    )


def _choice(draw, world: World, memberships: dict, community: int) -> Choice:
    tlp = draw(st.sampled_from(LABELS))
    organizations_present = frozenset(_present(memberships, community, "org"))
    organizations, users = None, frozenset()
    if tlp in ("AMBER", "AMBER+STRICT"):
        organizations = draw(
            st.none() | st.frozensets(st.sampled_from(sorted(organizations_present)))
        )
    if tlp == "RED":
        users = draw(st.frozensets(st.sampled_from(_present(memberships, community, "user"))))
    federated = (
        tlp in ("CLEAR", "GREEN")
        and any(community in f for f in world.federations)
        and draw(st.booleans())
    )
    return Choice(tlp, organizations, organizations_present, users, federated)


@st.composite
def worlds(draw) -> World:
    n_communities, n_orgs, n_users = (
        draw(st.integers(1, 3)),
        draw(st.integers(1, 6)),  # AMBER to 4 or more organisations is one interned group
        draw(st.integers(1, 6)),
    )
    communities = st.integers(0, n_communities - 1)
    # Every role and status appears, but most people are active members, so items get shared.
    roles = st.just("member") | st.sampled_from(ROLES)
    statuses = st.just("active") | st.sampled_from(STATUSES)
    memberships = {
        (user, community): Member(draw(st.integers(0, n_orgs - 1)), draw(roles), draw(statuses))
        for user in range(n_users)
        for community in sorted(draw(st.sets(communities)))
    }
    world = World(
        n_users=n_users,
        n_orgs=n_orgs,
        n_communities=n_communities,
        federations=draw(st.lists(st.frozensets(communities, min_size=1), max_size=2)),
        superusers=draw(st.sets(st.integers(0, n_users - 1))),
        memberships=memberships,
        final=dict(memberships),
    )
    sharers = sorted(
        key
        for key, member in memberships.items()
        if member.status == "active" and member.role in SHARERS
    )
    for _ in range(draw(st.integers(1, 6)) if sharers else 0):
        author, community = draw(st.sampled_from(sharers))
        choice = _choice(draw, world, memberships, community)
        world.items.append(
            Item(
                community,
                author,
                memberships[(author, community)].org,
                draw(st.booleans()),
                choice,
                choice,
            )
        )
    # Later: members are suspended, leave, come back or move to another organisation ...
    for key in draw(
        st.lists(st.sampled_from(sorted(memberships)), max_size=4) if memberships else st.just([])
    ):
        path = draw(st.sampled_from(PATHS))
        world.paths[key] = path
        world.final[key] = dataclasses.replace(
            world.final[key],
            status="left" if path == "delete" else draw(st.sampled_from(STATUSES)),
            org=draw(st.sampled_from([world.final[key].org, draw(st.integers(0, n_orgs - 1))])),
        )
    world.hand_groups = draw(st.booleans())
    # ... and authors who are still active change their minds.
    for item in world.items:
        if world.final[(item.author, item.community)].status == "active" and draw(st.booleans()):
            item.final = _choice(draw, world, world.final, item.community)
    return world


def change_memberships(world: World, memberships: dict, orgs: list) -> None:
    """Bring the database from `world.memberships` to `world.final`, each row by its path."""
    for key, member in world.final.items():
        if member == world.memberships[key] and key not in world.paths:
            continue
        membership = memberships[key]
        path = world.paths.get(key, "save")
        if path == "delete":
            Membership.objects.filter(pk=membership.pk).delete()
        elif path == "update":
            Membership.objects.filter(pk=membership.pk).update(
                status=member.status, organization=orgs[member.org]
            )
        else:
            membership.status, membership.organization = member.status, orgs[member.org]
            membership.save()
    if world.hand_groups:
        # The grants point at these groups; adding people to them by hand must grant nothing.
        groups = list(Group.objects.all())
        for user in User.objects.all():
            user.groups.add(*groups)


class VisibilityMatchesTheTLPTable(TestCase):
    def build(self, world: World):
        users = User.objects.bulk_create(
            User(
                email=f"u{i}@world.example",
                is_superuser=i in world.superusers,
                is_staff=i in world.superusers,
            )
            for i in range(world.n_users)
        )
        orgs = Organization.objects.bulk_create(
            Organization(slug=f"o{i}", name=f"組織{i}") for i in range(world.n_orgs)
        )
        communities = Community.objects.bulk_create(
            Community(slug=f"c{i}", name=f"ISAC{i}", kind="isac")
            for i in range(world.n_communities)
        )
        for i, members in enumerate(world.federations):
            federation = Federation.objects.create(
                slug=f"f{i}", name=f"連携{i}", coordinator=communities[min(members)]
            )
            federation.communities.set([communities[c] for c in members])
        memberships = {
            (u, c): Membership.objects.create(
                user=users[u],
                community=communities[c],
                organization=orgs[m.org],
                role=m.role,
                status=m.status,
            )
            for (u, c), m in world.memberships.items()
        }

        def chosen(choice: Choice) -> dict:
            return {
                "tlp": choice.tlp,
                "federated": choice.federated,
                "organizations": None
                if choice.organizations is None
                else [orgs[o] for o in choice.organizations],
                "users": [users[u] for u in choice.users],
            }

        incidents = []
        for item in world.items:
            incident = incident_create(
                author=users[item.author],
                community=communities[item.community],
                title="t",
                category="other",
                anonymous=item.anonymous,
                **chosen(item.first),
            )
            incidents.append(incident)
            # The picker's promise, checked while the world is as the author saw it.
            expected = (
                None
                if item.first.tlp == "CLEAR"
                else sum(
                    sees(world, world.memberships, u, item, item.first)
                    for u in range(world.n_users)
                )
            )
            count = audience_count(
                community=communities[item.community],
                author=users[item.author],
                **chosen(item.first),
            )
            assert count == expected, (item, count, expected)
        change_memberships(world, memberships, orgs)
        for item, incident in zip(world.items, incidents, strict=True):
            if item.final is not item.first:
                audience_set(item=incident, actor=users[item.author], **chosen(item.final))
        return users, incidents

    def check_visible_to_and_can_view_agree_with_the_tlp_table(self, world: World):
        users, incidents = self.build(world)
        event(f"{min(len(incidents), 3)}+ items" if incidents else "no items")
        for item in world.items:
            event(f"label {item.final.tlp}{' changed' if item.final is not item.first else ''}")
        people = [*range(world.n_users), None]
        for person in people:
            user = AnonymousUser() if person is None else users[person]
            expected = {
                incident.pk
                for item, incident in zip(world.items, incidents, strict=True)
                if sees(world, world.final, person, item, item.final)
            }
            visible = set(visible_to(user, Incident.objects.all()).values_list("pk", flat=True))
            assert visible == expected, (person, world)
            # A list walked page by page (keyset cursors over the audience rows) holds the same
            # items, newest first, each once; its count agrees.
            newest_first = [i.pk for i in sorted(
                (i for i in incidents if i.pk in expected),
                key=lambda i: (i.created_at, i.pk), reverse=True)]
            # Walking the audiences, or probing each item: among all of them, or first in
            # windows of the newest items once and four times as many as wanted (three: a
            # page of two and one more), which may hold the page or fall short of it.
            for narrow, windows in ((False, ()), (True, ()), (True, (1, 4))):
                walked, after = [], None
                while True:
                    page = visible_page(user, Incident.objects.all(), size=2, after=after,
                                        narrow=narrow, windows=windows)
                    walked += page.items
                    if (after := page.next) is None:
                        break
                assert [i.pk for i in walked] == newest_first, (person, narrow, world)
                count = visible_count(user, Incident.objects.all(), narrow=narrow)
                assert (count.value, count.exact) == (len(expected), True)
                # Page and count of one list together (one statement for a first narrow page)
                # say the same, under a cap.
                page, count = visible_listing(user, Incident.objects.all(), size=1, cap=1,
                                              narrow=narrow)
                assert [i.pk for i in page.items] == newest_first[:1], (person, world)
                assert (page.next is None) == (len(newest_first) <= 1)
                assert (count.value, count.exact) == (
                    min(len(expected), 1), len(expected) <= 1), (person, narrow, world)
            # A list filtered by label or community walks only the audiences that can hold
            # such items (Reach.narrowed) and still finds every one of them.
            reach = reach_of(user)
            for narrowing, filtered in [  # the labels and communities the world's items have
                *(({"labels": [label]}, {"tlp": label})
                  for label in sorted({i.tlp for i in incidents})),
                *(({"communities": [pk]}, {"community_id": pk})
                  for pk in sorted({i.community_id for i in incidents})),
            ]:
                page, _count = visible_listing(user, Incident.objects.filter(**filtered),
                                               size=len(incidents) + 1,
                                               reach=reach.narrowed(**narrowing))
                matching = set(Incident.objects.filter(**filtered).values_list("pk", flat=True))
                wanted = [pk for pk in newest_first if pk in matching]
                assert [i.pk for i in page.items] == wanted, (person, narrowing, world)
            for incident in incidents:
                assert can_view(user, incident) == (incident.pk in expected), (person, incident)
            sources = source_organizations(
                Incident.objects.select_related("author_organization"), user
            )
            for item, incident in zip(world.items, incidents, strict=True):
                assert (sources[incident.pk] is not None) == knows_source(world, person, item)
        assert audience_rows() == audience_from_grants(), world


def audience_rows() -> set:
    """The materialised audience as (item, principal, community, position)."""
    return {
        (row.object_id, ("g", row.group_id) if row.group_id else ("u", row.user_id)
         if row.user_id else ("public",), row.community_id, row.position)
        for row in AudienceRow.objects.all()
    }


def audience_from_grants() -> set:
    """What guardian's grant tables (the record) and the labels say the rows must be: one per
    view grant, one public row per TLP:CLEAR item — read from the tables, not from `sharing`."""
    items = {i.pk: i for i in Incident.objects.all()}
    rows = {
        (pk, ("public",), i.community_id, i.created_at)
        for pk, i in items.items()
        if i.tlp == "CLEAR"
    }
    for grant in IncidentGroupObjectPermission.objects.filter(permission__codename="view_incident"):
        i = items[grant.content_object_id]
        rows.add((i.pk, ("g", grant.group_id), i.community_id, i.created_at))
    for grant in IncidentUserObjectPermission.objects.filter(permission__codename="view_incident"):
        i = items[grant.content_object_id]
        rows.add((i.pk, ("u", grant.user_id), i.community_id, i.created_at))
    return rows


# The profile's worlds (400 under ci), in shards that xdist spreads over the cores.
globals().update(shard_classes(
    VisibilityMatchesTheTLPTable,
    "test_visible_to_and_can_view_agree_with_the_tlp_table",
    VisibilityMatchesTheTLPTable.check_visible_to_and_can_view_agree_with_the_tlp_table,
    worlds(),
    shards=4,
))

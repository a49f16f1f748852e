"""Random worlds against the TLP table, through every surface a person can read.

`test_visibility_property` checks the door itself (`visible_to`, `can_view`); this test checks
that nothing around the door disagrees with it. The same random worlds (communities, some
federated; organisations; people in every role and status, later suspended, gone or moved;
items under every label with random recipients, exclusions, anonymity and federation, some
re-labelled; memberships changed by a save, an ``update()`` or a bulk delete, and auth groups
edited by hand) now hold incidents AND threads (each with a reply). For every person — every
member whatever their role or status, a superuser who belongs nowhere, and nobody signed in —
and every item, these must agree with `sees` (the reference written from DESIGN.md's table,
never calling `sharing`):

- API lists: /api/v1/incidents/?community=<slug> and /api/v1/threads/;
- API details: /api/v1/incidents/<id>/ and /api/v1/threads/<id>/ (200 or 404);
- HTML lists: /c/<slug>/incidents/ (which also lists partners' federated items) and
  /c/<slug>/discussions/ — the item's id is on the page or not;
- HTML details: 200, or 404 (the sign-in page for somebody signed out);
- search: the web list with ``q=`` and `incident_search`, for a word planted in every item;
- posts: /api/v1/posts/?thread=<id> lists the thread's posts exactly when the thread is seen;
- what leaves the portal (issue 11): the incident list as a STIX bundle
  (/c/<slug>/incidents/stix/), its indicators as CSV (/c/<slug>/incidents/indicators.csv),
  and each community's TAXII 2.1 collection, paged to the end with the person's API token —
  served to active members only (404 to anyone else), holding the community's own incidents.

And no response body read by anyone the source is hidden from names the organisation behind
an anonymous item (organisations carry distinctive planted names and slugs), unless that
person has another, legitimate reason to read that name.

The HTTP round trips make a world far dearer than in the selector-level test, so the ``ci``
profile runs fewer of them here (``SURFACE_EXAMPLES``).
"""

from __future__ import annotations

import csv
import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from apps.accounts.services import token_issue
from apps.communities.models import Community, Federation, Membership, Organization
from apps.discussions.models import Post
from apps.discussions.services import post_add, thread_create
from apps.incidents.search import incident_search
from apps.incidents.services import incident_create
from apps.interop.taxii.collections import collection_id
from apps.sharing.services import audience_set
from tests.conftest import verified_login
from tests.sharing.shards import shard_classes
from tests.sharing.test_visibility_property import (
    Choice,
    Item,
    World,
    change_memberships,
    knows_source,
    sees,
    worlds,
)

User = get_user_model()

# The ci profile runs 400 selector-level worlds; a world here costs ~100 requests.
SURFACE_EXAMPLES = {"ci": 200, "dev": 30}.get(os.environ.get("HYPOTHESIS_PROFILE", "dev"), 30)

WORD = "ランサムウェア"  # planted inside a Japanese sentence in every item


def org_token(index: int) -> str:
    """What names organisation ``index`` in any body (slug, Japanese and English names),
    compared in lower case."""
    return f"zorg{index}q"


@st.composite
def surface_worlds(draw):
    world = draw(worlds().filter(lambda w: w.items))  # an empty world shows nothing
    kinds = [draw(st.sampled_from(["incident", "thread"])) for _ in world.items]
    return world, kinds


def federated_with(world: World, community: int) -> set[int]:
    """The communities whose federated items community ``community``'s incident list shows:
    itself and every community it shares a federation with."""
    return {community} | {c for f in world.federations if community in f for c in f}


class EverySurfaceAgreesWithTheTLPTable(TestCase):
    def build(self, world: World, kinds: list[str]):
        # One more person: a superuser who belongs to no community (no back door).
        admin = world.n_users
        users = User.objects.bulk_create(
            User(
                email=f"u{i}@world.example",
                display_name=f"Person {i}",
                is_superuser=i in world.superusers or i == admin,
                is_staff=i in world.superusers or i == admin,
            )
            for i in range(world.n_users + 1)
        )
        orgs = Organization.objects.bulk_create(
            Organization(
                slug=org_token(i), name=f"組織{org_token(i).upper()}", name_en=f"Org {org_token(i)}"
            )
            for i in range(world.n_orgs)
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

        objects = []
        for index, (item, kind) in enumerate(zip(world.items, kinds, strict=True)):
            common = {
                "author": users[item.author],
                "community": communities[item.community],
                "title": f"件名{index}",
                "anonymous": item.anonymous,
                **chosen(item.first),
            }
            text = f"昨日{WORD}の感染を確認した。番号{index}"
            if kind == "incident":
                indicators = [{"type": "domain", "value": f"i{index}.threat-example.com"}]
                objects.append(incident_create(category="other", summary=text,
                                               indicators=indicators, **common))
            else:
                thread = thread_create(body=text, **common)
                post_add(author=users[item.author], thread=thread, body=f"続報: {WORD}")
                objects.append(thread)
        change_memberships(world, memberships, orgs)
        for item, obj in zip(world.items, objects, strict=True):
            if item.final is not item.first:
                audience_set(item=obj, actor=users[item.author], **chosen(item.final))
        return users, communities, objects

    def check_every_surface_agrees_with_the_tlp_table(self, world_and_kinds):
        world, kinds = world_and_kinds
        users, communities, objects = self.build(world, kinds)
        event(f"{len(objects)} items" if objects else "no items")
        items = list(zip(world.items, kinds, objects, strict=True))
        posts = {
            thread_id: {str(pk) for pk in pks}
            for thread_id, pks in _posts_by_thread(
                [obj.pk for _, kind, obj in items if kind == "thread"]
            ).items()
        }
        for person in [*range(world.n_users + 1), None]:
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            if person is not None:
                verified_login(client, users[person])
            user = AnonymousUser() if person is None else users[person]
            seen = {
                str(obj.pk)
                for item, _, obj in items
                if sees(world, world.final, person, item, item.final)
            }
            check = Surfaces(self, client, person, world, items, seen)
            check.api_lists(communities)
            check.details()
            check.html_lists(communities)
            check.posts(posts)
            check.search_function(user)
            check.exports(communities)
            if person is not None:
                check.taxii(communities, token_issue(user=user, name="property test")[1])
            check.no_hidden_source()


# SURFACE_EXAMPLES worlds in shards that xdist spreads over the cores (a world costs ~0.5 s).
globals().update(shard_classes(
    EverySurfaceAgreesWithTheTLPTable,
    "test_every_surface_agrees_with_the_tlp_table",
    EverySurfaceAgreesWithTheTLPTable.check_every_surface_agrees_with_the_tlp_table,
    surface_worlds(),
    shards=8,
    examples=SURFACE_EXAMPLES,
))


def _posts_by_thread(thread_ids) -> dict:
    found: dict = {pk: [] for pk in thread_ids}
    for thread_id, pk in Post.objects.filter(thread_id__in=thread_ids).values_list(
        "thread_id", "pk"
    ):
        found[thread_id].append(pk)
    return found


class Surfaces:
    """The checks for one person; every body read is kept for the source check."""

    def __init__(self, case, client, person, world, items, seen):
        self.case, self.client, self.person, self.world = case, client, person, world
        self.items, self.seen = items, seen
        self.bodies: list[str] = []
        self.where = f"person {person} in {world}"

    def get(self, url: str):
        response = self.client.get(url)
        self.bodies.append(response.content.decode().lower())
        return response

    def ids(self, kind: str, community: int | None = None) -> set[str]:
        return {
            str(obj.pk)
            for item, k, obj in self.items
            if k == kind and (community is None or item.community == community)
        }

    def json_ids(self, url: str) -> set[str]:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code, self.where)
        return {row["id"] for row in response.json()["results"]}

    def api_lists(self, communities):
        for index, community in enumerate(communities):
            found = self.json_ids(f"/api/v1/incidents/?community={community.slug}")
            expected = self.ids("incident", index) & self.seen
            assert found == expected, ("api incident list", community.slug, self.where)
        found = self.json_ids("/api/v1/threads/")
        assert found == self.ids("thread") & self.seen, ("api thread list", self.where)

    def details(self):
        for item, kind, obj in self.items:
            visible = str(obj.pk) in self.seen
            api = f"/api/v1/{'incidents' if kind == 'incident' else 'threads'}/{obj.pk}/"
            status = self.get(api).status_code
            assert status == (200 if visible else 404), ("api detail", kind, item, self.where)
            page = "incidents" if kind == "incident" else "discussions"
            response = self.get(f"/c/c{item.community}/{page}/{obj.pk}/")
            if visible:
                expected = {200}
            elif self.person is None:
                expected = {302}  # to the sign-in page, like an id that does not exist
            else:
                expected = {404}
            assert response.status_code in expected, ("html detail", kind, item, self.where)
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"]

    def listed(self, index: int) -> set[str]:
        """The incidents community ``index``'s list holds: its own and its partners'
        federated ones (visibility aside)."""
        partners = federated_with(self.world, index)
        return {
            str(obj.pk)
            for item, kind, obj in self.items
            if kind == "incident"
            and (item.community == index or (item.final.federated and item.community in partners))
        }

    def html_lists(self, communities):
        for index, community in enumerate(communities):
            expected = self.listed(index) & self.seen
            for url in (
                f"/c/{community.slug}/incidents/",
                f"/c/{community.slug}/incidents/?q={WORD}",
            ):
                found = self.on_page(url, self.ids("incident"))
                assert found == expected, ("html incident list", url, self.where)
            found = self.on_page(f"/c/{community.slug}/discussions/", self.ids("thread"))
            expected = self.ids("thread", index) & self.seen
            assert found == expected, ("html thread list", community.slug, self.where)

    def on_page(self, url: str, candidates: set[str]) -> set[str]:
        response = self.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        if response.status_code != 200:
            return set()
        body = response.content.decode()
        return {pk for pk in candidates if pk in body}

    def exports(self, communities):
        """The list as a STIX bundle and its indicators as CSV: exactly the list's items."""
        for index, community in enumerate(communities):
            expected = self.listed(index) & self.seen
            response = self.get(f"/c/{community.slug}/incidents/stix/")
            found = set() if response.status_code != 200 else {
                obj["id"].removeprefix("incident--") for obj in response.json()["objects"]
                if obj["type"] == "incident"}
            assert found == expected, ("STIX bundle of the list", community.slug, self.where)

            response = self.client.get(f"/c/{community.slug}/incidents/indicators.csv")
            body = ""
            if response.status_code == 200:
                body = b"".join(response.streaming_content).decode("utf-8-sig")
            self.bodies.append(body.lower())
            found = {row["incident_id"] for row in csv.DictReader(io.StringIO(body))}
            assert found == expected, ("CSV of the list's indicators", community.slug, self.where)

    def taxii(self, communities, token: str):
        """Each community's TAXII collection, for its active members only (in `final`)."""
        client = Client(HTTP_AUTHORIZATION=f"Token {token}",
                        HTTP_ACCEPT="application/taxii+json;version=2.1")
        root = "/taxii2/renkei/collections/"
        active = {
            community.slug for index, community in enumerate(communities)
            if (member := self.world.final.get((self.person, index))) is not None
            and member.status == "active"
        }
        # A token works only while its owner is an active member somewhere (as the API's).
        response = client.get(root)
        assert response.status_code == (200 if active else 401), ("TAXII", self.where)
        listed = {found["alias"] for found in response.json().get("collections", [])}
        assert listed == (active if active else set()), ("TAXII collections", self.where)
        for index, community in enumerate(communities):
            url = f"{root}{collection_id(community)}/objects/"
            response = client.get(url, {"limit": 3})
            if community.slug not in active:
                assert response.status_code == (404 if active else 401), (
                    "TAXII collection", url, self.where)
                continue
            found = set()
            while True:
                assert response.status_code == 200, (url, response.status_code, self.where)
                self.bodies.append(response.content.decode().lower())
                page = response.json()
                found |= {obj["id"].removeprefix("incident--")
                          for obj in page.get("objects", []) if obj["type"] == "incident"}
                if not page.get("more"):
                    break
                response = client.get(url, {"limit": 3, "next": page["next"]})
            expected = self.ids("incident", index) & self.seen
            assert found == expected, ("TAXII objects", community.slug, self.where)

    def posts(self, posts: dict):
        for thread_id, post_ids in posts.items():
            found = self.json_ids(f"/api/v1/posts/?thread={thread_id}")
            expected = post_ids if str(thread_id) in self.seen else set()
            assert found == expected, ("posts of a thread", thread_id, self.where)
        all_posts = set().union(*posts.values()) if posts else set()
        visible = set().union(
            *(ids for thread_id, ids in posts.items() if str(thread_id) in self.seen)
        )
        assert self.json_ids("/api/v1/posts/") & all_posts == visible, ("posts", self.where)

    def search_function(self, user):
        found = {
            str(pk) for pk in incident_search(user=user, text=WORD).values_list("pk", flat=True)
        }
        assert found == self.ids("incident") & self.seen, ("incident_search", self.where)

    def no_hidden_source(self):
        """The organisation behind an anonymous item the person may see but whose source is
        kept from them appears in no body — unless the same person may legitimately read that
        organisation's name: their own, the source of an item they are told, or a recipient
        of a visible item whose audience they may be shown."""
        world, person = self.world, self.person
        legitimate: set[int] = set()
        for memberships in (world.memberships, world.final):
            legitimate |= {m.org for (u, _), m in memberships.items() if u == person}
        hidden: set[int] = set()
        for item, _, obj in self.items:
            if str(obj.pk) not in self.seen:
                continue
            if knows_source(world, person, item):
                legitimate |= {item.author_org} | _recipients(item)
            else:
                hidden.add(item.author_org)
        for org in hidden - legitimate:
            event("a hidden source checked")
            for body in self.bodies:
                assert org_token(org) not in body, ("hidden source shown", org, self.where)


def _recipients(item: Item) -> set[int]:
    """The organisations the item was ever addressed to: its audience history (shown to
    its author and the secretariat) names the first choice as well as the last."""
    return {org for choice in (item.first, item.final)
            if choice.tlp in ("AMBER", "AMBER+STRICT") for org in choice.chosen_organizations}


@pytest.mark.django_db
def test_thread_still_opens_after_a_named_recipient_left(community, alice, bob, client_for):
    """Found by the property test: the thread page counted its readers by re-checking the
    recipients as a new choice, so a RED thread whose named reader had left answered 500."""
    thread = thread_create(
        author=alice, community=community, title="Red", body="本文", tlp="RED", users=[bob]
    )
    membership = bob.memberships.get(community=community)
    membership.status = "left"
    membership.save()
    assert client_for(alice).get(f"/c/{community.slug}/discussions/{thread.pk}/").status_code == 200

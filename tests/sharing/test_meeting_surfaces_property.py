"""Random worlds against the TLP table, through every surface that shows a meeting's minutes
and materials.

The worlds of `test_visibility_property` (communities, some federated; organisations; people
in every role and status, later suspended, gone or moved by a save, an ``update()`` or a bulk
delete; auth groups edited by hand; items under every label with random recipients,
exclusions, anonymity and federation, some re-labelled) now hold a meeting's shared content:
each item is published minutes, draft minutes or a material, on the one meeting (of one
series) of its community. For every person — every member whatever their role or status, a
superuser who belongs nowhere, and nobody signed in — these must agree with the reference
(`sees`, written from DESIGN.md's table, never calling `sharing`; for a draft, `sees` *and*
an active chair or secretariat membership in the community, see `reads`):

- API: /api/v1/minutes/?community=<slug> and /api/v1/materials/?community=<slug> (of each
  community that holds some), and each item's /api/v1/<kind>/<id>/ (200 or 404);
- web: /c/<slug>/meetings/minutes/<id>/ and /c/<slug>/meetings/materials/<id>/download/ (200,
  the body being the file; 404; the sign-in page for somebody signed out);
- the meeting page, the search of the meetings list (``?q=``), the activity report
  (``?format=md``) and the meeting's .ics — for the community's active members; anyone else
  gets no page at all (404, 403, a redirect) and no id. Asked by everyone with a membership
  there (whatever its status), nobody, and the superuser who belongs nowhere (a signed-in
  non-member is refused by the same path as the latter). The outsiders' report
  (``&variant=outsiders``: TLP:CLEAR only, no feedback) is the same whoever asks: asked by the
  active member of each community who may read the most;
- the personal calendar feed of every person: one event per meeting of each community where
  they are active, whose DESCRIPTION lists exactly what they may read.

The report and both calendars list published minutes and materials, never drafts (even to an
organiser who may read the draft: they are documents that leave the site).

And no response body read by someone the source is hidden from names the organisation behind
an anonymous item (`Surfaces.no_hidden_source` of `test_surfaces_property`).

How the world's items are made: with the services (`minutes_create` + `minutes_publish`,
`material_upload`) whenever the author qualifies — every world author is an active member who
shares, which is what `material_upload` asks; `minutes_create` also asks for the chair or the
secretariat. Minutes whose author is neither are written as a row and given their audience by
`audience_set` (the code path that decides who reads them), so that the world's roles stay as
drawn — which also yields drafts whose author does not run the group. Anonymity is set on the
row, of materials and minutes alike (no form offers it yet; the model and `sharing` do).
"""

from __future__ import annotations

import datetime
import os
import tempfile

import icalendar
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from apps.communities.models import Community, Federation, Membership, Organization
from apps.meetings.materials import material_upload
from apps.meetings.minutes import minutes_create, minutes_publish
from apps.meetings.models import (
    Feedback,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesStatus,
    fiscal_year_of,
)
from apps.sharing.services import audience_set
from tests.conftest import verified_login
from tests.sharing.shards import shard_classes
from tests.sharing.test_surfaces_property import Surfaces, org_token
from tests.sharing.test_visibility_property import (
    Choice,
    Item,
    World,
    change_memberships,
    sees,
    worlds,
)

User = get_user_model()

# Half the cross-surface test's worlds. A world costs ~100 requests, ~0.6-0.7 s of CPU time
# (measured: mean 0.68 s over 40 ci worlds, 0.66 s over 20 dev ones).
SURFACE_EXAMPLES = {"ci": 100, "dev": 15}.get(os.environ.get("HYPOTHESIS_PROFILE", "dev"), 15)

ORGANISERS = {"chair", "secretariat"}
MINUTES = {"minutes", "draft"}
SEARCHED = "の記録"  # in every minutes' text and material's description: the search finds all
FEEDBACK = "感想メモ"  # planted in each meeting's feedback: the outsiders' report omits it


@st.composite
def meeting_worlds(draw):
    world = draw(worlds().filter(lambda w: w.items))  # an empty world shows nothing
    kinds = [draw(st.sampled_from(["minutes", "draft", "material"])) for _ in world.items]
    return world, kinds


def reads(world: World, person: int | None, item: Item, kind: str) -> bool:
    """The reference: published minutes and materials by exactly their audience; a draft by
    those of its audience who are, now, an active chair or secretariat of its community."""
    if not sees(world, world.final, person, item, item.final):
        return False
    if kind != "draft":
        return True
    member = world.final.get((person, item.community))
    return member is not None and member.status == "active" and member.role in ORGANISERS


def page_status(world: World, person: int | None, community: int) -> int:
    """What a members-only page of the community (`CommunityMixin`) answers ``person``."""
    if person is None:
        return 302  # the sign-in page
    member = world.final.get((person, community))
    if member is None or member.status == "left":
        return 404  # as if the community did not exist, superusers included
    return {"active": 200, "awaiting_agreement": 302}.get(member.status, 403)


def unfold(body: str) -> str:
    """An .ics body with RFC 5545's folded lines joined again."""
    return body.replace("\r\n ", "").replace("\r\n\t", "")


class MeetingSurfacesAgreeWithTheTLPTable(TestCase):
    def build(self, world: World, kinds: list[str]):
        admin = world.n_users  # a superuser who belongs to no community (no back door)
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
        starts = timezone.now() + datetime.timedelta(days=10)
        meetings = []
        for i, community in enumerate(communities):
            series = MeetingSeries.objects.create(
                community=community, fiscal_year=fiscal_year_of(starts), title=f"年度{i}"
            )
            meeting = Meeting.objects.create(
                community=community, series=series, number=1, title=f"会合{i}",
                starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
            )
            Feedback.objects.create(community=community, meeting=meeting, author=users[admin],
                                    text=f"{FEEDBACK}{i}")
            meetings.append(meeting)

        def chosen(choice: Choice) -> dict:
            return {
                "tlp": choice.tlp,
                "federated": choice.federated,
                "organizations": None
                if choice.organizations is None
                else [orgs[o] for o in choice.organizations],
                "users": [users[u] for u in choice.users],
            }

        objects, files = [], {}
        for index, (item, kind) in enumerate(zip(world.items, kinds, strict=True)):
            author, meeting = users[item.author], meetings[item.community]
            role = world.memberships[(item.author, item.community)].role
            if kind == "material":
                content = f"第{index}回の配付資料です。\n".encode()
                obj = material_upload(
                    meeting=meeting, author=author, title=f"資料{index}",
                    description=f"第{index}{SEARCHED}",
                    upload=SimpleUploadedFile(f"material{index}.txt", content,
                                              content_type="text/plain"),
                    **chosen(item.first),
                )
                files[obj.pk] = content
            elif role in ORGANISERS:
                obj = minutes_create(meeting=meeting, author=author, title=f"議事要旨{index}",
                                     body=f"第{index}回の議論{SEARCHED}。", **chosen(item.first))
                if kind == "minutes":
                    obj = minutes_publish(minutes=obj, actor=author)
            else:
                # Not a chair nor the secretariat: the row, then its audience by `sharing`.
                published = kind == "minutes"
                obj = Minutes.objects.create(
                    community=communities[item.community], meeting=meeting, author=author,
                    author_organization=orgs[item.author_org], title=f"議事要旨{index}",
                    body=f"第{index}回の議論{SEARCHED}。",
                    status=MinutesStatus.PUBLISHED if published else MinutesStatus.DRAFT,
                    published_at=timezone.now() if published else None,
                    published_by=author if published else None,
                )
                audience_set(item=obj, actor=author, **chosen(item.first))
            if item.anonymous:
                type(obj).objects.filter(pk=obj.pk).update(anonymous=True)
            objects.append(obj)
        change_memberships(world, memberships, orgs)
        for item, obj in zip(world.items, objects, strict=True):
            if item.final is not item.first:
                audience_set(item=obj, actor=users[item.author], **chosen(item.final))
        return users, communities, meetings, objects, files

    def check_meeting_surfaces_agree_with_the_tlp_table(self, world_and_kinds):
        world, kinds = world_and_kinds
        with tempfile.TemporaryDirectory() as root, override_settings(PRIVATE_MEDIA_ROOT=root):
            users, communities, meetings, objects, files = self.build(world, kinds)
            for kind in sorted(set(kinds)):
                event(f"has {kind}")
            items = list(zip(world.items, kinds, objects, strict=True))
            people = [*range(world.n_users + 1), None]
            seen = {
                person: {
                    str(obj.pk) for item, kind, obj in items if reads(world, person, item, kind)
                }
                for person in people
            }
            # The outsiders' report is the same whoever asks: read by one active member of
            # each community, the one who may read the most.
            outsiders_by = {
                c: max(active, key=lambda p: (len(seen[p]), -p))
                for c in range(world.n_communities)
                if (active := [p for p in people if page_status(world, p, c) == 200])
            }
            for person in people:
                client = Client(HTTP_ACCEPT_LANGUAGE="en")
                if person is not None:
                    verified_login(client, users[person])
                check = MeetingSurfaces(self, client, person, world, items, seen[person])
                check.where = f"person {person} in {world} with {kinds}"
                check.api(communities)
                check.details(files)
                for index, meeting in enumerate(meetings):
                    # The members-only pages refuse a signed-in non-member as they refuse the
                    # superuser who belongs nowhere: only the latter is asked (and everyone
                    # with a membership, whatever its status, and nobody).
                    check.meeting_pages(
                        index, meeting,
                        gated=person in (None, world.n_users)
                        or (person, index) in world.final,
                        outsiders=outsiders_by.get(index) == person,
                    )
                if person is not None:
                    check.feed(users[person], meetings)
                check.no_hidden_source()


# SURFACE_EXAMPLES worlds in shards that xdist spreads over the cores.
globals().update(shard_classes(
    MeetingSurfacesAgreeWithTheTLPTable,
    "test_meeting_surfaces_agree_with_the_tlp_table",
    MeetingSurfacesAgreeWithTheTLPTable.check_meeting_surfaces_agree_with_the_tlp_table,
    meeting_worlds(),
    shards=4,
    examples=SURFACE_EXAMPLES,
))


class MeetingSurfaces(Surfaces):
    """The checks for one person; every body read (a file's, an unfolded calendar's) is kept
    for the source check inherited from `Surfaces`."""

    def get(self, url: str):
        response = self.client.get(url)
        if response.streaming:
            # Read to the end, the test client closes the response itself (a second close
            # would fire request_finished and close PostgreSQL's connection mid-test).
            response.body = b"".join(response.streaming_content)
        else:
            response.body = response.content
        text = response.body.decode(errors="replace")
        if response.get("Content-Type", "").startswith("text/calendar"):
            text = unfold(text)
        self.bodies.append(text.lower())
        return response

    def of(self, kinds: set[str], community: int | None = None) -> set[str]:
        return {
            str(obj.pk)
            for item, kind, obj in self.items
            if kind in kinds and (community is None or item.community == community)
        }

    def api(self, communities):
        for kinds, endpoint in ((MINUTES, "minutes"), ({"material"}, "materials")):
            # The list of each community that holds some (the others' hold nothing to show).
            holding = {item.community for item, kind, _ in self.items if kind in kinds}
            for index in sorted(holding):
                community = communities[index]
                found = self.json_ids(f"/api/v1/{endpoint}/?community={community.slug}")
                expected = self.of(kinds, index) & self.seen
                assert found == expected, (f"api {endpoint} list", community.slug, self.where)

    def details(self, files: dict):
        for item, kind, obj in self.items:
            visible = str(obj.pk) in self.seen
            endpoint = "materials" if kind == "material" else "minutes"
            status = self.get(f"/api/v1/{endpoint}/{obj.pk}/").status_code
            assert status == (200 if visible else 404), ("api detail", kind, item, self.where)
            page = (f"materials/{obj.pk}/download/" if kind == "material"
                    else f"minutes/{obj.pk}/")
            response = self.get(f"/c/c{item.community}/meetings/{page}")
            if visible:
                expected = 200
            elif self.person is None:
                expected = 302  # to the sign-in page, like an id that does not exist
            else:
                expected = 404
            assert response.status_code == expected, ("web detail", kind, item, self.where)
            if expected == 302:
                assert "/accounts/login/" in response["Location"]
            if expected == 200 and kind == "material":
                assert response.body == files[obj.pk], ("the file", item, self.where)

    def listed(self, community: int, *, label: str | None = None) -> set[str]:
        """What a report or a calendar of the community's meeting lists: published minutes
        and materials the person may read (``label``: of that label only)."""
        return {
            str(obj.pk)
            for item, kind, obj in self.items
            if kind in ("minutes", "material") and item.community == community
            and str(obj.pk) in self.seen and (label is None or item.final.tlp == label)
        }

    def members_page(self, url: str, community: int):
        """A members-only page: its status, and no id at all unless it is shown."""
        response = self.get(url)
        status = page_status(self.world, self.person, community)
        assert response.status_code == status, (url, response.status_code, self.where)
        if status != 200:
            body = response.body.decode(errors="replace")
            assert not {pk for pk in self.of(MINUTES | {"material"}) if pk in body}, (
                "ids on a page not shown", url, self.where)
        return response

    def meeting_pages(self, index: int, meeting: Meeting, *, gated: bool, outsiders: bool):
        """The meeting page, the report and the .ics (the outsiders' report when
        ``outsiders``), when ``gated``: to be asked."""
        if not gated:
            return
        every = self.of(MINUTES | {"material"})
        base = f"/c/c{index}/meetings"
        response = self.members_page(f"{base}/{meeting.pk}/", index)
        if response.status_code == 200:
            found = {pk for pk in every if pk in response.body.decode()}
            expected = self.of(MINUTES | {"material"}, index) & self.seen
            assert found == expected, ("meeting page", index, self.where)
        response = self.members_page(f"{base}/?q={SEARCHED}", index)
        if response.status_code == 200:
            found = {pk for pk in every if pk in response.body.decode()}
            expected = self.of(MINUTES | {"material"}, index) & self.seen
            assert found == expected, ("search", index, self.where)
        report = f"{base}/series/{meeting.series_id}/report/?format=md"
        reports = [(report, self.listed(index))]
        if outsiders:
            reports.append((f"{report}&variant=outsiders", self.listed(index, label="CLEAR")))
        for url, expected in reports:
            response = self.members_page(url, index)
            if response.status_code == 200:
                body = response.body.decode()
                found = {pk for pk in every if pk in body}
                assert found == expected, ("report", url, self.where)
                assert (FEEDBACK in body) == ("outsiders" not in url), ("feedback", url)
        response = self.members_page(f"{base}/{meeting.pk}/meeting.ics", index)
        if response.status_code == 200:
            events = self.events(response)
            assert set(events) == {f"meeting-{meeting.pk}@renkei"}, (self.where,)
            found = {pk for pk in every if pk in events[f"meeting-{meeting.pk}@renkei"]}
            assert found == self.listed(index), ("meeting.ics", index, self.where)

    def feed(self, user, meetings: list[Meeting]):
        response = self.get(f"/calendar/{user.calendar_secret}.ics")
        assert response.status_code == 200, (response.status_code, self.where)
        events = self.events(response)
        active = {
            c for (u, c), member in self.world.final.items()
            if u == self.person and member.status == "active"
        }
        assert set(events) == {f"meeting-{meetings[c].pk}@renkei" for c in active}, (
            "feed events", self.where)
        every = self.of(MINUTES | {"material"})
        for c in active:
            found = {pk for pk in every if pk in events[f"meeting-{meetings[c].pk}@renkei"]}
            assert found == self.listed(c), ("feed", c, self.where)

    @staticmethod
    def events(response) -> dict[str, str]:
        """{UID: DESCRIPTION} of a calendar, parsed (so unfolded)."""
        calendar = icalendar.Calendar.from_ical(response.body)
        return {
            str(component["UID"]): str(component.get("DESCRIPTION", ""))
            for component in calendar.walk("VEVENT")
        }

"""Notices: each event tells exactly the right people (a RED item its named recipients, an
AMBER item the organisations chosen for it, a reply those who wrote in the thread before, a
sighting or feedback the author, published minutes the people who came), folded when
repeated; the page and the unread count show a notice only while `sharing` lets the member
see its item, never name an anonymous source, and cost a fixed number of queries."""

import re

import pytest
from django.urls import reverse

from apps.digests.models import Notice, NoticeKind
from apps.digests.notices import notices_tell, unread_count
from apps.discussions.services import post_add, thread_create
from apps.incidents.models import FeedbackAction
from apps.incidents.services import feedback_add, incident_create, sighting_add
from apps.meetings.minutes import minutes_create, minutes_publish
from apps.meetings.models import Attendance
from apps.sharing.services import anonymity_set, audience_set
from apps.sharing.tlp import TLP
from tests.conftest import _member
from tests.meetings.test_meetings import make_meetings, make_series

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast")]


@pytest.fixture(name="committed")
def committed_fixture(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what the block queued for after the commit (the
    events the content apps announce), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(name="share")
def share_fixture(community, committed):
    """share(author, tlp, **choice) -> a new incident, its audience announced."""

    def make(author, tlp, *, title=None, **choice):
        with committed():
            return incident_create(author=author, community=community,
                                   title=title or f"{tlp} incident", category="ransomware",
                                   summary="侵入の経緯と指標", tlp=tlp, **choice)

    return make


def told(**filters) -> dict[str, str]:
    """{e-mail address: kind} of the notices there are."""
    return dict(Notice.objects.filter(**filters).values_list("user__email", "kind"))


def name(user) -> str:
    return user.email


def page(client_for, user) -> str:
    response = client_for(user).get(reverse("digests:notices"))
    assert response.status_code == 200
    return response.content.decode()


# ---- who is told ---------------------------------------------------------------------------

def test_a_red_item_tells_its_named_recipients_and_nobody_else(share, alice, bob, sam):
    share(alice, TLP.RED, users=[bob, sam])
    # sam is named but suspended: not told; alice wrote it.
    assert told() == {name(bob): NoticeKind.ADDRESSED}


def test_amber_to_chosen_organisations_tells_their_active_members(
        share, alice, bob, olive, carol, sam, org_b, org_c):
    incident = share(alice, TLP.AMBER, organizations=[org_b])
    # Beta's active members, the observer too; not the author's own Alpha, not Gamma.
    assert told(object_id=incident.pk) == {name(bob): NoticeKind.ORGANIZATION,
                                           name(olive): NoticeKind.ORGANIZATION}
    strict = share(alice, TLP.AMBER_STRICT, organizations=[org_c])
    assert told(object_id=strict.pk) == {name(carol): NoticeKind.ORGANIZATION}  # not sam


def test_amber_to_every_member_organisation_green_and_clear_tell_nobody(
        share, alice, org_a, org_b, org_c):
    share(alice, TLP.AMBER)  # the default: every member organisation
    share(alice, TLP.AMBER, organizations=[org_a, org_b, org_c])  # the same, ticked
    share(alice, TLP.GREEN)
    share(alice, TLP.CLEAR)
    assert not Notice.objects.exists()


def test_a_new_audience_tells_only_those_it_newly_addresses(
        share, committed, alice, bob, carol, olive, org_b, org_c):
    incident = share(alice, TLP.AMBER, organizations=[org_b])
    Notice.objects.update(read_at="2026-01-01T00:00:00Z")
    with committed():  # bob was told through Beta already; carol is new
        audience_set(item=incident, actor=alice, tlp=TLP.RED, users=[bob, carol])
    assert told(read_at__isnull=True) == {name(carol): NoticeKind.ADDRESSED}
    with committed():  # the same audience again: nothing changes, nobody is told
        audience_set(item=incident, actor=alice, tlp=TLP.RED, users=[bob, carol])
    assert Notice.objects.count() == 3


def test_a_reply_tells_those_who_wrote_before_but_not_the_replier(
        community, committed, alice, bob, carol, sec):
    with committed():
        thread = thread_create(author=alice, community=community, title="手口の共有",
                               body="最初の投稿", tlp=TLP.GREEN)
    with committed():
        post_add(author=bob, thread=thread, body="当社でも確認")
    assert told() == {name(alice): NoticeKind.REPLY}
    with committed():
        post_add(author=carol, thread=thread, body="同じく")
    with committed():
        post_add(author=carol, thread=thread, body="追記")
    # alice: three replies in one unread notice; bob: carol's two; carol and sec: none.
    assert told() == {name(alice): NoticeKind.REPLY, name(bob): NoticeKind.REPLY}
    counts = dict(Notice.objects.values_list("user__email", "count"))
    assert counts == {name(alice): 3, name(bob): 2}


def test_a_read_notice_is_not_folded_into_a_new_event(community, committed, alice, bob):
    with committed():
        thread = thread_create(author=alice, community=community, title="t", body="b",
                               tlp=TLP.GREEN)
    with committed():
        post_add(author=bob, thread=thread, body="one")
    Notice.objects.update(read_at="2026-01-01T00:00:00Z")
    with committed():
        post_add(author=bob, thread=thread, body="two")
    assert sorted(Notice.objects.values_list("count", flat=True)) == [1, 1]


def test_sightings_and_feedback_tell_the_author(share, committed, alice, bob, carol, sec):
    incident = share(alice, TLP.AMBER)
    with committed():
        sighting_add(user=bob, incident=incident)
    with committed():
        sighting_add(user=carol, incident=incident)
    with committed():
        feedback_add(user=bob, incident=incident, action=FeedbackAction.BLOCKED)
    rows = set(Notice.objects.values_list("user__email", "kind", "count"))
    assert rows == {(name(alice), NoticeKind.SIGHTED, 2), (name(alice), NoticeKind.FEEDBACK, 1)}


def test_published_minutes_tell_who_came_and_may_read_them(
        community, committed, alice, bob, carol, sam, org_a):
    chair = _member(community, "chair@beta.example.jp",
                    bob.memberships.get().organization, role="chair")
    meeting = make_meetings(make_series(community), 1)[0]
    for person in (alice, bob, carol, sam, chair):
        Attendance.objects.create(meeting=meeting, community=community, user=person,
                                  organization=person.memberships.get().organization,
                                  attended=person != bob)
    with committed():  # AMBER to Alpha (and the chair's Beta); a draft tells nobody
        minutes = minutes_create(meeting=meeting, author=chair, title="議事要旨", body="本文",
                                 tlp=TLP.AMBER, organizations=[org_a])
    assert not Notice.objects.exists()
    with committed():
        minutes_publish(minutes=minutes, actor=chair)
    # alice came and reads them; bob did not come; carol came but is outside the audience;
    # sam is suspended; the chair published them. sec (Alpha) did not come, but the
    # minutes went to Alpha by choice: told that way.
    assert told(kind=NoticeKind.MINUTES) == {name(alice): NoticeKind.MINUTES}
    assert set(told()) == {name(alice), "sec@alpha.example.jp"}


def test_nobody_outside_the_community_is_told(share, alice, outsider):
    incident = share(alice, TLP.GREEN)
    assert notices_tell(kind=NoticeKind.SIGHTED, item=incident, user_ids=[outsider.pk]) == 0
    assert not Notice.objects.exists()


# ---- what is shown -------------------------------------------------------------------------

def test_the_page_shows_the_notices_newest_first_and_marks_them_read(
        share, client_for, alice, bob, org_b):
    share(alice, TLP.RED, users=[bob], title="一つ目の件")
    share(alice, TLP.AMBER, organizations=[org_b], title="二つ目の件")
    assert unread_count(bob) == 2
    html = page(client_for, bob)
    assert html.index("二つ目の件") < html.index("一つ目の件")
    assert html.count('class="unread"') == 2
    assert unread_count(bob) == 0
    html = page(client_for, bob)
    assert html.count('class="unread"') == 0 and "二つ目の件" in html


def test_mark_all_read(share, client_for, alice, bob):
    share(alice, TLP.RED, users=[bob])
    response = client_for(bob).post(reverse("digests:notices_read"))
    assert response.status_code == 302
    assert unread_count(bob) == 0 and Notice.objects.get().read_at is not None


def test_the_navigation_counts_the_unread(share, client_for, alice, bob, org_b):
    share(alice, TLP.RED, users=[bob])
    share(alice, TLP.AMBER, organizations=[org_b])
    html = client_for(bob).get(reverse("accounts:profile")).content.decode()
    assert re.search(r'class="unread-count"[^>]*>2</span>', html)
    html = client_for(alice).get(reverse("accounts:profile")).content.decode()
    assert "unread-count" not in html


def test_the_page_needs_signing_in(client):
    response = client.get(reverse("digests:notices"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("how", ["suspended", "outside the audience", "label raised"])
def test_a_member_who_can_no_longer_see_the_item_is_not_shown_it(
        share, committed, client_for, community, alice, bob, carol, sec, org_b, how):
    incident = share(alice, TLP.AMBER, organizations=[org_b], title="秘匿の件名")
    assert unread_count(bob) == 1
    if how == "suspended":
        membership = bob.memberships.get(community=community)
        membership.status = "suspended"
        membership.save()
    elif how == "outside the audience":
        with committed():
            audience_set(item=incident, actor=alice, tlp=TLP.AMBER,
                         organizations=[carol.memberships.get().organization])
    else:
        with committed():
            audience_set(item=incident, actor=alice, tlp=TLP.RED, users=[carol])
    assert unread_count(bob) == 0
    if how != "suspended":  # a suspended member has no community left to sign in to
        html = page(client_for, bob)
        assert "秘匿の件名" not in html and str(incident.pk) not in html


def test_an_anonymous_source_is_never_named(share, committed, client_for, alice, bob, org_a,
                                            org_b):
    incident = share(alice, TLP.AMBER, organizations=[org_b], anonymous=True,
                     title="匿名の件")
    with committed():
        sighting_add(user=bob, incident=incident)
    for reader in (bob, alice):
        html = page(client_for, reader)
        assert "匿名の件" in html
        assert org_a.name not in html and org_a.name_en not in html
    # The anonymity lifted later: still no source on a notice.
    with committed():
        anonymity_set(item=incident, actor=alice, anonymous=False)
    assert org_a.name_en not in page(client_for, bob)


def test_the_count_and_the_page_cost_the_same_queries_for_one_or_many(
        share, committed, client_for, community, alice, bob, carol, org_b,
        django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    share(alice, TLP.RED, users=[bob])
    with committed():
        thread = thread_create(author=bob, community=community, title="t", body="b",
                               tlp=TLP.GREEN)
    with committed():
        post_add(author=carol, thread=thread, body="r")

    def cost():
        with CaptureQueriesContext(connection) as count_queries:
            unread_count(bob)
        client = client_for(bob)
        with CaptureQueriesContext(connection) as page_queries:
            client.get(reverse("digests:notices"))
        Notice.objects.update(read_at=None)
        return len(count_queries), len(page_queries)

    one = cost()
    # Many notices of every kind of item: incidents, threads, replies, minutes.
    for number in range(12):
        share(alice, TLP.AMBER, organizations=[org_b], title=f"件 {number}")
        with committed():
            thread = thread_create(author=bob, community=community, title=f"t{number}",
                                   body="b", tlp=TLP.GREEN)
        with committed():
            post_add(author=carol, thread=thread, body="r")
    assert Notice.objects.filter(user=bob).count() == 26
    assert cost() == one
    assert one[0] <= 2  # the reader's audiences, then the count

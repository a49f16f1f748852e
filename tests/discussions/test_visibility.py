"""A reply is seen by exactly its thread's audience — in the HTML list and detail, the API
thread list and detail, and the posts endpoint."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.discussions.services import post_add, thread_update_audience
from apps.sharing.models import AudienceChange
from apps.sharing.tlp import TLP
from tests.discussions.conftest import set_status

pytestmark = pytest.mark.django_db


def _everywhere(client, thread, post):
    """What a user can reach of ``thread`` and ``post`` through every door."""
    slug = thread.community.slug
    html_list = client.get(f"/c/{slug}/discussions/")
    api_list = client.get("/api/v1/threads/").json()
    api_posts = client.get(f"/api/v1/posts/?thread={thread.pk}").json()
    api_all_posts = client.get("/api/v1/posts/").json()
    return {
        "html_list": html_list.status_code == 200 and thread.title in html_list.content.decode(),
        "html_detail": client.get(f"/c/{slug}/discussions/{thread.pk}/").status_code,
        "api_list": str(thread.pk) in {t["id"] for t in api_list.get("results", [])},
        "api_detail": client.get(f"/api/v1/threads/{thread.pk}/").status_code,
        "api_posts": {p["id"] for p in api_posts.get("results", [])} >= {str(post.pk)}
        and len(api_posts["results"]) == 2,
        "api_posts_unfiltered": str(post.pk) in {p["id"] for p in api_all_posts["results"]},
        "api_post_detail": client.get(f"/api/v1/posts/{post.pk}/").status_code,
    }


SEES = {
    "html_list": True,
    "html_detail": 200,
    "api_list": True,
    "api_detail": 200,
    "api_posts": True,
    "api_posts_unfiltered": True,
    "api_post_detail": 200,
}
NOTHING = {
    "html_list": False,
    "html_detail": 404,
    "api_list": False,
    "api_detail": 404,
    "api_posts": False,
    "api_posts_unfiltered": False,
    "api_post_detail": 404,
}

# A suspended member reads the community like anyone outside it: what is public (TLP:CLEAR)
# and nothing else, so an invisible thread is a 404 for them too.
NOTHING_SUSPENDED = NOTHING


def test_reply_in_amber_thread_to_orgs_a_and_b_is_seen_by_exactly_its_audience(
    open_thread, reply, cast, org_a, org_b, client_for
):
    thread = open_thread(
        cast["alice"], TLP.AMBER, organizations=[org_a, org_b], title="Phishing wave against banks"
    )
    answer = reply(cast["bob"], thread, body="We saw it too")

    for name in ("alice", "bob", "sec", "olive"):
        assert _everywhere(client_for(cast[name]), thread, answer) == SEES, name
    carol = _everywhere(client_for(cast["carol"]), thread, answer)
    assert carol == NOTHING
    assert _everywhere(client_for(cast["outsider"]), thread, answer) == NOTHING
    assert _everywhere(client_for(cast["sam"]), thread, answer) == NOTHING_SUSPENDED


def test_member_outside_the_audience_cannot_post_into_the_thread(
    open_thread, alice, bob, carol, org_a, org_b, client_for
):
    thread = open_thread(alice, TLP.AMBER, organizations=[org_a, org_b])
    response = client_for(carol).post(
        "/api/v1/posts/",
        {"thread": str(thread.pk), "body": "hello"},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client_for(carol).post(f"/c/fin-isac/discussions/{thread.pk}/", {"body": "hello"})
    assert response.status_code == 404
    assert thread.posts.count() == 1


def test_red_thread_and_its_replies_reach_only_the_named_people(
    open_thread, reply, cast, client_for
):
    thread = open_thread(cast["alice"], TLP.RED, users=[cast["bob"]])
    answer = reply(cast["bob"], thread)
    for name, user in cast.items():
        expected = {"alice": SEES, "bob": SEES, "sam": NOTHING_SUSPENDED}.get(name, NOTHING)
        seen = _everywhere(client_for(user), thread, answer)
        assert seen == expected, name


def test_suspended_member_loses_thread_and_replies_at_once(
    open_thread, reply, alice, bob, community, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    answer = reply(alice, thread)
    client = client_for(bob)
    assert client.get(f"/api/v1/posts/{answer.pk}/").status_code == 200

    set_status(bob, community, "suspended")

    assert client.get(f"/api/v1/posts/{answer.pk}/").status_code == 404
    assert client.get(f"/api/v1/threads/{thread.pk}/").status_code == 404
    assert client.get("/api/v1/posts/").json()["results"] == []
    assert client.get(f"/c/fin-isac/discussions/{thread.pk}/").status_code == 404


def test_suspended_red_recipient_cannot_post(open_thread, alice, bob, community):
    thread = open_thread(alice, TLP.RED, users=[bob])
    set_status(bob, community, "suspended")
    with pytest.raises(type(thread).DoesNotExist):
        post_add(author=bob, thread=thread, body="still here?")


def test_observer_reads_the_thread_but_does_not_post(open_thread, alice, olive, client_for):
    thread = open_thread(alice, TLP.GREEN)
    client = client_for(olive)
    page = client.get(f"/c/fin-isac/discussions/{thread.pk}/")
    assert page.status_code == 200
    assert "do not post" in page.content.decode()
    response = client.post(
        "/api/v1/posts/",
        {"thread": str(thread.pk), "body": "hi"},
        content_type="application/json",
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        post_add(author=olive, thread=thread, body="hi")


def test_widening_the_thread_takes_every_reply_along_and_is_recorded(
    open_thread, reply, alice, bob, carol, org_a, org_b, client_for
):
    thread = open_thread(alice, TLP.AMBER, organizations=[org_a, org_b])
    answer = reply(bob, thread)
    assert client_for(carol).get(f"/api/v1/posts/{answer.pk}/").status_code == 404

    thread_update_audience(thread=thread, actor=alice, tlp=TLP.GREEN)

    assert client_for(carol).get(f"/api/v1/posts/{answer.pk}/").status_code == 200
    change = AudienceChange.objects.filter(object_id=thread.pk).first()
    assert (change.from_tlp, change.to_tlp, change.actor) == (TLP.AMBER, TLP.GREEN, alice)


def test_only_author_or_secretariat_changes_the_audience(open_thread, alice, bob):
    thread = open_thread(alice, TLP.GREEN)
    with pytest.raises(PermissionDenied):
        thread_update_audience(thread=thread, actor=bob, tlp=TLP.CLEAR)


def test_api_audience_change_to_red_hides_the_thread_from_the_others(
    open_thread, alice, bob, carol, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    response = client_for(alice).post(
        f"/api/v1/threads/{thread.pk}/audience/",
        {"tlp": "RED", "users": [bob.email]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["tlp"] == "RED"
    assert client_for(carol).get(f"/api/v1/threads/{thread.pk}/").status_code == 404
    assert client_for(bob).get(f"/api/v1/threads/{thread.pk}/").status_code == 200

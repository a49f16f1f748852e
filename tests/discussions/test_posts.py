"""Posts: edits keep their history, Markdown is sanitised, deletion is soft, and text that
may betray the victim is held back until the author confirms it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.discussions.models import PostRevision
from apps.discussions.services import post_delete, post_edit
from apps.sharing.exposure import ExposureFound
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


def test_editing_a_post_keeps_the_earlier_text_in_its_history(
    open_thread, reply, alice, bob, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    post = reply(bob, thread, body="First version")
    client = client_for(bob)
    response = client.post(
        f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}/edit/", {"body": "Second version"}
    )
    assert response.status_code == 302
    response = client.patch(
        f"/api/v1/posts/{post.pk}/", {"body": "Third version"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["body"] == "Third version"
    assert response.json()["revision_count"] == 2

    assert list(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == [
        "Second version",
        "First version",
    ]
    history = (
        client_for(alice)
        .get(f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}/history/")
        .content.decode()
    )
    assert "First version" in history and "Second version" in history
    revisions = client_for(alice).get(f"/api/v1/posts/{post.pk}/revisions/").json()
    assert [r["body"] for r in revisions] == ["Second version", "First version"]


def test_only_the_author_edits_a_post(open_thread, reply, alice, bob, sec, client_for):
    thread = open_thread(alice, TLP.GREEN)
    post = reply(bob, thread, body="mine")
    with pytest.raises(PermissionDenied):
        post_edit(post=post, editor=alice, body="not yours")
    with pytest.raises(PermissionDenied):
        post_edit(post=post, editor=sec, body="not even the secretariat")
    response = client_for(alice).patch(
        f"/api/v1/posts/{post.pk}/", {"body": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert (
        client_for(alice)
        .get(f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}/edit/")
        .status_code
        == 404
    )
    post.refresh_from_db()
    assert post.body == "mine" and not post.revisions.exists()


def test_a_script_in_a_post_is_not_rendered(open_thread, reply, alice, bob, client_for):
    thread = open_thread(alice, TLP.GREEN, body="**bold** <script>alert('first')</script>")
    post = reply(bob, thread, body="<script>alert('xss')</script> [x](javascript:alert(1))")
    page = client_for(alice).get(f"/c/fin-isac/discussions/{thread.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "javascript:" not in page
    assert "<strong>bold</strong>" in page
    body_html = client_for(alice).get(f"/api/v1/posts/{post.pk}/").json()["body_html"]
    assert "<script" not in body_html and "javascript:" not in body_html


def test_a_deleted_post_stays_as_a_placeholder_and_its_text_is_not_shown(
    open_thread, reply, alice, bob, carol, sec, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    post = reply(bob, thread, body="Regrettable words")
    with pytest.raises(PermissionDenied):
        post_delete(post=post, actor=carol)
    response = client_for(bob).delete(f"/api/v1/posts/{post.pk}/")
    assert response.status_code == 204
    post.refresh_from_db()
    assert post.deleted
    page = client_for(carol).get(f"/c/fin-isac/discussions/{thread.pk}/").content.decode()
    assert "Regrettable words" not in page and "This post was deleted." in page
    data = client_for(carol).get(f"/api/v1/posts/{post.pk}/").json()
    assert data["deleted"] and data["body"] == "" and data["body_html"] == ""
    with pytest.raises(ValidationError):
        post_edit(post=post, editor=bob, body="undo")


def test_secretariat_may_delete_a_post_as_moderator(open_thread, reply, alice, bob, sec):
    thread = open_thread(alice, TLP.GREEN)
    post = reply(bob, thread)
    assert post_delete(post=post, actor=sec).deleted


def test_a_private_ip_in_a_thread_is_held_back_until_the_author_confirms_it(
    open_thread, alice, client_for
):
    with pytest.raises(ExposureFound) as refused:
        open_thread(alice, TLP.GREEN, body="C2 beacon from 10.1.2.3 seen")
    assert [f.match for f in refused.value.findings] == ["10.1.2.3"]

    thread = open_thread(
        alice, TLP.GREEN, body="C2 beacon from 10.1.2.3 seen", confirmed_exposures=["10.1.2.3"]
    )
    assert thread.posts.get().body.startswith("C2 beacon")


def test_the_thread_form_lists_the_flagged_details_and_saves_nothing(alice, bob, client_for):
    from apps.discussions.models import Thread

    client = client_for(alice)
    data = {"title": "Beacon", "body": "Mail from taro.yamada@alpha.example.jp", "tlp": "GREEN"}
    response = client.post("/c/fin-isac/discussions/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This may identify a victim" in page and "taro.yamada@alpha.example.jp" in page
    assert not Thread.objects.exists()

    data["confirmed_exposures"] = ["taro.yamada@alpha.example.jp"]
    response = client.post("/c/fin-isac/discussions/new/", data)
    assert response.status_code == 302
    assert Thread.objects.get().title == "Beacon"


def test_api_refuses_a_reply_with_an_internal_host_name_until_confirmed(
    open_thread, alice, bob, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    payload = {"thread": str(thread.pk), "body": "Lateral movement to dc01.corp.local"}
    client = client_for(bob)
    response = client.post("/api/v1/posts/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "dc01.corp.local" in str(response.json()["exposures"])
    payload["confirmed_exposures"] = ["dc01.corp.local"]
    response = client.post("/api/v1/posts/", payload, content_type="application/json")
    assert response.status_code == 201, response.content

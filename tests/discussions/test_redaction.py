"""Finding 7 of issue 7: redaction redacts.

Editing a post to remove a victim's address used to leave the address in the revision
history that every reader can open. Now the post's author or the community's secretariat can
purge an earlier text — or the current one — and the words are gone from the database (the
table is queried directly), from every page and from every API answer; a marker says who
(the author / the secretariat, never a name) and when. Deleting a post erases its text and
its history too. Nobody else can purge: readers get 403, those who cannot see the thread 404.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from apps.discussions.models import Post, PostRevision
from apps.discussions.services import post_delete, post_edit, post_purge, post_revision_purge
from apps.sharing.tlp import TLP

SECRET = "taro.yamada@victim.example.jp"


def stored_texts() -> str:
    """Every post and revision text as the database holds it, read with plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM discussions_post")
        posts = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT body FROM discussions_postrevision")
        revisions = [row[0] for row in cursor.fetchall()]
    return "\n".join(posts + revisions)


@pytest.fixture
def leaked(open_thread, reply, alice, bob):
    """bob replied with a victim's address (confirmed by mistake), then edited it out: the
    address is only in the post's history."""
    thread = open_thread(alice, TLP.GREEN)
    post = reply(
        bob, thread, body=f"Mail came from {SECRET}", confirmed_exposures=[SECRET]
    )
    post_edit(post=post, editor=bob, body="Mail came from a customer")
    assert SECRET in stored_texts()
    return thread, post, post.revisions.get()


def every_answer(client, thread, post, community_slug="fin-isac") -> str:
    """What a reader can read about the post: its pages and API answers. (Search matches
    current texts only, which are purged in place.)"""
    base = f"/c/{community_slug}/discussions/{thread.pk}"
    urls = [
        f"{base}/",
        f"{base}/posts/{post.pk}/history/",
        f"/api/v1/posts/{post.pk}/",
        f"/api/v1/posts/{post.pk}/revisions/",
        f"/api/v1/posts/?thread={thread.pk}",
        f"/api/v1/threads/{thread.pk}/",
    ]
    return "\n".join(client.get(url).content.decode() for url in urls)


def test_the_author_purges_an_earlier_text_on_the_history_page(
    leaked, bob, carol, client_for
):
    thread, post, revision = leaked
    assert SECRET in every_answer(client_for(carol), thread, post)  # the finding, as it was
    client = client_for(bob)
    history = client.get(f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}/history/")
    purge_url = f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}/history/{revision.pk}/purge/"
    assert purge_url in history.content.decode()
    confirmation = client.get(purge_url).content.decode()
    assert "Erase this text for good" in confirmation and SECRET in confirmation
    response = client.post(purge_url)
    assert response.status_code == 302
    assert SECRET not in stored_texts()
    revision.refresh_from_db()
    assert revision.body == "" and revision.redacted_by == bob and revision.redacted_at
    for reader in (carol, bob):
        answers = every_answer(client_for(reader), thread, post)
        assert SECRET not in answers
        assert "Redacted by the author on" in answers
    data = client_for(carol).get(f"/api/v1/posts/{post.pk}/revisions/").json()
    assert data[0]["body"] == "" and data[0]["redacted_by"] == "author"
    assert data[0]["redacted_at"]


def test_the_secretariat_purges_an_earlier_text_through_the_api(leaked, sec, carol, client_for):
    thread, post, revision = leaked
    response = client_for(sec).post(f"/api/v1/posts/{post.pk}/revisions/{revision.pk}/purge/")
    assert response.status_code == 200
    assert response.json()["redacted_by"] == "secretariat" and response.json()["body"] == ""
    assert SECRET not in stored_texts()
    answers = every_answer(client_for(carol), thread, post)
    assert SECRET not in answers and "Redacted by the secretariat on" in answers


def test_the_secretariat_purges_the_current_text(open_thread, reply, alice, bob, sec, carol,
                                                  client_for):
    thread = open_thread(alice, TLP.GREEN)
    post = reply(bob, thread, body=f"Contact {SECRET}", confirmed_exposures=[SECRET])
    client = client_for(sec)
    url = f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}/purge/"
    assert SECRET in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert SECRET not in stored_texts()
    post.refresh_from_db()
    assert post.body == "" and post.redacted_by == sec and not post.deleted
    answers = every_answer(client_for(carol), thread, post)
    assert SECRET not in answers and "Redacted by the secretariat on" in answers
    data = client_for(carol).get(f"/api/v1/posts/{post.pk}/").json()
    assert data["body"] == "" and data["redacted_by"] == "secretariat"


def test_the_author_purges_the_current_text_through_the_api_and_may_write_again(
    open_thread, reply, alice, bob, carol, client_for
):
    thread = open_thread(alice, TLP.GREEN)
    post = reply(bob, thread, body=f"Contact {SECRET}", confirmed_exposures=[SECRET])
    response = client_for(bob).post(f"/api/v1/posts/{post.pk}/purge/")
    assert response.status_code == 200 and response.json()["redacted_by"] == "author"
    post_edit(post=post, editor=bob, body="Contact the customer desk")
    assert SECRET not in stored_texts()
    revision = post.revisions.get()
    # The purged text stays purged in the history: a marker, not the words.
    assert revision.body == "" and revision.redacted_by == bob
    answers = every_answer(client_for(carol), thread, post)
    assert "Contact the customer desk" in answers and "Redacted by the author on" in answers


def test_nobody_else_can_purge(leaked, alice, carol, olive, client_for):
    """carol reads the thread but is neither the post's author nor the secretariat (403);
    alice wrote the thread, not the post (403). A reader who cannot see the thread gets 404."""
    thread, post, revision = leaked
    web = f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}"
    for reader in (carol, alice, olive):
        client = client_for(reader)
        assert client.get(f"{web}/history/{revision.pk}/purge/").status_code == 403
        assert client.post(f"{web}/history/{revision.pk}/purge/").status_code == 403
        assert client.post(f"{web}/purge/").status_code == 403
        api = f"/api/v1/posts/{post.pk}"
        assert client.post(f"{api}/revisions/{revision.pk}/purge/").status_code == 403
        assert client.post(f"{api}/purge/").status_code == 403
        with pytest.raises(PermissionDenied):
            post_revision_purge(revision=revision, actor=reader)
        page = client.get(f"{web}/history/").content.decode()
        assert "Redact this text" not in page
    assert SECRET in stored_texts()


def test_a_reader_who_cannot_see_the_thread_gets_404(open_thread, reply, alice, bob, carol,
                                                     client_for, org_a, org_b):
    thread = open_thread(alice, TLP.AMBER, organizations=[org_a, org_b])
    post = reply(bob, thread, body=f"Contact {SECRET}", confirmed_exposures=[SECRET])
    post_edit(post=post, editor=bob, body="edited")
    revision = post.revisions.get()
    client = client_for(carol)
    web = f"/c/fin-isac/discussions/{thread.pk}/posts/{post.pk}"
    assert client.get(f"{web}/history/{revision.pk}/purge/").status_code == 404
    assert client.post(f"{web}/purge/").status_code == 404
    assert client.post(f"/api/v1/posts/{post.pk}/purge/").status_code == 404
    assert (
        client.post(f"/api/v1/posts/{post.pk}/revisions/{revision.pk}/purge/").status_code == 404
    )
    with pytest.raises(Post.DoesNotExist):
        post_purge(post=post, actor=carol)
    assert SECRET in stored_texts()


def test_a_revision_of_another_post_cannot_be_purged_through_this_one(
    leaked, open_thread, reply, alice, bob, client_for
):
    thread, _post, revision = leaked
    other = reply(bob, thread, body="another")
    response = client_for(bob).post(f"/api/v1/posts/{other.pk}/revisions/{revision.pk}/purge/")
    assert response.status_code == 404
    assert SECRET in stored_texts()


def test_deleting_a_post_erases_its_text_and_its_history(leaked, bob):
    _thread, post, _revision = leaked
    post_delete(post=post, actor=bob)
    assert SECRET not in stored_texts()
    assert not PostRevision.objects.filter(post=post).exists()
    post.refresh_from_db()
    assert post.deleted and post.body == ""


def test_the_marker_names_a_role_not_the_author_of_an_anonymous_thread(
    open_thread, alice, carol, client_for
):
    thread = open_thread(alice, TLP.GREEN, anonymous=True, body=f"From {SECRET}",
                         confirmed_exposures=[SECRET])
    post = thread.posts.get()
    post_edit(post=post, editor=alice, body="From a customer")
    post_revision_purge(revision=post.revisions.get(), actor=alice)
    answers = every_answer(client_for(carol), thread, post)
    assert "Redacted by the author on" in answers
    assert alice.display_name not in answers and alice.email not in answers


def test_a_purge_is_in_the_audit_trail_without_the_words(leaked, bob, sec):
    from apps.audit.models import Action, AuditEvent

    _thread, post, revision = leaked
    post_revision_purge(revision=revision, actor=bob)
    post_purge(post=post, actor=sec)
    events = AuditEvent.objects.filter(action=Action.REDACT).order_by("pk")
    assert [(e.actor_id, e.detail["what"]) for e in events] == [
        (bob.pk, "revision"), (sec.pk, "post")
    ]
    assert all(e.target_id == str(post.pk) for e in events)
    assert SECRET not in str([(e.detail, e.target_label) for e in events])

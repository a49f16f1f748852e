"""An anonymous thread hides its source everywhere — and so do its author's own posts in it,
or the first reply would give them away. Only the author and the secretariat are told."""

import json

import pytest

from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


def _pages(client, thread, post):
    slug = thread.community.slug
    return {
        "html_list": client.get(f"/c/{slug}/discussions/").content.decode(),
        "html_detail": client.get(f"/c/{slug}/discussions/{thread.pk}/").content.decode(),
        "html_history": client.get(
            f"/c/{slug}/discussions/{thread.pk}/posts/{post.pk}/history/"
        ).content.decode(),
        "api_list": json.dumps(client.get("/api/v1/threads/").json(), ensure_ascii=False),
        "api_detail": json.dumps(
            client.get(f"/api/v1/threads/{thread.pk}/").json(), ensure_ascii=False
        ),
        "api_posts": json.dumps(
            client.get(f"/api/v1/posts/?thread={thread.pk}").json(), ensure_ascii=False
        ),
        "api_post": json.dumps(client.get(f"/api/v1/posts/{post.pk}/").json(), ensure_ascii=False),
        "api_revisions": json.dumps(
            client.get(f"/api/v1/posts/{post.pk}/revisions/").json(), ensure_ascii=False
        ),
    }


@pytest.fixture
def anonymous_thread(open_thread, reply, alice, bob, carol, org_a, org_b, org_c):
    from apps.discussions.services import post_edit

    thread = open_thread(alice, TLP.AMBER, anonymous=True, title="Anonymous report")
    reply(bob, thread, body="Which sector?")
    answer = reply(alice, thread, body="Banking, first draft")
    post_edit(post=answer, editor=alice, body="Banking")
    return thread, answer


def test_anonymous_thread_hides_its_source_from_members_in_html_and_every_api_field(
    anonymous_thread, alice, bob, carol, olive, org_a, client_for
):
    thread, answer = anonymous_thread
    for reader in (bob, carol, olive):
        pages = _pages(client_for(reader), thread, answer)
        for where, text in pages.items():
            for secret in (org_a.name, org_a.name_en, org_a.slug, alice.email, alice.display_name):
                assert secret not in text, (reader.email, where, secret)
        assert "via the secretariat" in pages["html_detail"]
        assert "via the secretariat" in pages["api_detail"]
        assert "Beta Securities" in pages["html_detail"]  # bob's own reply keeps its source
        detail = json.loads(pages["api_detail"])
        assert detail["source"] == "via the secretariat"
        assert detail["recipient_organizations"] is None
        assert detail["recipient_users"] is None
        post = json.loads(pages["api_post"])
        assert post["author"] is None
        assert post["source"] == "via the secretariat"


def test_secretariat_and_author_are_told_the_source_of_an_anonymous_thread(
    anonymous_thread, alice, sec, client_for
):
    thread, answer = anonymous_thread
    for reader in (alice, sec):
        pages = _pages(client_for(reader), thread, answer)
        assert "Alpha Bank" in pages["html_detail"]
        assert json.loads(pages["api_detail"])["source"] == "Alpha Bank"
        assert json.loads(pages["api_post"])["source"] == "Alpha Bank"
        assert "org-a" in json.loads(pages["api_detail"])["recipient_organizations"]

"""TLP:CLEAR is seen by "anyone, signed in or not" (DESIGN.md): signed-out visitors and
signed-in non-members read the CLEAR incidents and threads of a community — on the web pages
and the read API — and nothing else; a community's other pages stay closed; an invisible
item is a 404 (the sign-in page for a signed-out visitor); anonymous sources stay hidden."""

import pytest

from apps.discussions.services import thread_create
from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(community, alice, org_a, org_b):
    """One CLEAR and one GREEN incident and thread, and an anonymous CLEAR incident."""

    def incident(title, tlp, **kwargs):
        return incident_create(
            author=alice,
            community=community,
            title=title,
            category="phishing",
            tlp=tlp,
            summary="公開の検索語 ZEPHYR",
            **kwargs,
        )

    def thread(title, tlp):
        return thread_create(
            author=alice, community=community, title=title, body="ZEPHYR の投稿", tlp=tlp
        )

    return {
        "clear": incident("Clear incident", TLP.CLEAR),
        "green": incident("Green incident", TLP.GREEN),
        "anonymous": incident("Anonymous clear incident", TLP.CLEAR, anonymous=True),
        "clear_thread": thread("Clear thread", TLP.CLEAR),
        "green_thread": thread("Green thread", TLP.GREEN),
    }


def _ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def _readers(client, client_for, outsider, sam):
    return {"signed out": client, "non-member": client_for(outsider), "suspended": client_for(sam)}


def test_web_lists_and_details_show_clear_items_to_anyone(items, client, client_for, outsider, sam):
    for who, reader in _readers(client, client_for, outsider, sam).items():
        page = reader.get("/c/fin-isac/incidents/")
        assert page.status_code == 200, who
        html = page.content.decode()
        assert "Clear incident" in html and "Anonymous clear incident" in html, who
        assert "Green incident" not in html, who
        found = reader.get("/c/fin-isac/incidents/?q=ZEPHYR").content.decode()
        assert "Clear incident" in found and "Green incident" not in found, who
        threads = reader.get("/c/fin-isac/discussions/").content.decode()
        assert "Clear thread" in threads and "Green thread" not in threads, who
        assert reader.get(f"/c/fin-isac/incidents/{items['clear'].pk}/").status_code == 200
        assert reader.get(f"/c/fin-isac/discussions/{items['clear_thread'].pk}/").status_code == 200


def test_invisible_items_are_404_or_sign_in(items, client, client_for, outsider):
    for key, prefix in (("green", "incidents"), ("green_thread", "discussions")):
        url = f"/c/fin-isac/{prefix}/{items[key].pk}/"
        assert client_for(outsider).get(url).status_code == 404
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_source_stays_hidden_from_visitors(items, client, client_for, outsider):
    for reader in (client, client_for(outsider)):
        html = reader.get(f"/c/fin-isac/incidents/{items['anonymous'].pk}/").content.decode()
        assert "via the secretariat" in html
        assert "Alpha Bank" not in html and "アルファ銀行" not in html
        body = reader.get(f"/api/v1/incidents/{items['anonymous'].pk}/").content.decode()
        assert "org-a" not in body and "Alpha Bank" not in body and "alice" not in body


def test_a_community_with_nothing_public_looks_like_one_that_does_not_exist(
    community, alice, client, client_for, outsider
):
    incident_create(
        author=alice, community=community, title="Green only", category="other", tlp=TLP.GREEN
    )
    for url in ("/c/fin-isac/incidents/", "/c/fin-isac/discussions/"):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).get(url.replace("fin-isac", "no-such")).status_code == 404
        assert client.get(url).status_code == 302
        assert client.get(url.replace("fin-isac", "no-such")).status_code == 302


def test_other_community_pages_stay_closed(items, client, client_for, outsider):
    for url in (
        "/c/fin-isac/",
        "/c/fin-isac/members/",
        "/c/fin-isac/incidents/new/",
        "/c/fin-isac/incidents/achieved/",
        "/c/fin-isac/incidents/addressed-to-me/",
        "/c/fin-isac/discussions/new/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        assert client_for(outsider).get(url).status_code == 404, url
    html = client.get("/c/fin-isac/incidents/").content.decode()
    assert "/c/fin-isac/members/" not in html and "Share an incident" not in html


def test_visitors_cannot_act_on_a_clear_item(items, client, client_for, outsider):
    clear, thread = items["clear"], items["clear_thread"]
    response = client.post(f"/c/fin-isac/incidents/{clear.pk}/sighting/", {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert (
        client_for(outsider).post(f"/c/fin-isac/incidents/{clear.pk}/sighting/").status_code == 404
    )
    response = client.post(f"/c/fin-isac/discussions/{thread.pk}/", {"body": "hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert (
        client_for(outsider)
        .post(f"/c/fin-isac/discussions/{thread.pk}/", {"body": "hello"})
        .status_code
        == 403
    )
    assert thread.posts.count() == 1
    page = client_for(outsider).get(f"/c/fin-isac/incidents/{clear.pk}/").content.decode()
    assert "We saw this too" not in page and "Tell the author" not in page


def test_api_reads_are_open_and_clear_only(items, client, client_for, outsider, sam):
    incident_ids = {str(items["clear"].pk), str(items["anonymous"].pk)}
    for who, reader in _readers(client, client_for, outsider, sam).items():
        assert _ids(reader.get("/api/v1/incidents/?community=fin-isac")) == incident_ids, who
        assert _ids(reader.get("/api/v1/threads/")) == {str(items["clear_thread"].pk)}, who
        posts = _ids(reader.get(f"/api/v1/posts/?thread={items['clear_thread'].pk}"))
        assert len(posts) == 1, who
        assert (
            reader.get(f"/api/v1/posts/?thread={items['green_thread'].pk}").json()["results"] == []
        ), who
        assert reader.get(f"/api/v1/incidents/{items['green'].pk}/").status_code == 404, who
        assert reader.get(f"/api/v1/threads/{items['green_thread'].pk}/").status_code == 404
        assert reader.get(f"/api/v1/incidents/{items['clear'].pk}/").status_code == 200, who
        assert reader.get("/api/v1/indicators/").status_code == 200, who


def test_api_writes_and_personal_reads_still_need_sign_in(items, client):
    clear = items["clear"]
    refused = (401, 403)
    assert (
        client.post("/api/v1/incidents/", {}, content_type="application/json").status_code
        in refused
    )
    assert (
        client.patch(
            f"/api/v1/incidents/{clear.pk}/", {"title": "x"}, content_type="application/json"
        ).status_code
        in refused
    )
    assert (
        client.post("/api/v1/threads/", {}, content_type="application/json").status_code in refused
    )
    assert (
        client.post(
            "/api/v1/posts/",
            {"thread": str(items["clear_thread"].pk), "body": "x"},
            content_type="application/json",
        ).status_code
        in refused
    )
    for url in (
        "/api/v1/incidents/addressed-to-me/",
        "/api/v1/incidents/achievements/",
        "/api/v1/sightings/",
        "/api/v1/feedback/",
        "/api/v1/indicators/lookup/?value=x",
    ):
        assert client.get(url).status_code in refused, url
    assert items["clear_thread"].posts.count() == 1

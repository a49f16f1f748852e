"""End to end: the real `taxii2-client` against a live server on loopback, as two members
with different audiences. What each receives is what the portal's own API lists for them."""

import pytest
import requests
from taxii2client.common import TokenAuth
from taxii2client.v21 import Server, as_pages

from apps.accounts.services import token_issue
from apps.interop.markings import marking_ref
from tests.interop.taxii_helpers import incident, indicator_object


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # The live server is on loopback: never ask a proxy from the environment.
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")


def _portal_incident_ids(base_url, key, slug) -> set[str]:
    """The ids the portal's own API lists for the token's owner, every page."""
    found, url = set(), f"{base_url}/api/v1/incidents/?community={slug}&page_size=2"
    while url:
        answer = requests.get(url, headers={"Authorization": f"Token {key}"}, timeout=30)
        answer.raise_for_status()
        body = answer.json()
        found.update(row["id"] for row in body["results"])
        url = body["next"]
    return found


def _walk(live_server, community, **credentials):
    """discovery → API roots → collections → paged objects → paged manifest."""
    server = Server(f"{live_server.url}/taxii2/", **credentials)
    assert server.title == "Renkei TAXII 2.1"
    [root] = server.api_roots
    assert server.default is root
    assert "application/taxii+json;version=2.1" in root.versions
    [collection] = [c for c in root.collections if c.alias == community.slug]
    assert collection.can_read
    objects = []
    for envelope in as_pages(collection.get_objects, per_request=3):
        assert len(envelope.get("objects", [])) <= 3
        objects.extend(envelope.get("objects", []))
    manifest = []
    for envelope in as_pages(collection.get_manifest, per_request=4):
        manifest.extend(envelope.get("objects", []))
    return server, root, collection, objects, manifest


@pytest.mark.django_db(transaction=True)
def test_taxii2_client_receives_exactly_what_the_portal_shows_each_member(
        live_server, community, alice, bob, carol, org_b, org_c, org_a):
    incident(alice, "GREEN", title="For every member",
             indicators=[{"type": "domain", "value": "evil.example.net"}])
    incident(alice, "AMBER", organizations=[org_b], title="Beta only")
    incident(alice, "AMBER+STRICT", organizations=[org_c], title="Gamma only")
    incident(alice, "RED", users=[carol], title="Carol by name")
    incident(alice, "GREEN", anonymous=True, title="Via the secretariat",
             indicators=[{"type": "ipv4", "value": "203.0.113.77"}])
    # Bob signs in with a token; Carol with HTTP Basic (e-mail and token).
    _token, bob_key = token_issue(user=bob, name="OpenCTI")
    _token, carol_key = token_issue(user=carol, name="MISP")
    readers = {
        "bob": (bob_key, {"auth": TokenAuth(bob_key)}),
        "carol": (carol_key, {"user": carol.email, "password": carol_key}),
    }
    received = {}
    for name, (key, credentials) in readers.items():
        server, root, collection, objects, manifest = _walk(live_server, community,
                                                            **credentials)
        ids = [obj["id"] for obj in objects]
        assert len(ids) == len(set(ids)), "an object came twice"
        assert [entry["id"] for entry in manifest] == ids
        incidents = {i.removeprefix("incident--") for i in ids if i.startswith("incident--")}
        assert incidents == _portal_incident_ids(live_server.url, key, community.slug), name
        received[name] = (incidents, objects, collection, root)
        server.close()
    titles = {name: {obj["name"] for obj in objects if obj["type"] == "incident"}
              for name, (_ids, objects, _c, _r) in received.items()}
    assert titles["bob"] == {"For every member", "Beta only", "Via the secretariat"}
    assert titles["carol"] == {"For every member", "Gamma only", "Carol by name",
                               "Via the secretariat"}
    # The anonymous item names the secretariat, never Alpha Bank, in either feed.
    for _ids, objects, _c, _r in received.values():
        anonymous = next(o for o in objects if o.get("name") == "Via the secretariat")
        creator = next(o for o in objects if o["id"] == anonymous["created_by_ref"])
        assert org_a.name not in str(creator) and "secretariat" in creator["name"]

    # A write through the client: the status comes back and can be asked for again.
    _ids, _objects, collection, root = received["bob"]
    status = collection.add_objects(
        {"objects": [indicator_object("[ipv4-addr:value = '198.51.100.23']",
                                      object_marking_refs=[marking_ref("GREEN")])]},
        wait_for_completion=False)
    assert status.status == "complete" and status.success_count == 1
    assert root.get_status(status.id).success_count == 1
    status.refresh()  # the URL the client builds itself, without a final slash
    assert status.total_count == 1

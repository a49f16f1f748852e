"""TAXII 2.1 conformance: resources, media types, error messages, paging and filters."""

import pytest

from apps.interop.markings import TLP2_IDS
from apps.interop.taxii.collections import collection_id
from tests.interop.taxii_helpers import ROOT, TAXII, Taxii, incident, objects_url


@pytest.fixture
def bob_taxii(client, alice, bob, carol, sec):
    return Taxii(client, bob)


def _error(answer, status):
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == TAXII
    body = answer.json()
    assert body["http_status"] == str(status) and body["title"]
    return body


def test_discovery_api_root_and_collections_are_taxii_resources(bob_taxii, community):
    discovery = bob_taxii.get("/taxii2/")
    assert discovery.status_code == 200 and discovery["Content-Type"] == TAXII
    assert discovery.json()["api_roots"] == ["http://testserver" + ROOT]
    assert discovery.json()["default"] == "http://testserver" + ROOT
    root = bob_taxii.get(ROOT).json()
    assert root["versions"] == [TAXII] and root["max_content_length"] > 0
    collections = bob_taxii.get(ROOT + "collections/").json()["collections"]
    assert collections == [bob_taxii.get(f"{ROOT}collections/{collection_id(community)}/").json()]
    assert collections[0]["alias"] == "fin-isac"
    assert collections[0]["can_read"] is collections[0]["can_write"] is True
    assert collections[0]["media_types"] == ["application/stix+json;version=2.1"]


def test_collection_id_is_stable_and_survives_a_renamed_community(community):
    before = collection_id(community)
    community.slug, community.name = "renamed", "改名"
    community.save()
    assert collection_id(community) == before
    assert before == collection_id(type(community).objects.get(pk=community.pk))


def test_observer_reads_but_may_not_write(client, community, olive):
    observer = Taxii(client, olive)
    [found] = observer.get(ROOT + "collections/").json()["collections"]
    assert found["can_read"] is True and found["can_write"] is False
    _error(observer.post(objects_url(community), {"objects": [{"type": "x"}]}), 403)


@pytest.mark.parametrize("accept", [TAXII, "application/taxii+json", "*/*",
                                    "application/taxii+json; version=2.1", None,
                                    "text/html;q=0.9, application/taxii+json;version=2.1"])
def test_accepted_media_types(bob_taxii, accept):
    answer = bob_taxii.get("/taxii2/", accept=accept)
    assert answer.status_code == 200 and answer["Content-Type"] == TAXII


@pytest.mark.parametrize("accept", ["application/json", "text/html",
                                    "application/taxii+json;version=2.0",
                                    "application/vnd.oasis.taxii+json; version=2.0"])
def test_unacceptable_media_types_answer_406(bob_taxii, accept):
    _error(bob_taxii.get("/taxii2/", accept=accept), 406)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain",
                                          "application/taxii+json;version=2.0"])
def test_a_write_in_another_media_type_answers_415(bob_taxii, community, content_type):
    _error(bob_taxii.post(objects_url(community), {"objects": []}, content_type=content_type), 415)


def test_malformed_writes_answer_400_and_422(bob_taxii, community):
    _error(bob_taxii.post(objects_url(community), "{not json"), 400)
    _error(bob_taxii.post(objects_url(community), {"no": "objects"}), 400)
    _error(bob_taxii.post(objects_url(community), {"objects": []}), 422)


def test_unknown_root_collection_object_and_status_answer_404(bob_taxii, community):
    _error(bob_taxii.get("/taxii2/other/"), 404)
    _error(bob_taxii.get(ROOT + "collections/00000000-0000-4000-8000-000000000000/"), 404)
    _error(bob_taxii.get(objects_url(community)
                         + "incident--00000000-0000-4000-8000-000000000000/"), 404)
    _error(bob_taxii.get(ROOT + "status/00000000-0000-4000-8000-000000000000/"), 404)


def test_delete_is_refused_and_other_methods_answer_405(bob_taxii, community, alice):
    shared = incident(alice, "GREEN")
    url = objects_url(community) + f"incident--{shared.pk}/"
    _error(bob_taxii.delete(url), 403)
    answer = bob_taxii.client.put(ROOT, HTTP_AUTHORIZATION=bob_taxii.authorization)
    assert _error(answer, 405) and answer["Allow"] == "GET"


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "x"}, {"added_after": "yesterday"},
                                    {"next": "not-a-cursor"}, {"match[version]": "soon"}])
def test_bad_parameters_answer_400(bob_taxii, community, params):
    _error(bob_taxii.get(objects_url(community), **params), 400)


def test_paging_with_next_while_incidents_are_added_skips_nothing_and_repeats_nothing(
        client, community, alice, bob, carol):
    for n in range(3):
        incident(alice, "GREEN", title=f"first {n}")
    reader = Taxii(client, bob)
    seen, after, added = [], None, 0
    while True:
        answer = reader.get(objects_url(community), limit=3,
                            **({"next": after} if after else {}))
        body = answer.json()
        assert len(body.get("objects", [])) <= 3
        if body.get("objects"):
            assert answer["X-TAXII-Date-Added-First"] <= answer["X-TAXII-Date-Added-Last"]
        seen.extend(obj["id"] for obj in body.get("objects", []))
        if added < 4:  # someone shares between two pages
            incident(carol if added % 2 else alice, "GREEN", title=f"while paging {added}")
            added += 1
        if not body["more"]:
            break
        after = body["next"]
    assert len(seen) == len(set(seen)), "an object came twice"
    everything = {obj["id"] for obj in reader.all_objects(community, limit=1000)}
    assert set(seen) == everything, "an object was skipped"
    assert sum(1 for i in seen if i.startswith("incident--")) == 7


def test_added_after_gives_only_what_came_later(bob_taxii, community, alice):
    incident(alice, "GREEN", title="old")
    first = bob_taxii.get(objects_url(community))
    last_seen = first["X-TAXII-Date-Added-Last"]
    new = incident(alice, "GREEN", title="new")
    later = bob_taxii.get(objects_url(community), added_after=last_seen).json()["objects"]
    ids = {obj["id"] for obj in later}
    assert f"incident--{new.pk}" in ids
    assert all(obj["id"] not in {o["id"] for o in first.json()["objects"]}
               or obj["type"] == "identity" for obj in later)


def test_match_filters(bob_taxii, community, alice):
    one = incident(alice, "GREEN", title="one")
    incident(alice, "AMBER", title="two")
    url = objects_url(community)
    incidents = bob_taxii.get(url, **{"match[type]": "incident"}).json()["objects"]
    assert {obj["type"] for obj in incidents} == {"incident"} and len(incidents) == 2
    both = bob_taxii.get(url, **{"match[type]": "incident,marking-definition"}).json()["objects"]
    assert {obj["type"] for obj in both} == {"incident", "marking-definition"}
    [found] = bob_taxii.get(url, **{"match[id]": f"incident--{one.pk}"}).json()["objects"]
    assert found["name"] == "one"
    for version in ("last", "first", "all", found["modified"]):
        answer = bob_taxii.get(url, **{"match[id]": found["id"], "match[version]": version})
        assert [obj["id"] for obj in answer.json()["objects"]] == [found["id"]], version
    assert "objects" not in bob_taxii.get(
        url, **{"match[id]": found["id"], "match[version]": "2001-01-01T00:00:00.000Z"}).json()
    assert bob_taxii.get(url, **{"match[spec_version]": "2.1"}).json()["objects"]
    assert "objects" not in bob_taxii.get(url, **{"match[spec_version]": "2.0"}).json()


def test_manifest_versions_and_object_agree_with_objects(bob_taxii, community, alice):
    incident(alice, "GREEN", title="one")
    incident(alice, "AMBER", title="two")
    url = objects_url(community)
    objects = bob_taxii.get(url).json()["objects"]
    manifest = bob_taxii.get(url.replace("/objects/", "/manifest/")).json()["objects"]
    assert [entry["id"] for entry in manifest] == [obj["id"] for obj in objects]
    for entry, obj in zip(manifest, objects, strict=True):
        assert entry["version"] == obj.get("modified", obj.get("created"))
        assert entry["media_type"] == "application/stix+json;version=2.1"
        versions = bob_taxii.get(f"{url}{obj['id']}/versions/").json()
        assert versions == {"more": False, "versions": [entry["version"]]}
        one = bob_taxii.get(f"{url}{obj['id']}/")
        assert one.json()["objects"] == [obj]
        assert one["X-TAXII-Date-Added-First"] == entry["date_added"]
    assert set(TLP2_IDS.values()) <= {entry["id"] for entry in manifest}


def test_manifest_pages_like_objects(bob_taxii, community, alice):
    for n in range(3):
        incident(alice, "GREEN", title=f"n{n}")
    manifest_url = objects_url(community).replace("/objects/", "/manifest/")
    ids, after = [], None
    while True:
        body = bob_taxii.get(manifest_url, limit=4, **({"next": after} if after else {})).json()
        ids.extend(entry["id"] for entry in body.get("objects", []))
        if not body["more"]:
            break
        after = body["next"]
    assert ids == [obj["id"] for obj in bob_taxii.all_objects(community, limit=1000)]


@pytest.mark.parametrize("count", [3, 30])
def test_a_page_of_objects_costs_a_fixed_number_of_queries(
        bob_taxii, community, alice, org_b, count, django_assert_max_num_queries):
    for n in range(count):
        incident(alice, "AMBER" if n % 2 else "GREEN", organizations=[org_b] if n % 2 else None,
                 indicators=[{"type": "ipv4", "value": f"203.0.113.{n + 1}"}])
    bob_taxii.get("/taxii2/")  # the token's first use is written once; not part of a page
    with django_assert_max_num_queries(16):
        answer = bob_taxii.get(objects_url(community), limit=10)
    assert answer.status_code == 200 and len(answer.json()["objects"]) == 10

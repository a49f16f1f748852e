"""STIX 2.1 out, object by object, with the small cast of tests/conftest.py: deterministic
ids, `modified` after an edit, patterns and what cannot be one, hidden sighting organisations,
discussion notes, constant queries, and the downloads' 404s and audit records."""

import json
import uuid

import pytest
from django.urls import reverse
from stix2validator import ValidationOptions, validate_instance

from apps.audit.models import Action, AuditEvent
from apps.discussions.models import Post, Thread
from apps.incidents.models import Indicator
from apps.incidents.selectors import incidents_visible_to
from apps.incidents.services import incident_create, incident_update, sighting_add
from apps.interop.markings import TLP2_IDS
from apps.interop.stix import (
    bundle,
    escape_pattern_value,
    incident_entries,
    incident_export,
    indicator_pattern,
    organization_identity_id,
)
from apps.interop.stix_exports import MEDIA_TYPE
from apps.sharing.services import audience_set

pytestmark = pytest.mark.django_db
OPTIONS = ValidationOptions(strict=False)


@pytest.fixture
def share(community):
    def make(author, tlp, indicators=(), **choice):
        incident = incident_create(author=author, community=community, title=f"{tlp} phishing",
                                   category="phishing", summary="偽のログイン画面", tlp=tlp,
                                   **choice)
        for kind, value in indicators:
            Indicator.objects.create(community=community, incident=incident, type=kind,
                                     value=value, created_by=author)
        return incident

    return make


def export(incidents, viewer) -> dict:
    data = bundle(incident_entries(incidents, viewer))
    results = validate_instance(data, OPTIONS)
    assert results.is_valid, [str(error) for error in results.errors]
    return data


def by_type(data, kind):
    return [obj for obj in data["objects"] if obj["type"] == kind]


def test_ids_are_stable_and_modified_moves_after_an_edit(share, alice, bob):
    incident = share(alice, "GREEN", indicators=[("ipv4", "203.0.113.7")],
                     techniques=["T1566"])
    sighting_add(user=bob, incident=incident, show_organization=True)
    first = export([incident], alice)
    again = export([incident], alice)
    assert first == again  # the same ids, the same versions, the same bundle id
    incident_update(incident=incident, actor=alice, title="GREEN phishing (updated)")
    incident.refresh_from_db()
    after = export([incident], alice)
    assert {o["id"] for o in after["objects"]} == {o["id"] for o in first["objects"]}
    old, new = by_type(first, "incident")[0], by_type(after, "incident")[0]
    assert new["id"] == f"incident--{incident.pk}"
    assert new["modified"] > old["modified"]
    assert new["created"] == old["created"]


def test_a_label_change_moves_modified_and_the_marking(share, alice):
    incident = share(alice, "AMBER")
    before = by_type(export([incident], alice), "incident")[0]
    audience_set(item=incident, actor=alice, tlp="GREEN")
    incident.refresh_from_db()
    after = by_type(export([incident], alice), "incident")[0]
    assert after["modified"] > before["modified"]
    assert before["object_marking_refs"] == [TLP2_IDS["AMBER"]]
    assert after["object_marking_refs"] == [TLP2_IDS["GREEN"]]


def test_an_imported_incident_keeps_its_stix_id(share, alice):
    incident = share(alice, "GREEN", indicators=[("domain", "evil.example")])
    stix_id = f"incident--{uuid.uuid4()}"
    incident.stix_id = stix_id
    incident.save(update_fields=["stix_id"])
    indicator = incident.indicators.get()
    indicator.stix_id = f"indicator--{uuid.uuid4()}"
    indicator.save(update_fields=["stix_id"])
    data = export([incident], alice)
    assert by_type(data, "incident")[0]["id"] == stix_id
    assert by_type(data, "indicator")[0]["id"] == indicator.stix_id
    indicates = [r for r in by_type(data, "relationship") if r["relationship_type"] == "indicates"]
    assert indicates[0]["target_ref"] == stix_id


@pytest.mark.parametrize("kind,value,pattern", [
    ("ipv4", "198.51.100.1", "[ipv4-addr:value = '198.51.100.1']"),
    ("ipv6", "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"),
    ("domain", "evil.example", "[domain-name:value = 'evil.example']"),
    ("url", "http://evil.example/a'b\\c", "[url:value = 'http://evil.example/a\\'b\\\\c']"),
    ("email", "o'brien@evil.example", "[email-addr:value = 'o\\'brien@evil.example']"),
    ("filename", "請求書'.exe", "[file:name = '請求書\\'.exe']"),
    ("md5", "d41d8cd98f00b204e9800998ecf8427e",
     "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"),
    ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
     "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"),
    ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "[file:hashes.'SHA-256' = "
     "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"),
])
def test_each_indicator_type_has_a_valid_pattern(kind, value, pattern):
    assert indicator_pattern(kind, value) == pattern


def test_quotes_and_backslashes_are_escaped():
    assert escape_pattern_value("a\\'b") == "a\\\\\\'b"


def test_a_value_without_a_valid_pattern_is_skipped_and_recorded(share, alice):
    # A hash that is not one (written by hand, past the form's check) makes no pattern.
    incident = share(alice, "GREEN", indicators=[("md5", "not-a-hash"), ("cve", "CVE-2024-3400")])
    result = incident_export([incident], alice)
    assert [kind for _pk, kind, _why in result.skipped] == ["md5"]
    data = bundle(result.entries)
    assert validate_instance(data, OPTIONS).is_valid
    assert not by_type(data, "indicator")
    vulnerability = by_type(data, "vulnerability")[0]
    assert vulnerability["external_references"] == [
        {"source_name": "cve", "external_id": "CVE-2024-3400"}]


def test_attack_patterns_carry_the_mitre_reference(share, alice):
    incident = share(alice, "GREEN", techniques=["T1566.001"])
    data = export([incident], alice)
    pattern = by_type(data, "attack-pattern")[0]
    assert pattern["external_references"][0]["source_name"] == "mitre-attack"
    assert pattern["external_references"][0]["external_id"] == "T1566.001"
    uses = [r for r in by_type(data, "relationship") if r["relationship_type"] == "uses"]
    assert uses[0]["source_ref"] == f"incident--{incident.pk}"
    assert uses[0]["target_ref"] == pattern["id"]


def test_a_sighting_names_its_organisation_only_when_it_chose_to(share, alice, bob, carol,
                                                                  org_b, org_c):
    incident = share(alice, "GREEN")
    sighting_add(user=bob, incident=incident, show_organization=False, note="we saw it")
    sighting_add(user=carol, incident=incident, show_organization=True)
    data = export([incident], alice)
    text = json.dumps(data, ensure_ascii=False)
    assert org_b.name not in text and org_b.name_en not in text
    assert organization_identity_id(org_b) not in text
    assert "we saw it" not in text
    sightings = {s["id"]: s for s in by_type(data, "sighting")}
    assert len(sightings) == 2
    named = [s for s in sightings.values() if "where_sighted_refs" in s]
    assert [s["where_sighted_refs"] for s in named] == [[organization_identity_id(org_c)]]


def test_notes_come_only_from_threads_the_reader_may_see(share, community, alice, bob, carol,
                                                         org_a):
    incident = share(alice, "GREEN")
    open_thread = Thread.objects.create(community=community, title="Same mail here",
                                        incident=incident, author=bob,
                                        author_organization=bob.memberships.get().organization)
    audience_set(item=open_thread, actor=bob, tlp="GREEN")
    closed = Thread.objects.create(community=community, title="Only for Alpha",
                                   incident=incident, author=alice, author_organization=org_a)
    audience_set(item=closed, actor=alice, tlp="RED", users=[alice.pk])
    for thread, text in ((open_thread, "届いた件名は同じでした"), (closed, "社内の詳細")):
        Post.objects.create(community=community, thread=thread, author=thread.author,
                            author_organization=thread.author_organization, body=text)
    for_carol = export([incident], carol)
    notes = by_type(for_carol, "note")
    assert [note["id"] for note in notes] == [f"note--{open_thread.pk}"]
    assert "届いた件名は同じでした" in notes[0]["content"]
    assert "社内の詳細" not in json.dumps(for_carol, ensure_ascii=False)
    for_alice = by_type(export([incident], alice), "note")
    red = next(note for note in for_alice if note["id"] == f"note--{closed.pk}")
    # A note never travels further than its thread: the stricter label of the two.
    assert red["object_marking_refs"] == [TLP2_IDS["RED"]]


def test_queries_do_not_grow_with_the_number_of_incidents(share, alice, bob,
                                                          django_assert_max_num_queries):
    def world(n):
        for i in range(n):
            incident = share(alice, "GREEN", indicators=[("ipv4", f"203.0.113.{i + 1}")],
                             techniques=["T1566"])
            sighting_add(user=bob, incident=incident, show_organization=bool(i % 2))

    world(2)
    # 15: the threat actors, campaigns and campaigns' actors named are prefetched too.
    with django_assert_max_num_queries(15) as few:
        incident_entries(incidents_visible_to(alice), alice)
    world(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        entries = incident_entries(incidents_visible_to(alice), alice)
    assert len([e for e in entries if e.object["type"] == "incident"]) == 10


def test_downloads_are_attachments_of_the_stix_media_type_and_audited(share, alice, community,
                                                                      client_for):
    incident = share(alice, "AMBER")
    client = client_for(alice)
    response = client.get(reverse("interop:incident_stix", args=[community.slug, incident.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="incident-{incident.pk}.stix.json"')
    event = AuditEvent.objects.get(action=Action.EXPORT, actor=alice)
    assert event.detail["format"] == "stix"
    assert event.detail["filters"]["incident"] == str(incident.pk)


def test_hidden_incidents_are_404_and_left_out_of_searches(share, alice, bob, carol, org_a,
                                                          community, client, client_for):
    red = share(alice, "RED", users=[bob.pk])
    amber = share(alice, "AMBER", organizations=[org_a.pk])
    clear = share(alice, "CLEAR")
    carol_client = client_for(carol)
    for incident in (red, amber):
        assert carol_client.get(reverse("interop:incident_stix",
                                        args=[community.slug, incident.pk])).status_code == 404
        assert carol_client.get(reverse("interop_api:incident_stix",
                                        args=[incident.pk])).status_code == 404
    assert client_for(bob).get(reverse("interop_api:incident_stix",
                                       args=[red.pk])).status_code == 200
    data = json.loads(carol_client.get(reverse("interop:search_stix",
                                               args=[community.slug])).content)
    assert {o["id"] for o in by_type(data, "incident")} == {f"incident--{clear.pk}"}
    # Signed out: TLP:CLEAR only.
    anonymous = json.loads(client.get(reverse("interop_api:search_stix")).content)
    assert {o["id"] for o in by_type(anonymous, "incident")} == {f"incident--{clear.pk}"}
    assert client.get(reverse("interop_api:incident_stix", args=[red.pk])).status_code == 404


def test_a_threads_incident_is_exported_only_when_both_are_visible(share, community, alice,
                                                                   bob, carol, org_a,
                                                                   client_for):
    amber = share(alice, "AMBER", organizations=[org_a.pk])
    thread = Thread.objects.create(community=community, title="About it", incident=amber,
                                   author=bob,
                                   author_organization=bob.memberships.get().organization)
    audience_set(item=thread, actor=bob, tlp="GREEN")
    url = reverse("interop:thread_stix", args=[community.slug, thread.pk])
    assert client_for(carol).get(url).status_code == 404  # sees the thread, not the incident
    response = client_for(alice).get(url)
    assert response.status_code == 200
    ids = {o["id"] for o in json.loads(response.content)["objects"]}
    assert f"incident--{amber.pk}" in ids
    api = client_for(alice).get(reverse("interop_api:thread_stix", args=[thread.pk]))
    assert api.status_code == 200


def test_pages_offer_the_stix_downloads(share, alice, community, client_for):
    incident = share(alice, "GREEN")
    client = client_for(alice)
    detail = client.get(reverse("incidents:detail", args=[community.slug, incident.pk]))
    assert reverse("interop:incident_stix", args=[community.slug, incident.pk]) in (
        detail.content.decode())
    listing = client.get(reverse("incidents:list", args=[community.slug]), {"tlp": "GREEN"})
    assert reverse("interop:search_stix", args=[community.slug]) + "?tlp=GREEN" in (
        listing.content.decode())

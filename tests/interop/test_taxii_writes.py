"""TAXII writes: indicators and sightings posted into a community's collection."""

import pytest

from apps.incidents.models import Incident, Indicator, Sighting
from apps.interop.imports import import_draft_add_indicators
from apps.interop.markings import marking_definition, marking_ref
from apps.interop.models import ImportDraft, TaxiiStatus
from apps.sharing.selectors import can_view
from tests.interop.taxii_helpers import ROOT, Taxii, incident, indicator_object, objects_url

TLP1_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _post(writer, community, *objects):
    answer = writer.post(objects_url(community), {"objects": list(objects)})
    assert answer.status_code == 202, answer.content
    status = answer.json()
    assert status["total_count"] == len(objects)
    assert (status["success_count"] + status["failure_count"] + status["pending_count"]
            == status["total_count"])
    return status


def _messages(status, key):
    return {entry["id"]: entry["message"] for entry in status.get(key, [])}


@pytest.fixture
def writer(client, community, alice, bob, carol):
    return Taxii(client, bob)


def test_indicators_without_a_target_become_one_new_incident_per_label(writer, community, bob,
                                                                       alice, carol):
    status = _post(
        writer, community,
        marking_definition("GREEN"),
        indicator_object("[ipv4-addr:value = '203.0.113.5']", id=f"indicator--{_uuid(1)}"),
        indicator_object("[domain-name:value = 'evil.example.net']", id=f"indicator--{_uuid(2)}"),
        indicator_object("[file:hashes.'SHA-256' = '" + "A" * 64 + "']", label=None,
                         object_marking_refs=[TLP1_AMBER], id=f"indicator--{_uuid(3)}"),
    )
    assert status["status"] == "complete"
    assert status["success_count"] == 4 and status["failure_count"] == 0
    green = Incident.objects.get(community=community, author=bob, tlp="GREEN")
    amber = Incident.objects.get(community=community, author=bob, tlp="AMBER")
    assert green.author_organization.slug == "org-b"
    assert set(green.indicators.values_list("type", "value")) == {
        ("ipv4", "203.0.113.5"), ("domain", "evil.example.net")}
    [sha] = amber.indicators.all()
    assert sha.value == "a" * 64 and sha.stix_id == f"indicator--{_uuid(3)}"
    # Shared as on the web: GREEN to every member, AMBER to every member organisation.
    assert can_view(carol, green) and can_view(alice, amber)
    assert f"/incidents/{green.pk}/" in _messages(status, "successes")[f"indicator--{_uuid(1)}"]
    # The status is there for its writer, and for nobody else.
    again = writer.get(f"{ROOT}status/{status['id']}/").json()
    assert again == status
    assert Taxii(writer.client, alice).get(f"{ROOT}status/{status['id']}/").status_code == 404


def test_an_indicates_relationship_adds_to_an_incident_the_writer_may_edit(
        writer, community, bob, alice):
    own = incident(bob, "AMBER", title="Bob's own")
    other = incident(alice, "GREEN", title="Alice's")
    mine, theirs = f"indicator--{_uuid(1)}", f"indicator--{_uuid(2)}"
    status = _post(
        writer, community,
        indicator_object("[url:value = 'http://evil.example.net/x']", label="AMBER", id=mine),
        {"type": "relationship", "spec_version": "2.1", "id": f"relationship--{_uuid(3)}",
         "relationship_type": "indicates", "source_ref": mine,
         "target_ref": f"incident--{own.pk}", "created": "2024-05-01T00:00:00Z",
         "modified": "2024-05-01T00:00:00Z"},
        indicator_object("[ipv4-addr:value = '198.51.100.7']", id=theirs),
        {"type": "relationship", "spec_version": "2.1", "id": f"relationship--{_uuid(4)}",
         "relationship_type": "indicates", "source_ref": theirs,
         "target_ref": f"incident--{other.pk}", "created": "2024-05-01T00:00:00Z",
         "modified": "2024-05-01T00:00:00Z"},
    )
    assert list(own.indicators.values_list("value", flat=True)) == ["http://evil.example.net/x"]
    assert not other.indicators.exists()
    assert set(_messages(status, "successes")) == {mine, f"relationship--{_uuid(3)}"}
    failures = _messages(status, "failures")
    assert "may edit" in failures[theirs] and f"relationship--{_uuid(4)}" in failures
    assert Incident.objects.filter(author=bob).count() == 1  # nothing new was made


def test_refusals_say_why_each_object_was_refused(writer, community, bob):
    stricter = incident(bob, "GREEN")
    target = f"indicator--{_uuid(5)}"
    status = _post(
        writer, community,
        indicator_object("[ipv4-addr:value = '203.0.113.9']", label=None,
                         id=f"indicator--{_uuid(1)}"),
        indicator_object("[ipv4-addr:value = '203.0.113.9']", label="RED",
                         id=f"indicator--{_uuid(2)}"),
        indicator_object("[process:name = 'evil.exe']", id=f"indicator--{_uuid(3)}"),
        indicator_object("[ipv4-addr:value = 'not an address']", id=f"indicator--{_uuid(4)}"),
        indicator_object("[ipv4-addr:value = '203.0.113.10']", label="AMBER", id=target),
        {"type": "relationship", "id": f"relationship--{_uuid(6)}",
         "relationship_type": "indicates", "source_ref": target,
         "target_ref": f"incident--{stricter.pk}"},
        {"type": "malware", "id": f"malware--{_uuid(7)}", "name": "x", "is_family": False,
         "object_marking_refs": [marking_ref("GREEN")]},
        {"type": "marking-definition", "id": f"marking-definition--{_uuid(8)}"},
    )
    failures = _messages(status, "failures")
    assert status["success_count"] == 0 and len(failures) == 8
    assert "No TLP marking" in failures[f"indicator--{_uuid(1)}"]
    assert "TLP:RED" in failures[f"indicator--{_uuid(2)}"]
    assert "Pattern not understood" in failures[f"indicator--{_uuid(3)}"]
    assert "not a valid IPv4" in failures[f"indicator--{_uuid(4)}"]
    assert "stricter than the incident" in failures[target]
    assert "malware objects are not accepted" in failures[f"malware--{_uuid(7)}"]
    assert not Indicator.objects.exists() and Incident.objects.count() == 1


def test_victim_data_is_held_in_a_draft_for_its_author(writer, community, bob):
    flagged, clean = f"indicator--{_uuid(1)}", f"indicator--{_uuid(2)}"
    status = _post(
        writer, community,
        indicator_object("[ipv4-addr:value = '10.1.2.3']", id=flagged),
        indicator_object("[domain-name:value = 'evil.example.net']", id=clean),
    )
    assert status["status"] == "pending"
    assert set(_messages(status, "successes")) == {clean}
    held = _messages(status, "pendings")[flagged]
    assert "10.1.2.3" in held and "web" in held
    assert not Indicator.objects.filter(value="10.1.2.3").exists()
    draft = ImportDraft.objects.get(author=bob)
    assert draft.source == "taxii" and draft.community == community
    assert draft.payload["tlp"] == "GREEN" and draft.payload["incident"] is None
    assert draft.payload["indicators"][0]["value"] == "10.1.2.3"
    assert draft.payload["indicators"][0]["stix_id"] == flagged
    assert draft.payload["warnings"]
    assert TaxiiStatus.objects.get(pk=status["id"]).draft == draft
    assert f"/c/fin-isac/imports/{draft.pk}/" in held  # its review page
    # Once the author has dealt with the draft on the web, the write is complete.
    draft.delete()
    assert writer.get(f"{ROOT}status/{status['id']}/").json()["status"] == "complete"


def test_victim_data_for_an_existing_incident_names_it_in_the_draft(writer, community, bob):
    own = incident(bob, "AMBER")
    source = f"indicator--{_uuid(1)}"
    status = _post(
        writer, community,
        indicator_object("[domain-name:value = 'dc01.corp.example.co.jp']", label="GREEN",
                         id=source),
        {"type": "relationship", "id": f"relationship--{_uuid(2)}",
         "relationship_type": "indicates", "source_ref": source,
         "target_ref": f"incident--{own.pk}"},
    )
    assert status["pending_count"] == 2
    draft = ImportDraft.objects.get(author=bob)
    assert draft.payload["incident"] == str(own.pk) and draft.payload["tlp"] == "AMBER"
    assert not own.indicators.exists()


def test_sightings_of_visible_indicators_and_incidents(writer, community, alice, bob):
    shared = incident(alice, "GREEN", indicators=[{"type": "ipv4", "value": "203.0.113.5"}])
    indicator = shared.indicators.get()
    hidden = incident(alice, "RED", users=[])
    base = {"type": "sighting", "spec_version": "2.1", "created": "2024-05-01T00:00:00Z",
            "modified": "2024-05-01T00:00:00Z", "first_seen": "2024-05-02T03:04:05Z",
            "object_marking_refs": [marking_ref("GREEN")]}
    status = _post(
        writer, community,
        {**base, "id": f"sighting--{_uuid(1)}", "sighting_of_ref": f"indicator--{indicator.pk}"},
        {**base, "id": f"sighting--{_uuid(2)}", "sighting_of_ref": f"incident--{shared.pk}"},
        {**base, "id": f"sighting--{_uuid(3)}", "sighting_of_ref": f"incident--{hidden.pk}"},
        {**base, "id": f"sighting--{_uuid(4)}", "sighting_of_ref": f"indicator--{indicator.pk}",
         "object_marking_refs": [marking_ref("AMBER")]},
        {**base, "id": f"sighting--{_uuid(5)}", "sighting_of_ref": f"incident--{shared.pk}",
         "object_marking_refs": []},
    )
    assert set(_messages(status, "successes")) == {f"sighting--{_uuid(1)}",
                                                    f"sighting--{_uuid(2)}"}
    failures = _messages(status, "failures")
    assert "that you can see" in failures[f"sighting--{_uuid(3)}"]
    assert "stricter" in failures[f"sighting--{_uuid(4)}"]
    assert "No TLP marking" in failures[f"sighting--{_uuid(5)}"]
    on_indicator = Sighting.objects.get(indicator=indicator)
    assert on_indicator.organization.slug == "org-b"
    assert on_indicator.seen_at.isoformat().startswith("2024-05-02T03:04:05")
    assert Sighting.objects.filter(incident=shared, indicator__isnull=True).count() == 1
    # Once per organisation: the same sighting again is refused, with the portal's reason.
    again = _post(writer, community, {**base, "id": f"sighting--{_uuid(6)}",
                                      "sighting_of_ref": f"incident--{shared.pk}"})
    assert "already reported" in _messages(again, "failures")[f"sighting--{_uuid(6)}"]



def test_a_held_value_confirmed_on_the_web_completes_the_write(writer, community, bob,
                                                               client_for):
    own = incident(bob, "AMBER")
    source = f"indicator--{_uuid(1)}"
    status = _post(
        writer, community,
        indicator_object("[ipv4-addr:value = '192.168.10.20']", label="AMBER", id=source),
        {"type": "relationship", "id": f"relationship--{_uuid(2)}",
         "relationship_type": "indicates", "source_ref": source,
         "target_ref": f"incident--{own.pk}"},
    )
    draft = ImportDraft.objects.get(author=bob)
    assert client_for(bob).get(f"/c/fin-isac/imports/{draft.pk}/").status_code == 200
    import_draft_add_indicators(draft=draft, actor=bob, indicators=draft.payload["indicators"],
                                confirmed_exposures=["192.168.10.20"])
    assert own.indicators.get().stix_id == source
    assert writer.get(f"{ROOT}status/{status['id']}/").json()["status"] == "complete"

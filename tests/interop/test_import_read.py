"""Reading STIX 2.1 bundles and MISP events into an import draft's payload: labels from the
markings and tags, indicators, techniques, what is not imported, and the refusals."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.interop import imports
from apps.interop.imports import import_draft_create, misp_read, stix_read
from apps.interop.markings import TLP2_IDS
from apps.interop.models import ImportDraft
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db

INCIDENT_ID = "incident--4d1a6c1e-5b0f-4f25-9c57-1f0d1d7c0a11"
INDICATOR_ID = "indicator--8e2e2d2b-17d4-4ef8-9d8b-3c2f2f5d9b01"
TLP1_WHITE = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
TLP1_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"


def stix_bundle(*objects, marking=None):
    refs = {"object_marking_refs": [marking]} if marking else {}
    incident = {"type": "incident", "spec_version": "2.1", "id": INCIDENT_ID,
                "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                "name": "Phishing wave against banks",
                "description": "Spear-phishing mails with a loader.", **refs}
    return {"type": "bundle", "id": "bundle--1f4d5c2a-0b36-4f38-a8ae-5f3d6c1a2b3c",
            "objects": [incident, *objects]}


def indicator(pattern, id=INDICATOR_ID, **extra):
    return {"type": "indicator", "spec_version": "2.1", "id": id, "pattern": pattern,
            "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
            "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
            **extra}


def attack_pattern(external_id, name="Phishing"):
    return {"type": "attack-pattern", "spec_version": "2.1",
            "id": "attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b", "name": name,
            "external_references": [{"source_name": "mitre-attack",
                                     "external_id": external_id}]}


def values(payload):
    return {(row["type"], row["value"]) for row in payload["indicators"]}


# --- STIX: labels ---------------------------------------------------------------------------


@pytest.mark.parametrize("label", list(TLP))
def test_stix_tlp2_marking_gives_the_label(label):
    assert stix_read(stix_bundle(marking=TLP2_IDS[label]))["tlp"] == label.value


def test_stix_tlp1_white_is_read_as_clear():
    assert stix_read(stix_bundle(marking=TLP1_WHITE))["tlp"] == "CLEAR"


def test_stix_without_marking_leaves_the_label_to_the_author():
    payload = stix_read(stix_bundle(indicator("[ipv4-addr:value = '198.51.100.7']")))
    assert payload["tlp"] is None


def test_stix_strictest_marking_of_all_objects_wins():
    """An indicator marked RED inside a GREEN incident makes the draft RED: the label never
    lowers what a part of the file was marked with."""
    red = indicator("[domain-name:value = 'evil.example.com']",
                    object_marking_refs=[TLP1_RED])
    payload = stix_read(stix_bundle(red, marking=TLP2_IDS[TLP.GREEN]))
    assert payload["tlp"] == "RED"


def test_stix_tlp_marking_defined_in_the_bundle_under_its_own_id():
    own = "marking-definition--0b1f7d88-3ab8-4b3c-9e0e-0c7a54e9d3a1"
    definition = {"type": "marking-definition", "id": own, "definition_type": "tlp",
                  "definition": {"tlp": "amber"}}
    assert stix_read(stix_bundle(definition, marking=own))["tlp"] == "AMBER"


# --- STIX: content --------------------------------------------------------------------------


def test_stix_incident_indicators_and_techniques_are_read():
    bundle = stix_bundle(
        indicator("[ipv4-addr:value = '198.51.100.7']", description="C2 server"),
        indicator("[file:hashes.'SHA-256' = "
                  "'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855']",
                  id="indicator--0f3c4a2e-1b7b-4c5e-8a9d-2f1e3d4c5b6a"),
        indicator("[domain-name:value = 'a.example.net' OR url:value = "
                  "'https://a.example.net/x']",
                  id="indicator--2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"),
        attack_pattern("T1566"),
        attack_pattern("T1566.001"),
        marking=TLP2_IDS[TLP.AMBER],
    )
    payload = stix_read(bundle)
    assert payload["title"] == "Phishing wave against banks"
    assert payload["summary"] == "Spear-phishing mails with a loader."
    assert payload["stix_id"] == INCIDENT_ID
    assert payload["tlp"] == "AMBER"
    assert payload["techniques"] == ["T1566", "T1566.001"]
    assert values(payload) == {
        ("ipv4", "198.51.100.7"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("domain", "a.example.net"),
        ("url", "https://a.example.net/x"),
    }
    by_value = {row["value"]: row for row in payload["indicators"]}
    assert by_value["198.51.100.7"]["stix_id"] == INDICATOR_ID
    assert by_value["198.51.100.7"]["note"] == "C2 server"
    # Two values from one pattern: neither takes the id (a re-export would write it twice).
    assert by_value["a.example.net"]["stix_id"] is None
    assert payload["unknown"] == []
    # Exactly the format ImportDraft.payload documents (the TAXII server writes it too).
    assert set(payload) == {"title", "summary", "category", "tlp", "stix_id", "techniques",
                            "indicators", "unknown", "warnings", "incident"}
    assert set(payload["indicators"][0]) == {"type", "value", "first_seen", "last_seen", "note",
                                             "stix_id"}


def test_stix_defanged_values_are_refanged_and_normalised():
    bundle = stix_bundle(
        indicator("[url:value = 'hxxps://evil[.]example[.]com/login']"),
        {"type": "domain-name", "spec_version": "2.1",
         "id": "domain-name--3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9", "value": "BAD[.]Example.ORG"},
    )
    assert values(stix_read(bundle)) == {("url", "https://evil.example.com/login"),
                                         ("domain", "bad.example.org")}


def test_stix_observed_data_and_scos_give_indicators_with_their_times():
    ip = {"type": "ipv4-addr", "spec_version": "2.1",
          "id": "ipv4-addr--6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c", "value": "203.0.113.9"}
    observed = {"type": "observed-data", "spec_version": "2.1",
                "id": "observed-data--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                "first_observed": "2025-02-01T10:00:00Z", "last_observed": "2025-02-02T10:00:00Z",
                "number_observed": 3, "object_refs": [ip["id"]]}
    payload = stix_read(stix_bundle(observed, ip))
    (row,) = payload["indicators"]
    assert (row["type"], row["value"]) == ("ipv4", "203.0.113.9")
    assert row["first_seen"].startswith("2025-02-01T10:00")
    assert row["last_seen"].startswith("2025-02-02T10:00")


def test_stix_unknown_types_are_listed_with_counts_and_odd_patterns_are_named():
    bundle = stix_bundle(
        {"type": "malware", "id": "malware--11111111-2222-4333-8444-555555555555", "name": "x"},
        {"type": "malware", "id": "malware--11111111-2222-4333-8444-666666666666", "name": "y"},
        {"type": "x-acme-widget", "id": "x-acme-widget--11111111-2222-4333-8444-777777777777"},
        indicator("[process:name = 'evil.exe']"),
        indicator("[ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY [ipv4-addr:value = "
                  "'198.51.100.2']", id="indicator--5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"),
        indicator("rule x { condition: true }", pattern_type="yara",
                  id="indicator--7c6b5a4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"),
    )
    payload = stix_read(bundle)
    assert payload["unknown"] == [{"type": "malware", "count": 2},
                                  {"type": "x-acme-widget", "count": 1}]
    assert payload["indicators"] == []
    not_understood = [w for w in payload["warnings"] if "not understood" in w]
    assert len(not_understood) == 3
    assert any("process:name" in w for w in not_understood)


def test_stix_techniques_unknown_to_the_catalogue_are_not_kept():
    payload = stix_read(stix_bundle(attack_pattern("T9999", name="Made up"),
                                    attack_pattern("T1486")))
    assert payload["techniques"] == ["T1486"]
    assert any("T9999" in w for w in payload["warnings"])


def test_stix_without_incident_reads_the_report():
    report = {"type": "report", "id": "report--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
              "name": "Weekly report", "description": "Text", "object_refs": []}
    payload = stix_read({"type": "bundle", "id": "bundle--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e",
                         "objects": [report]})
    assert (payload["title"], payload["summary"], payload["stix_id"]) == (
        "Weekly report", "Text", None)


# --- MISP -----------------------------------------------------------------------------------


def misp_event(tags=("tlp:amber",), attributes=(), objects=(), galaxy=()):
    return {"Event": {
        "info": "Emotet distribution",
        "uuid": "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "Tag": [{"name": name} for name in tags],
        "Attribute": list(attributes),
        "Object": list(objects),
        "Galaxy": list(galaxy),
    }}


def attribute(kind, value, **extra):
    return {"type": kind, "value": value, "category": "Network activity", **extra}


def test_misp_tlp_tags_give_the_label_strictest_first():
    assert misp_read(misp_event(tags=["tlp:white"]))["tlp"] == "CLEAR"
    assert misp_read(misp_event(tags=["tlp:green", "TLP:AMBER+STRICT"]))["tlp"] == \
        "AMBER+STRICT"
    assert misp_read(misp_event(tags=["osint:source-type=\"blog-post\""]))["tlp"] is None
    red_attribute = attribute("domain", "evil.example.com", Tag=[{"name": "tlp:red"}])
    assert misp_read(misp_event(tags=["tlp:green"], attributes=[red_attribute]))["tlp"] == "RED"


def test_misp_attribute_types_are_mapped():
    payload = misp_read(misp_event(attributes=[
        attribute("ip-dst", "198.51.100.7", comment="C2"),
        attribute("ip-src|port", "2001:db8::1|443"),
        attribute("hostname", "Mail.Example.NET"),
        attribute("domain|ip", "c2.example.com|203.0.113.5"),
        attribute("url", "hxxp://evil[.]example[.]com/a"),
        attribute("email-src", "attacker@evil.example.com"),
        attribute("md5", "D41D8CD98F00B204E9800998ECF8427E"),
        attribute("filename|sha1", "invoice.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        attribute("vulnerability", "cve-2021-44228"),
        attribute("text", "some notes"),
        attribute("regkey", "HKLM\\Software\\x"),
        attribute("domain", "deleted.example.com", deleted=True),
    ], objects=[{"name": "file", "Attribute": [
        attribute("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ]}]))
    assert values(payload) == {
        ("ipv4", "198.51.100.7"), ("ipv6", "2001:db8::1"), ("domain", "mail.example.net"),
        ("domain", "c2.example.com"), ("ipv4", "203.0.113.5"),
        ("url", "http://evil.example.com/a"), ("email", "attacker@evil.example.com"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"), ("filename", "invoice.exe"),
        ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"), ("cve", "CVE-2021-44228"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    }
    assert {row["value"]: row["note"] for row in payload["indicators"]}["198.51.100.7"] == "C2"
    assert payload["title"] == "Emotet distribution"
    assert payload["unknown"] == [{"type": "MISP attribute regkey", "count": 1},
                                  {"type": "MISP attribute text", "count": 1}]


def test_misp_galaxy_techniques_from_tags_and_clusters():
    event = misp_event(
        tags=["tlp:green", 'misp-galaxy:mitre-attack-pattern="Phishing - T1566"',
              'misp-galaxy:mitre-attack-pattern="Made up - T9999"'],
        galaxy=[{"type": "mitre-attack-pattern", "GalaxyCluster": [
            {"value": "Data Encrypted for Impact - T1486",
             "tag_name": 'misp-galaxy:mitre-attack-pattern="Data Encrypted for Impact - T1486"',
             "meta": {"external_id": ["T1486"]}}]}],
    )
    payload = misp_read(event)
    assert payload["techniques"] == ["T1566", "T1486"]
    assert any("T9999" in w for w in payload["warnings"])


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "words"), [
    (b"this is not json", "not valid JSON"),
    (b"[1, 2, 3]", "nor a MISP event"),
    (b'{"type": "report"}', "nor a MISP event"),
    ('{"Event": {"info": "フィッシング"}}'.encode("shift_jis"), "not UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text"),
])
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(alice, community, data,
                                                                      words):
    with pytest.raises(ValidationError) as refused:
        import_draft_create(author=alice, community=community, source=None,
                            filename="x.json", data=data)
    assert words in " ".join(refused.value.messages)
    assert ImportDraft.objects.count() == 0


def test_a_file_over_the_limit_is_refused_before_it_is_parsed(alice, community, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 1000)
    data = json.dumps(stix_bundle(indicator("[ipv4-addr:value = '198.51.100.7']",
                                            description="x" * 2000))).encode()
    with pytest.raises(ValidationError) as refused:
        import_draft_create(author=alice, community=community, source=None,
                            filename="big.json", data=data)
    assert refused.value.code == "too_large"
    assert ImportDraft.objects.count() == 0


def test_the_refusal_is_marked_for_translation(alice, community):
    """The message goes through gettext: in Japanese it is not the English source once the
    catalogue has it, and it never fails to render."""
    with translation.override("ja"), pytest.raises(ValidationError) as refused:
        import_draft_create(author=alice, community=community, source=None,
                            filename="x.json", data=b"nope")
    assert refused.value.messages[0]
    from django.utils.translation import gettext

    with translation.override("ja"):
        expected = gettext("The file is not valid JSON: send a STIX 2.1 bundle or a MISP "
                           "event exported as JSON.")
    assert refused.value.messages == [expected]


def test_observers_and_outsiders_may_not_import(olive, outsider, community):
    from django.core.exceptions import PermissionDenied

    for person in (olive, outsider):
        with pytest.raises(PermissionDenied):
            import_draft_create(author=person, community=community, source=None,
                                filename="x.json", data=json.dumps(stix_bundle()))
    assert ImportDraft.objects.count() == 0


def test_the_format_is_told_from_the_content(alice, community):
    stix = import_draft_create(author=alice, community=community, source=None, filename="",
                               data=json.dumps(stix_bundle()))
    misp = import_draft_create(author=alice, community=community, source=None, filename="",
                               data=json.dumps(misp_event()).encode("utf-8"))
    assert (stix.source, misp.source) == ("stix", "misp")
    with pytest.raises(ValidationError):
        import_draft_create(author=alice, community=community, source="misp", filename="",
                            data=json.dumps(stix_bundle()))

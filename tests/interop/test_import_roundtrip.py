"""A bundle exported from one community (`apps.interop.stix`), imported into a second, keeps
its label and its deterministic ids: a consumer of both exports updates, never duplicates."""

import pytest

from apps.incidents.models import Incident
from apps.incidents.services import incident_create
from apps.interop import stix
from apps.interop.imports import import_draft_confirm, import_draft_create
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


def ids_by_type(bundle: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for obj in bundle["objects"]:
        found.setdefault(obj["type"], set()).add(obj["id"])
    return found


@pytest.mark.parametrize("label", [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT])
def test_exported_bundle_imported_elsewhere_keeps_label_and_ids(alice, bob, outsider, community,
                                                                 other_community, label):
    original = incident_create(
        author=alice, community=community, title="Loader via invoice mails",
        summary="Mails carrying a loader.", category="phishing", tlp=label,
        techniques=["T1566.001"],
        indicators=[{"type": "domain", "value": "evil.example.com", "note": "C2"},
                    {"type": "ipv4", "value": "198.51.100.7"},
                    {"type": "sha256", "value": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b9"
                                                "34ca495991b7852b855"},
                    {"type": "cve", "value": "CVE-2021-44228"}],
    )
    exported = stix.bundle(stix.incident_entries(Incident.objects.filter(pk=original.pk), alice))

    draft = import_draft_create(author=outsider, community=other_community, source=None,
                                filename="renkei.json", data=exported)
    payload = draft.payload
    assert payload["tlp"] == label.value
    assert payload["stix_id"] == f"incident--{original.pk}"
    assert payload["techniques"] == ["T1566.001"]
    assert len(payload["indicators"]) == 4

    copy = import_draft_confirm(
        draft=draft, actor=outsider,
        fields={"title": payload["title"], "summary": payload["summary"],
                "category": "phishing"},
        techniques=payload["techniques"], indicators=payload["indicators"],
        audience={"tlp": payload["tlp"]},
    )
    assert copy.community == other_community and copy.pk != original.pk
    assert copy.tlp == label
    assert {(i.type, i.value, i.note) for i in copy.indicators.all()} == {
        (i.type, i.value, i.note) for i in original.indicators.all()}

    again = stix.bundle(stix.incident_entries(Incident.objects.filter(pk=copy.pk), outsider))
    before, after = ids_by_type(exported), ids_by_type(again)
    for kind in ("incident", "indicator", "vulnerability", "attack-pattern",
                 "marking-definition"):
        assert after[kind] == before[kind], kind

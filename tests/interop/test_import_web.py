"""The import pages end to end with the test client: upload, review (the incident form
filled in, the label chosen or to choose, the indicators editable, the unknown types, the
victim-data findings to confirm), share; a draft is its author's alone; TAXII drafts add
indicators to an existing incident; and the API."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.incidents.models import Incident
from apps.incidents.services import incident_create
from apps.interop.markings import TLP2_IDS
from apps.interop.models import ImportDraft
from apps.sharing.selectors import can_view
from apps.sharing.tlp import TLP
from tests.interop.test_import_read import (
    INCIDENT_ID,
    INDICATOR_ID,
    attack_pattern,
    indicator,
    misp_event,
    stix_bundle,
)

pytestmark = pytest.mark.django_db


def upload(client, community, document, name="bundle.json"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(reverse("interop:import", args=[community.slug]),
                       {"file": SimpleUploadedFile(name, data, "application/json")})


def review_url(draft):
    return reverse("interop:import_review", args=[draft.community.slug, draft.pk])


def review_data(draft, rows=None, **overrides):
    """What the review form posts as first shown (with the label read, if any)."""
    payload = draft.payload
    rows = rows if rows is not None else [
        {"type": row["type"], "value": row["value"], "note": row["note"]}
        for row in payload["indicators"]]
    data = {"title": payload["title"], "summary": payload["summary"],
            "category": "phishing", "intent": "unknown", "status": "investigating",
            "techniques": ", ".join(payload["techniques"]),
            "ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": str(len(rows)),
            "ind-MIN_NUM_FORMS": "0", "ind-MAX_NUM_FORMS": "1000"}
    if payload.get("tlp"):
        data["tlp"] = payload["tlp"]
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"ind-{index}-{key}"] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def amber_bundle():
    return stix_bundle(
        indicator("[ipv4-addr:value = '198.51.100.7']", description="C2 server"),
        indicator("[ipv4-addr:value = '10.1.2.3']",
                  id="indicator--0f3c4a2e-1b7b-4c5e-8a9d-2f1e3d4c5b6a"),
        attack_pattern("T1566"),
        {"type": "malware", "id": "malware--11111111-2222-4333-8444-555555555555",
         "name": "Loader"},
        marking=TLP2_IDS[TLP.AMBER],
    )


def test_upload_review_confirm_victim_data_and_share(alice, bob, carol, org_b, org_c, client_for,
                                                     community):
    client = client_for(alice)
    response = upload(client, community, amber_bundle())
    assert response.status_code == 302
    draft = ImportDraft.objects.get()
    assert response["Location"] == review_url(draft)
    assert Incident.objects.count() == 0

    page = client.get(review_url(draft))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Phishing wave against banks"' in html
    assert 'name="tlp" value="AMBER" checked' in html
    assert "<code>malware</code> \u00d7 1" in html
    assert 'value="198.51.100.7"' in html
    # The victim-data finding is shown before the first try, to confirm or redact.
    assert 'name="confirmed" value="10.1.2.3"' in html

    refused = client.post(review_url(draft), review_data(draft))
    assert refused.status_code == 400
    assert 'name="confirmed" value="10.1.2.3"' in refused.content.decode()
    assert Incident.objects.count() == 0

    shared = client.post(review_url(draft), review_data(draft, confirmed="10.1.2.3",
                                                        organizations=[org_b.pk, org_c.pk]))
    assert shared.status_code == 302
    incident = Incident.objects.get()
    assert shared["Location"] == reverse("incidents:detail", args=[community.slug, incident.pk])
    assert incident.tlp == TLP.AMBER
    assert incident.stix_id == INCIDENT_ID
    assert incident.confirmed_exposures == ["10.1.2.3"]
    assert [t.pk for t in incident.techniques.all()] == ["T1566"]
    stix_ids = {i.value: i.stix_id for i in incident.indicators.all()}
    assert stix_ids == {"198.51.100.7": INDICATOR_ID,
                        "10.1.2.3": "indicator--0f3c4a2e-1b7b-4c5e-8a9d-2f1e3d4c5b6a"}
    assert incident.indicators.get(value="198.51.100.7").note == "C2 server"
    draft.refresh_from_db()
    assert draft.incident == incident
    assert can_view(bob, incident) and can_view(carol, incident)
    # Shared: the review page now leads to the incident, and it is no longer listed as open.
    assert client.get(review_url(draft))["Location"].endswith(f"{incident.pk}/")
    import_page = client.get(reverse("interop:import", args=[community.slug]))
    assert review_url(draft) not in import_page.content.decode()


def test_indicators_are_edited_removed_and_added_on_review(alice, client_for, community):
    client = client_for(alice)
    upload(client, community, amber_bundle())
    draft = ImportDraft.objects.get()
    rows = [{"type": "ipv4", "value": "198.51.100.8", "note": "moved"},
            {"type": "ipv4", "value": "10.1.2.3", "note": "", "remove": "on"}]
    response = client.post(review_url(draft),
                           review_data(draft, rows=rows, indicators="evil[.]example[.]org"))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert {(i.type, i.value, i.note, i.stix_id) for i in incident.indicators.all()} == {
        ("ipv4", "198.51.100.8", "moved", INDICATOR_ID),
        ("domain", "evil.example.org", "", ""),
    }


def test_an_invalid_row_is_refused_next_to_it(alice, client_for, community):
    client = client_for(alice)
    upload(client, community, amber_bundle())
    draft = ImportDraft.objects.get()
    rows = [{"type": "ipv4", "value": "not-an-ip", "note": ""}]
    response = client.post(review_url(draft), review_data(draft, rows=rows))
    assert response.status_code == 400
    assert "is not a valid IPv4 address" in response.content.decode()
    assert Incident.objects.count() == 0


def test_no_marking_means_the_author_must_choose_the_label(alice, client_for, community):
    client = client_for(alice)
    upload(client, community, stix_bundle(indicator("[domain-name:value = 'x.example.com']")))
    draft = ImportDraft.objects.get()
    assert draft.payload["tlp"] is None
    html = client.get(review_url(draft)).content.decode()
    assert "carries no TLP label" in html
    assert 'name="tlp" value="AMBER" checked' not in html
    refused = client.post(review_url(draft), review_data(draft))
    assert refused.status_code == 400
    assert Incident.objects.count() == 0
    shared = client.post(review_url(draft), review_data(draft, tlp="GREEN"))
    assert shared.status_code == 302
    assert Incident.objects.get().tlp == TLP.GREEN


def test_misp_event_upload_is_reviewed_like_a_bundle(alice, client_for, community):
    client = client_for(alice)
    event = misp_event(tags=["tlp:green", 'misp-galaxy:mitre-attack-pattern="Phishing - T1566"'],
                       attributes=[{"type": "domain", "value": "evil.example.com"}])
    assert upload(client, community, event, name="event.json").status_code == 302
    draft = ImportDraft.objects.get()
    assert draft.source == "misp"
    response = client.post(review_url(draft), review_data(draft))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.tlp, incident.title) == (TLP.GREEN, "Emotet distribution")
    assert [t.pk for t in incident.techniques.all()] == ["T1566"]


@pytest.mark.parametrize(("data", "words"), [
    (b"not json at all", "not valid JSON"),
    ('{"Event": {"info": "不審"}}'.encode("shift_jis"), "not UTF-8 text"),
    (b'{"objects": []}', "nor a MISP event"),
])
def test_a_bad_upload_is_refused_on_the_page_and_nothing_saved(alice, client_for, community,
                                                               data, words):
    response = upload(client_for(alice), community, data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert ImportDraft.objects.count() == 0


def test_a_draft_is_its_authors_alone(alice, bob, sec, client_for, community):
    upload(client_for(alice), community, amber_bundle())
    draft = ImportDraft.objects.get()
    for person in (bob, sec):
        client = client_for(person)
        assert client.get(review_url(draft)).status_code == 404
        assert client.post(review_url(draft), review_data(draft, confirmed="10.1.2.3")
                           ).status_code == 404
        discard = reverse("interop:import_discard", args=[community.slug, draft.pk])
        assert client.post(discard).status_code == 404
        page = client.get(reverse("interop:import", args=[community.slug]))
        assert str(draft.pk) not in page.content.decode()
    assert Incident.objects.count() == 0
    assert ImportDraft.objects.filter(pk=draft.pk).exists()


def test_the_author_lists_and_discards_drafts(alice, client_for, community):
    client = client_for(alice)
    upload(client, community, amber_bundle())
    draft = ImportDraft.objects.get()
    page = client.get(reverse("interop:import", args=[community.slug]))
    assert review_url(draft) in page.content.decode()
    discard = reverse("interop:import_discard", args=[community.slug, draft.pk])
    assert client.post(discard).status_code == 302
    assert not ImportDraft.objects.exists()


def test_observers_cannot_import(olive, client_for, community):
    client = client_for(olive)
    assert client.get(reverse("interop:import", args=[community.slug])).status_code == 403


def test_incident_list_links_to_the_import_page(alice, client_for, community):
    page = client_for(alice).get(reverse("incidents:list", args=[community.slug]))
    assert reverse("interop:import", args=[community.slug]) in page.content.decode()


def test_taxii_draft_adds_its_indicators_to_the_named_incident(alice, bob, client_for,
                                                               community):
    incident = incident_create(author=alice, community=community, title="C2", category="other",
                               tlp=TLP.GREEN, summary="")
    draft = ImportDraft.objects.create(
        community=community, author=alice, source="taxii",
        payload={"title": "", "summary": "", "category": None, "tlp": "GREEN", "stix_id": None,
                 "techniques": [], "unknown": [], "warnings": [], "incident": str(incident.pk),
                 "indicators": [
                     {"type": "ipv4", "value": "192.168.10.5", "first_seen": None,
                      "last_seen": None, "note": "", "stix_id": INDICATOR_ID},
                     {"type": "domain", "value": "evil.example.com", "first_seen": None,
                      "last_seen": None, "note": "", "stix_id": None}]})
    assert client_for(bob).get(review_url(draft)).status_code == 404
    client = client_for(alice)
    page = client.get(review_url(draft)).content.decode()
    assert 'name="confirmed" value="192.168.10.5"' in page
    data = {key: value for key, value in review_data(draft).items()
            if key.startswith("ind-")}
    refused = client.post(review_url(draft), data)
    assert refused.status_code == 400
    assert incident.indicators.count() == 0
    response = client.post(review_url(draft), {**data, "confirmed": "192.168.10.5"})
    assert response.status_code == 302
    assert {(i.value, i.stix_id) for i in incident.indicators.all()} == {
        ("192.168.10.5", INDICATOR_ID), ("evil.example.com", "")}
    draft.refresh_from_db()
    assert draft.incident == incident


# --- API ------------------------------------------------------------------------------------

API = "/api/v1/imports/"


def test_api_multipart_upload_answers_201_with_the_draft(alice, client_for, community):
    file = SimpleUploadedFile("b.json", json.dumps(amber_bundle()).encode(), "application/json")
    response = client_for(alice).post(API, {"file": file, "community": community.slug})
    assert response.status_code == 201, response.content
    body = response.json()
    draft = ImportDraft.objects.get()
    assert body["id"] == str(draft.pk)
    assert body["review_url"].endswith(review_url(draft))
    assert (body["source"], body["tlp"], body["indicator_count"]) == ("stix", "AMBER", 2)
    assert body["unknown"] == [{"type": "malware", "count": 1}]
    assert body["techniques"] == ["T1566"]


def test_api_json_body_with_community_in_the_query(alice, client_for, community):
    response = client_for(alice).post(f"{API}?community={community.slug}",
                                      json.dumps(misp_event(tags=[])),
                                      content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["tlp"] is None
    assert response.json()["source"] == "misp"


@pytest.mark.parametrize(("body", "words"), [
    (b"{not json", "not valid JSON"),
    (b'{"type": "bundle", "objects": 5}', "not a STIX 2.1 bundle"),
    ('{"Event": {"info": "不審"}}'.encode("shift_jis"), "not UTF-8 text"),
])
def test_api_bad_input_is_400_with_a_clear_message(alice, client_for, community, body, words):
    response = client_for(alice).post(f"{API}?community={community.slug}", body,
                                      content_type="application/json")
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert ImportDraft.objects.count() == 0


def test_api_too_large_is_400(alice, client_for, community, monkeypatch):
    from apps.interop import imports

    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    response = client_for(alice).post(f"{API}?community={community.slug}",
                                      json.dumps(amber_bundle()),
                                      content_type="application/json")
    assert response.status_code == 400
    assert "larger than" in response.json()["detail"]


def test_api_refuses_a_community_the_caller_is_not_in(outsider, client_for, community):
    response = client_for(outsider).post(f"{API}?community={community.slug}",
                                         json.dumps(amber_bundle()),
                                         content_type="application/json")
    assert response.status_code == 400
    assert "community" in response.json()
    assert ImportDraft.objects.count() == 0


def test_api_needs_sign_in(client, community):
    response = client.post(f"{API}?community={community.slug}", json.dumps(amber_bundle()),
                           content_type="application/json")
    assert response.status_code in (401, 403)
    assert ImportDraft.objects.count() == 0

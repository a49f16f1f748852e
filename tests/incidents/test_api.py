"""/api/v1/incidents, indicators, sightings, feedback: what a caller may see, and no more."""

import json

import pytest

from apps.incidents.models import FeedbackAction
from apps.incidents.services import feedback_add, sighting_add

pytestmark = pytest.mark.django_db

SLUGS = {"alice": "org-a", "bob": "org-b", "carol": "org-c"}


def get(client, url, **params):
    response = client.get(url, params)
    return response.status_code, (response.json() if response.content else None)


def post(client, url, data):
    response = client.post(url, json.dumps(data), content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def amber_a_b(incident_for, cast, alice, org_b):
    return incident_for(alice, "AMBER", organizations=[org_b], techniques=["T1566.001"],
                        indicators=[{"type": "ipv4", "value": "185.220.101.4"}])


@pytest.fixture
def anonymous_green(incident_for, cast, carol):
    return incident_for(carol, "GREEN", anonymous=True, title="匿名の報告",
                        indicators=[{"type": "domain", "value": "update-check.xyz"}])


ENDPOINTS = ["incidents", "indicators", "sightings", "feedback"]


@pytest.fixture
def world(amber_a_b, bob):
    sighting_add(user=bob, incident=amber_a_b)
    feedback_add(user=bob, incident=amber_a_b, action=FeedbackAction.HUNTED)
    return amber_a_b


def _ids(body):
    return {row["id"] for row in body["results"]}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_organisations_amber_item_is_absent_from_list_and_404_in_detail(
    world, endpoint, carol, bob, client_for
):
    url = f"/api/v1/{endpoint}/"
    status, visible = get(client_for(bob), url)
    assert status == 200 and visible["count"] == 1
    row_id = visible["results"][0]["id"]
    status, hidden = get(client_for(carol), url)
    assert status == 200 and row_id not in _ids(hidden)
    assert get(client_for(carol), f"{url}{row_id}/")[0] == 404
    assert get(client_for(bob), f"{url}{row_id}/")[0] == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_outsider_suspended_and_signed_out_get_nothing(world, endpoint, outsider, sam,
                                                       client_for, client):
    for caller in (client_for(outsider), client_for(sam)):
        status, body = get(caller, f"/api/v1/{endpoint}/")
        assert status == 200 and body["count"] == 0
    # TLP:CLEAR is for anyone: incidents and indicators are readable signed out (CLEAR only,
    # and there is none here); sightings and feedback need a signed-in caller.
    if endpoint in ("incidents", "indicators"):
        status, body = get(client, f"/api/v1/{endpoint}/")
        assert status == 200 and body["count"] == 0
    else:
        assert client.get(f"/api/v1/{endpoint}/").status_code in (401, 403)


def test_anonymous_source_is_hidden_in_every_api_field(anonymous_green, alice, bob, sec,
                                                       carol, client_for):
    for user in (alice, bob):
        status, body = get(client_for(user), f"/api/v1/incidents/{anonymous_green.pk}/")
        assert status == 200
        assert body["source"] == "via the secretariat"
        assert body["source_organization"] is None
        assert body["recipient_organizations"] is None and body["recipient_users"] is None
        text = json.dumps(body, ensure_ascii=False)
        assert "org-c" not in text and "Gamma" not in text and "ガンマ" not in text
        assert "carol" not in text
        listed = get(client_for(user), "/api/v1/incidents/")[1]
        assert "org-c" not in json.dumps(listed) and "carol" not in json.dumps(listed)
        looked_up = get(client_for(user), "/api/v1/indicators/lookup/",
                        value="update-check[.]xyz")[1]
        assert looked_up["count"] == 1 and "org-c" not in json.dumps(looked_up)
    for user in (sec, carol):  # the hub and the author are told
        body = get(client_for(user), f"/api/v1/incidents/{anonymous_green.pk}/")[1]
        assert body["source_organization"] == "org-c"


def test_incident_answer_carries_techniques_with_names_and_counts(world, bob, client_for):
    body = get(client_for(bob), f"/api/v1/incidents/{world.pk}/")[1]
    assert body["techniques"] == [{"id": "T1566.001", "name": "Spearphishing Attachment"}]
    assert (body["indicator_count"], body["sighting_count"], body["feedback_count"]) == (1, 1, 1)
    assert body["tlp_label"] == "TLP:AMBER"
    assert body["recipient_organizations"] == ["org-a", "org-b"]


def test_filters_narrow_but_never_widen(world, incident_for, bob, carol, client_for):
    incident_for(carol, "GREEN", sectors=["ict"], techniques=["T1486"], category="ddos")
    caller = client_for(bob)
    assert get(caller, "/api/v1/incidents/", technique="T1566")[1]["count"] == 1
    assert get(caller, "/api/v1/incidents/", sector="ict")[1]["count"] == 1
    assert get(caller, "/api/v1/incidents/", category="ddos")[1]["count"] == 1
    assert get(caller, "/api/v1/incidents/", tlp="AMBER")[1]["count"] == 1
    assert get(caller, "/api/v1/incidents/", community="ict-isac")[1]["count"] == 0
    assert get(client_for(carol), "/api/v1/incidents/", tlp="AMBER")[1]["count"] == 0
    assert get(caller, "/api/v1/indicators/", value="185.220.101[.]4")[1]["count"] == 1


def test_create_through_the_service_with_recipients_and_exposure_check(cast, techniques, bob,
                                                                      carol, client_for):
    data = {
        "community": "fin-isac", "title": "ランサムウェア感染", "category": "ransomware",
        "summary": "感染端末 PC-1234 から C2 へ通信", "tlp": "AMBER",
        "exclude_organizations": ["org-c"], "sectors": ["finance"],
        "techniques": ["T1486"], "attack_stage": "impact",
        "indicators": [{"type": "url", "value": "hxxp://evil[.]example/x"}],
    }
    status, body = post(client_for(bob), "/api/v1/incidents/", data)
    assert status == 400 and "PC-1234" in body["exposures"][0]
    status, body = post(client_for(bob), "/api/v1/incidents/",
                        {**data, "confirmed_exposures": ["PC-1234"]})
    assert status == 201, body
    assert body["recipient_organizations"] == ["org-a", "org-b"]
    assert get(client_for(carol), f"/api/v1/incidents/{body['id']}/")[0] == 404
    indicators = get(client_for(bob), "/api/v1/indicators/", incident=body["id"])[1]
    assert [row["value"] for row in indicators["results"]] == ["http://evil.example/x"]


def test_red_recipients_are_chosen_by_email_and_wrong_choices_are_400(cast, techniques, alice,
                                                                      client_for):
    base = {"community": "fin-isac", "title": "t", "category": "other"}
    status, body = post(client_for(alice), "/api/v1/incidents/",
                        {**base, "tlp": "RED", "users": ["bob@beta.example.jp"]})
    assert status == 201 and body["recipient_users"] == ["bob@beta.example.jp"]
    assert post(client_for(alice), "/api/v1/incidents/",
                {**base, "tlp": "RED", "organizations": ["org-b"]})[0] == 400
    assert post(client_for(alice), "/api/v1/incidents/",
                {**base, "tlp": "GREEN", "community": "ict-isac"})[0] == 400


def test_only_author_or_secretariat_may_patch(world, bob, sec, client_for):
    url = f"/api/v1/incidents/{world.pk}/"
    patch = {"status": "resolved"}
    assert client_for(bob).patch(url, patch, content_type="application/json").status_code == 403
    response = client_for(sec).patch(url, patch, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "resolved"


def test_invisible_incident_cannot_be_sighted_or_fed_back(world, carol, bob, client_for):
    for endpoint, data in [("sightings", {"incident": str(world.pk)}),
                           ("feedback", {"incident": str(world.pk), "action": "blocked"}),
                           ("indicators", {"incident": str(world.pk), "type": "md5",
                                           "value": "d41d8cd98f00b204e9800998ecf8427e"})]:
        status, body = post(client_for(carol), f"/api/v1/{endpoint}/", data)
        assert status == 400 and "incident" in body
    status, body = post(client_for(bob), "/api/v1/sightings/",
                        {"indicator": str(world.indicators.get().pk), "show_organization": True})
    assert status == 201 and body["organization"] == "org-b"


def test_sighting_names_only_where_allowed(world, alice, client_for):
    row = get(client_for(alice), "/api/v1/sightings/")[1]["results"][0]
    assert row["organization"] is None and row["is_ours"] is False
    feedback = get(client_for(alice), "/api/v1/feedback/")[1]["results"][0]
    assert feedback["organization"] is None and feedback["action"] == "hunted"


def test_passed_to_clients_is_refused_for_red_through_the_api(incident_for, cast, alice, bob,
                                                              client_for):
    red = incident_for(alice, "RED", users=[bob])
    status, body = post(client_for(bob), "/api/v1/feedback/",
                        {"incident": str(red.pk), "action": "passed_to_clients"})
    assert status == 400 and "action" in body


def test_addressed_to_me_and_achievements(world, incident_for, alice, bob, client_for):
    incident_for(alice, "RED", users=[bob])
    body = get(client_for(bob), "/api/v1/incidents/addressed-to-me/")[1]
    assert body["count"] == 2
    rows = get(client_for(alice), "/api/v1/incidents/achievements/")[1]["results"]
    mine = {row["id"]: row for row in rows}[str(world.pk)]
    assert mine["sighting_count"] == 1 and mine["feedback"]["hunted"] == 1


def test_attack_technique_picker(techniques, alice, client_for):
    body = get(client_for(alice), "/api/v1/attack-techniques/", search="phish")[1]
    assert {row["id"] for row in body["results"]} == {"T1566", "T1566.001"}
    assert get(client_for(alice), "/api/v1/attack-techniques/T1486/")[0] == 200


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "incidents/addressed-to-me",
                                      "incidents/achievements"])
def test_every_list_costs_the_same_queries_for_3_or_30_items(
    incident_for, cast, alice, bob, carol, org_b, endpoint, client_for,
    django_assert_max_num_queries,
):
    caller = client_for(alice if endpoint.endswith("achievements") else bob)
    get(caller, "/api/v1/incidents/")  # warm the session and content types

    def fill(count):
        for i in range(count):
            choice = [{"tlp": "AMBER", "organizations": [org_b]}, {"tlp": "RED", "users": [bob]},
                      {"tlp": "GREEN", "anonymous": True}][i % 3]
            author = alice if i % 2 else carol
            item = incident_for(author, title=f"item {i}", techniques=["T1486", "T1566"],
                                indicators=[{"type": "ipv4", "value": f"45.77.{i}.9"}],
                                **choice)
            sighting_add(user=bob, incident=item)
            feedback_add(user=bob, incident=item, action="hunted")

    fill(3)
    # 14: the incidents' threat actors and campaigns are prefetched too (one query each).
    with django_assert_max_num_queries(14) as small:
        get(caller, f"/api/v1/{endpoint}/")
    fill(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        status, body = get(caller, f"/api/v1/{endpoint}/")
    assert status == 200 and body["count"] >= 10

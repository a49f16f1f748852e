"""Audience changes (de-anonymisation among them) and every time the secretariat is shown
the source of someone else's anonymous item are recorded."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from apps.audit.models import ANONYMOUS_AUTHOR, Action
from apps.incidents.models import Incident
from apps.incidents.services import incident_update
from apps.sharing.auditing import audience_changed
from apps.sharing.models import AudienceChange
from apps.sharing.selectors import source_organizations

pytestmark = pytest.mark.django_db


# --- audience changes ------------------------------------------------------------------

def test_sharing_an_item_records_its_first_audience(share_incident, alice, community, trail):
    incident = share_incident(alice, "AMBER")
    [event] = trail(action=Action.AUDIENCE_CHANGE)
    assert event.actor == alice and event.community == community
    assert event.target_id == str(incident.pk)
    assert event.detail["tlp"] == ["", "TLP:AMBER"]
    assert "Secret" not in json.dumps(event.detail) + event.target_label


def test_a_service_change_of_audience_is_recorded_with_counts_not_names(
        share_incident, alice, bob, carol, trail):
    incident = share_incident(alice, "AMBER")
    incident_update(incident=incident, actor=alice, tlp="RED", users=[bob, carol])
    event = trail(action=Action.AUDIENCE_CHANGE)[-1]
    assert event.detail == {"tlp": ["TLP:AMBER", "TLP:RED"], "organizations": 0,
                            "users": 2, "federated": False}  # bob and carol
    assert bob.email not in json.dumps(event.detail)


def test_an_api_change_of_audience_is_recorded_with_where_from(
        share_incident, alice, client_for, trail):
    incident = share_incident(alice, "AMBER")
    response = client_for(alice).patch(
        f"/api/v1/incidents/{incident.pk}/", json.dumps({"tlp": "GREEN"}),
        content_type="application/json", REMOTE_ADDR="192.0.2.33")
    assert response.status_code == 200, response.content
    event = trail(action=Action.AUDIENCE_CHANGE)[-1]
    assert event.detail["tlp"] == ["TLP:AMBER", "TLP:GREEN"]
    assert event.actor == alice and event.ip_address == "192.0.2.33"


def test_the_secretariat_changing_a_thread_audience_is_recorded(
        share_thread, alice, sec, client_for, trail):
    thread = share_thread(alice, "AMBER")
    response = client_for(sec).post(
        f"/api/v1/threads/{thread.pk}/audience/",
        json.dumps({"tlp": "GREEN", "organizations": None, "users": [], "federated": False}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    event = trail(action=Action.AUDIENCE_CHANGE)[-1]
    assert event.actor == sec and event.target_type.model == "thread"
    assert event.detail["tlp"] == ["TLP:AMBER", "TLP:GREEN"]


def test_an_unchanged_audience_records_nothing(share_incident, alice, trail):
    incident = share_incident(alice, "GREEN")
    before = len(trail())
    incident_update(incident=incident, actor=alice, tlp="GREEN")
    assert len(trail()) == before


def _change(item, actor, before: dict, after: dict) -> AudienceChange:
    return AudienceChange.objects.create(
        community_id=item.community_id, content_type=ContentType.objects.get_for_model(Incident),
        object_id=item.pk, actor=actor, from_tlp=before["tlp"], to_tlp=after["tlp"],
        from_audience=before, to_audience=after)


def test_an_audience_change_that_lifts_anonymity_is_recorded_as_deanonymisation(
        share_incident, bob, trail):
    """The anonymity part of issue 7 writes the lift as an audience change whose recorded
    audience goes from anonymous to named; the trail calls it a de-anonymisation."""
    incident = share_incident(bob, "GREEN", anonymous=True)
    Incident.objects.filter(pk=incident.pk).update(anonymous=False)
    incident.refresh_from_db()
    base = {"tlp": "GREEN", "organizations": [], "users": [], "federated": False}
    change = _change(incident, bob, {**base, "anonymous": True}, {**base, "anonymous": False})
    audience_changed(item=incident, change=change)
    [event] = trail(action=Action.DEANONYMISE)
    assert event.actor == bob and event.target_id == str(incident.pk)
    assert event.detail["anonymous"] == [True, False]
    # Once named, the author's acts no longer betray a hidden source.
    assert ANONYMOUS_AUTHOR not in event.detail


def test_an_anonymous_item_keeps_anonymous_when_its_label_changes(share_incident, bob, trail):
    incident = share_incident(bob, "GREEN", anonymous=True)
    base = {"organizations": [], "users": [], "federated": False, "anonymous": True}
    change = _change(incident, bob, {**base, "tlp": "GREEN"}, {**base, "tlp": "CLEAR"})
    audience_changed(item=incident, change=change)
    assert trail(action=Action.DEANONYMISE) == []
    event = trail(action=Action.AUDIENCE_CHANGE)[-1]
    assert event.detail[ANONYMOUS_AUTHOR] is True  # bob is its author: the row names the source


# --- the anonymous source shown to the secretariat -------------------------------------

def test_the_secretariat_seeing_an_anonymous_source_writes_a_record(
        share_incident, bob, sec, community, client_for, trail):
    incident = share_incident(bob, "AMBER", anonymous=True)
    response = client_for(sec).get(f"/c/{community.slug}/incidents/{incident.pk}/",
                                   REMOTE_ADDR="192.0.2.77")
    assert response.status_code == 200
    assert "Beta Securities" in response.content.decode()
    [event] = trail(action=Action.SOURCE_REVEALED)
    assert event.actor == sec and event.community == community
    assert event.target_id == str(incident.pk) and event.ip_address == "192.0.2.77"


def test_the_author_seeing_their_own_anonymous_source_writes_no_record(
        share_incident, bob, sec, community, client_for, trail):
    incident = share_incident(bob, "AMBER", anonymous=True)
    for url in (f"/c/{community.slug}/incidents/{incident.pk}/",
                f"/api/v1/incidents/{incident.pk}/",
                f"/c/{community.slug}/incidents/", "/api/v1/incidents/"):
        assert client_for(bob).get(url).status_code == 200
    assert trail(action=Action.SOURCE_REVEALED) == []


def test_a_member_told_nothing_writes_no_record(share_incident, bob, alice, client_for,
                                                community, trail):
    incident = share_incident(bob, "AMBER", anonymous=True)
    response = client_for(alice).get(f"/c/{community.slug}/incidents/{incident.pk}/")
    assert "Beta Securities" not in response.content.decode()
    assert trail(action=Action.SOURCE_REVEALED) == []


def test_a_named_item_is_no_revelation(share_incident, bob, sec, client_for, community, trail):
    incident = share_incident(bob, "AMBER")
    client_for(sec).get(f"/c/{community.slug}/incidents/{incident.pk}/")
    assert trail(action=Action.SOURCE_REVEALED) == []


@pytest.mark.parametrize("url", ["/c/fin-isac/incidents/", "/api/v1/incidents/"])
def test_a_list_shown_to_the_secretariat_records_each_anonymous_source_once(
        share_incident, bob, carol, sec, url, client_for, trail):
    anonymous = {share_incident(bob, "GREEN", anonymous=True).pk,
                 share_incident(carol, "AMBER", anonymous=True).pk}
    share_incident(carol, "GREEN")  # named: nothing to reveal
    assert client_for(sec).get(url).status_code == 200
    events = trail(action=Action.SOURCE_REVEALED)
    assert {e.target_id for e in events} == {str(pk) for pk in anonymous}
    assert len(events) == 2 and {e.actor for e in events} == {sec}


def test_a_list_of_revelations_is_one_insert(share_incident, bob, carol, sec,
                                             django_assert_num_queries, trail):
    items = [share_incident(bob, "GREEN", anonymous=True),
             share_incident(carol, "GREEN", anonymous=True)]
    source_organizations(items, sec)  # warm the content-type cache
    with django_assert_num_queries(2):  # the secretariat check, then one INSERT
        source_organizations(items, sec)
    assert len(trail(action=Action.SOURCE_REVEALED)) == 4


@pytest.mark.parametrize("kind", ["web", "api"])
def test_a_thread_page_records_its_revealed_source_once(share_thread, bob, sec, community,
                                                        kind, client_for, trail):
    thread = share_thread(bob, "GREEN", anonymous=True)
    url = (f"/c/{community.slug}/discussions/{thread.pk}/" if kind == "web"
           else f"/api/v1/threads/{thread.pk}/")
    assert client_for(sec).get(url).status_code == 200
    [event] = trail(action=Action.SOURCE_REVEALED)
    assert event.target_type.model == "thread" and event.target_id == str(thread.pk)


def test_each_time_it_is_shown_is_recorded(share_incident, bob, sec, community, client_for,
                                           trail):
    incident = share_incident(bob, "GREEN", anonymous=True)
    client = client_for(sec)
    for _ in range(2):
        client.get(f"/c/{community.slug}/incidents/{incident.pk}/")
    assert len(trail(action=Action.SOURCE_REVEALED)) == 2


def test_the_secretariat_editing_an_anonymous_incident_is_shown_its_source_and_it_is_recorded(
        share_incident, bob, sec, community, client_for, trail):
    incident = share_incident(bob, "AMBER", anonymous=True)
    response = client_for(sec).get(f"/c/{community.slug}/incidents/{incident.pk}/edit/")
    assert response.status_code == 200
    assert response.context["fixed_organization"].slug == "org-b"
    [event] = trail(action=Action.SOURCE_REVEALED)
    assert event.actor == sec and event.target_id == str(incident.pk)


def test_the_secretariat_on_an_anonymous_threads_audience_page_is_recorded(
        share_thread, bob, sec, community, client_for, trail):
    thread = share_thread(bob, "AMBER", anonymous=True)
    response = client_for(sec).get(f"/c/{community.slug}/discussions/{thread.pk}/audience/")
    assert response.status_code == 200
    assert response.context["fixed_organization"].slug == "org-b"
    assert [e.target_id for e in trail(action=Action.SOURCE_REVEALED)] == [str(thread.pk)]


def test_the_author_editing_their_anonymous_item_records_nothing(share_incident, bob,
                                                                 community, client_for, trail):
    incident = share_incident(bob, "AMBER", anonymous=True)
    response = client_for(bob).get(f"/c/{community.slug}/incidents/{incident.pk}/edit/")
    assert response.context["fixed_organization"].slug == "org-b"
    assert trail(action=Action.SOURCE_REVEALED) == []

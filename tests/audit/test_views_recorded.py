"""Every view of a TLP:AMBER, TLP:AMBER+STRICT or TLP:RED item is recorded, on the web and
through the API; lists are not "a view of an item"; CLEAR and GREEN views are not recorded."""

import pytest

from apps.audit.models import Action

pytestmark = pytest.mark.django_db


def _incident_web(community, item):
    return f"/c/{community.slug}/incidents/{item.pk}/"


def _incident_api(community, item):
    return f"/api/v1/incidents/{item.pk}/"


def _thread_web(community, item):
    return f"/c/{community.slug}/discussions/{item.pk}/"


def _thread_api(community, item):
    return f"/api/v1/threads/{item.pk}/"


INCIDENT_PATHS = [_incident_web, _incident_api]
THREAD_PATHS = [_thread_web, _thread_api]


@pytest.fixture
def item_of(share_incident, share_thread):
    def make(kind, author, tlp, **choice):
        return (share_incident if kind == "incident" else share_thread)(author, tlp, **choice)

    return make


@pytest.mark.parametrize(("kind", "url"), [("incident", u) for u in INCIDENT_PATHS]
                         + [("thread", u) for u in THREAD_PATHS])
@pytest.mark.parametrize("tlp", ["AMBER", "AMBER+STRICT"])
def test_a_view_of_an_amber_item_is_recorded_with_who_and_where(
        item_of, kind, url, tlp, alice, bob, community, client_for, trail):
    item = item_of(kind, alice, tlp)
    response = client_for(bob).get(url(community, item), REMOTE_ADDR="192.0.2.10",
                                   HTTP_USER_AGENT="Firefox")
    assert response.status_code == 200
    [event] = trail(action=Action.VIEW)
    assert event.actor == bob and event.actor_email == bob.email
    assert event.community == community
    assert event.target_id == str(item.pk) and event.target_type.model == kind
    assert event.target_label == f"{kind} {item.pk}"
    assert event.ip_address == "192.0.2.10" and event.user_agent == "Firefox"
    assert event.detail == {"tlp": f"TLP:{tlp}"}


@pytest.mark.parametrize(("kind", "url"), [("incident", u) for u in INCIDENT_PATHS]
                         + [("thread", u) for u in THREAD_PATHS])
def test_a_view_of_a_red_item_is_recorded_for_each_reader_each_time(
        item_of, kind, url, alice, bob, community, client_for, trail):
    item = item_of(kind, alice, "RED", users=[bob])
    for reader in (bob, alice, bob):
        assert client_for(reader).get(url(community, item)).status_code == 200
    assert [e.actor for e in trail(action=Action.VIEW)] == [bob, alice, bob]


@pytest.mark.parametrize(("kind", "url"), [("incident", u) for u in INCIDENT_PATHS]
                         + [("thread", u) for u in THREAD_PATHS])
@pytest.mark.parametrize("tlp", ["CLEAR", "GREEN"])
def test_views_of_clear_and_green_items_are_not_recorded(
        item_of, kind, url, tlp, alice, bob, community, client_for, trail):
    item = item_of(kind, alice, tlp)
    assert client_for(bob).get(url(community, item)).status_code == 200
    assert trail(action=Action.VIEW) == []


@pytest.mark.parametrize(("kind", "url"), [("incident", u) for u in INCIDENT_PATHS]
                         + [("thread", u) for u in THREAD_PATHS])
def test_a_refused_view_records_nothing(item_of, kind, url, alice, bob, carol, org_b, community,
                                        client_for, trail):
    item = item_of(kind, alice, "AMBER", organizations=[org_b])
    assert client_for(carol).get(url(community, item)).status_code == 404
    assert trail(action=Action.VIEW) == []


@pytest.mark.parametrize("url", ["/c/fin-isac/incidents/", "/api/v1/incidents/",
                                 "/c/fin-isac/discussions/", "/api/v1/threads/"])
def test_lists_are_not_views_of_an_item(share_incident, share_thread, alice, bob, url,
                                        client_for, trail):
    share_incident(alice, "RED", users=[bob])
    share_thread(alice, "AMBER")
    assert client_for(bob).get(url).status_code == 200
    assert trail(action=Action.VIEW) == []


def test_an_api_token_read_is_recorded_with_the_tokens_user(share_incident, alice, bob,
                                                             client, trail):
    """The actor comes from DRF's authentication, not from a session."""
    from apps.accounts.services import token_issue

    incident = share_incident(alice, "RED", users=[bob])
    _token, key = token_issue(user=bob, name="script")
    response = client.get(f"/api/v1/incidents/{incident.pk}/",
                          HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="192.0.2.200")
    assert response.status_code == 200
    [event] = trail(action=Action.VIEW)
    assert event.actor == bob and event.ip_address == "192.0.2.200"

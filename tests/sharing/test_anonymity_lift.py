"""Finding 4 of issue 7: the anonymity of an item is the author's alone to lift.

The secretariat is told the source of an anonymous item, but may not name it on the author's
behalf — neither through the API (``PATCH … {"anonymous": false}``) nor the edit form, for
incidents and threads alike. When the author lifts it, the audience history records it
(``"anonymous": true → false``) through `apps.sharing.services.anonymity_set`. Hiding the
source of a named item is harmless and open to the author and the secretariat (recorded too).
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from apps.discussions.models import Thread
from apps.discussions.services import thread_create
from apps.incidents.models import Incident
from apps.incidents.services import incident_create, incident_update
from apps.sharing.models import AudienceChange
from apps.sharing.services import anonymity_set, audience_set
from apps.sharing.tlp import TLP

REFUSAL = "Only the author can name the organisation behind an anonymous item."


@pytest.fixture
def anonymous_incident(community, alice):
    return incident_create(
        author=alice,
        community=community,
        title="匿名の報告",
        category="ransomware",
        tlp=TLP.GREEN,
        anonymous=True,
    )


@pytest.fixture
def anonymous_thread(community, alice):
    return thread_create(
        author=alice,
        community=community,
        title="匿名スレッド",
        body="本文",
        tlp=TLP.GREEN,
        anonymous=True,
    )


def history(item) -> list[AudienceChange]:
    content_type = ContentType.objects.get_for_model(type(item))
    return list(
        AudienceChange.objects.filter(content_type=content_type, object_id=item.pk).order_by("pk")
    )


def lifts(item) -> list[AudienceChange]:
    return [
        change
        for change in history(item)
        if (change.from_audience or {}).get("anonymous") is True
        and change.to_audience.get("anonymous") is False
    ]


def source_for(client, item) -> str:
    kind = "incidents" if isinstance(item, Incident) else "threads"
    url = f"/api/v1/{kind}/{item.pk}/"
    return client.get(url).json()["source"]


# --- the secretariat cannot ------------------------------------------------------------------


def test_secretariat_cannot_name_the_source_of_an_incident_through_the_api(
    anonymous_incident, sec, bob, client_for
):
    response = client_for(sec).patch(
        f"/api/v1/incidents/{anonymous_incident.pk}/",
        {"anonymous": False, "title": "renamed"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == REFUSAL
    anonymous_incident.refresh_from_db()
    assert anonymous_incident.anonymous and anonymous_incident.title == "匿名の報告"
    assert not lifts(anonymous_incident)
    assert source_for(client_for(bob), anonymous_incident) == "via the secretariat"


def test_secretariat_cannot_name_the_source_through_the_edit_form(
    anonymous_incident, sec, bob, client_for
):
    """The box is shown disabled with the reason, and a forged POST without it changes
    nothing about the source (the rest of the edit is saved)."""
    client = client_for(sec)
    url = f"/c/fin-isac/incidents/{anonymous_incident.pk}/edit/"
    page = client.get(url).content.decode()
    assert "Only the author can name the organisation that shared it." in page
    assert 'name="anonymous"' in page and "disabled" in page.split('name="anonymous"')[1][:80]
    response = client.post(
        url,
        {"title": "Edited by the hub", "category": "ransomware", "intent": "unknown",
         "status": "investigating", "tlp": "GREEN"},
    )
    assert response.status_code == 302
    anonymous_incident.refresh_from_db()
    assert anonymous_incident.title == "Edited by the hub"
    assert anonymous_incident.anonymous
    assert not lifts(anonymous_incident)
    page = client_for(bob).get(f"/c/fin-isac/incidents/{anonymous_incident.pk}/").content
    assert "via the secretariat" in page.decode()


def test_secretariat_cannot_name_the_source_of_a_thread(anonymous_thread, sec, client_for):
    client = client_for(sec)
    response = client.patch(
        f"/api/v1/threads/{anonymous_thread.pk}/", {"anonymous": False},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["detail"] == REFUSAL
    url = f"/c/fin-isac/discussions/{anonymous_thread.pk}/anonymity/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"anonymous": "0"}).status_code == 403
    page = client.get(f"/c/fin-isac/discussions/{anonymous_thread.pk}/").content.decode()
    assert "Name your organisation as the source" not in page
    anonymous_thread.refresh_from_db()
    assert anonymous_thread.anonymous and not lifts(anonymous_thread)


@pytest.mark.parametrize("kind", ["incident", "thread"])
def test_the_service_refuses_everyone_but_the_author(
    kind, anonymous_incident, anonymous_thread, sec, bob
):
    item = anonymous_incident if kind == "incident" else anonymous_thread
    for actor in (sec, bob):
        with pytest.raises(PermissionDenied):
            anonymity_set(item=item, actor=actor, anonymous=False)
    with pytest.raises(PermissionDenied):
        incident_update(incident=anonymous_incident, actor=sec, anonymous=False)
    item.refresh_from_db()
    assert item.anonymous and not lifts(item)


def test_a_reader_who_may_not_edit_gets_403_whatever_they_send(
    anonymous_incident, anonymous_thread, bob, client_for
):
    client = client_for(bob)
    for url in (f"/api/v1/incidents/{anonymous_incident.pk}/",
                f"/api/v1/threads/{anonymous_thread.pk}/"):
        for body in ({"anonymous": False}, {"anonymous": "nonsense"}, {}):
            assert client.patch(url, body, content_type="application/json").status_code == 403


# --- the author can, and it is recorded -------------------------------------------------------


def test_author_names_the_source_of_an_incident_through_the_api_and_it_is_recorded(
    anonymous_incident, alice, bob, org_a, client_for
):
    before = len(history(anonymous_incident))
    response = client_for(alice).patch(
        f"/api/v1/incidents/{anonymous_incident.pk}/", {"anonymous": False},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["anonymous"] is False
    assert source_for(client_for(bob), anonymous_incident) == org_a.display_name
    changes = history(anonymous_incident)
    assert len(changes) == before + 1
    lift = changes[-1]
    assert lift.actor == alice
    assert lift.from_audience["anonymous"] is True and lift.to_audience["anonymous"] is False
    assert lift.from_tlp == lift.to_tlp == TLP.GREEN
    assert lifts(anonymous_incident) == [lift]


def test_author_names_the_source_through_the_edit_form(anonymous_incident, alice, client_for):
    client = client_for(alice)
    url = f"/c/fin-isac/incidents/{anonymous_incident.pk}/edit/"
    assert "Untick to name your organisation" in client.get(url).content.decode()
    response = client.post(
        url,
        {"title": "匿名の報告", "category": "ransomware", "intent": "unknown",
         "status": "investigating", "tlp": "GREEN"},
    )
    assert response.status_code == 302
    anonymous_incident.refresh_from_db()
    assert not anonymous_incident.anonymous
    assert [change.actor for change in lifts(anonymous_incident)] == [alice]


def test_author_names_the_source_of_a_thread_on_its_page_and_it_is_recorded(
    anonymous_thread, alice, bob, org_a, client_for
):
    client = client_for(alice)
    page = client.get(f"/c/fin-isac/discussions/{anonymous_thread.pk}/").content.decode()
    assert "Name your organisation as the source" in page
    url = f"/c/fin-isac/discussions/{anonymous_thread.pk}/anonymity/"
    confirmation = client.get(url).content.decode()
    assert org_a.display_name in confirmation and "Name the source" in confirmation
    assert client.post(url, {"anonymous": "0"}).status_code == 302
    assert source_for(client_for(bob), anonymous_thread) == org_a.display_name
    assert [change.actor for change in lifts(anonymous_thread)] == [alice]


def test_author_names_the_source_of_a_thread_through_the_api(
    anonymous_thread, alice, client_for
):
    response = client_for(alice).patch(
        f"/api/v1/threads/{anonymous_thread.pk}/", {"anonymous": False},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["anonymous"] is False
    assert len(lifts(anonymous_thread)) == 1


def test_lifting_with_an_audience_change_records_both(
    anonymous_incident, alice, bob, org_a, org_b
):
    incident_update(
        incident=anonymous_incident, actor=alice, anonymous=False, tlp=TLP.AMBER,
        organizations=[org_a, org_b],
    )
    changes = history(anonymous_incident)
    assert changes[-2].to_audience["anonymous"] is False and changes[-2].to_tlp == TLP.GREEN
    assert changes[-1].to_tlp == TLP.AMBER and changes[-1].to_audience["anonymous"] is False
    assert changes[-1].from_audience["anonymous"] is False


# --- hiding a named source: harmless, so the author or the secretariat -------------------------


def test_secretariat_may_hide_the_source_of_a_named_item_but_not_name_it_again(
    community, alice, sec, bob, client_for
):
    thread = thread_create(
        author=alice, community=community, title="named", body="x", tlp=TLP.GREEN
    )
    response = client_for(sec).patch(
        f"/api/v1/threads/{thread.pk}/", {"anonymous": True}, content_type="application/json"
    )
    assert response.status_code == 200
    assert source_for(client_for(bob), thread) == "via the secretariat"
    last = history(thread)[-1]
    assert last.actor == sec and last.to_audience["anonymous"] is True
    assert last.from_audience["anonymous"] is False
    with pytest.raises(PermissionDenied):
        anonymity_set(item=thread, actor=sec, anonymous=False)
    assert anonymity_set(item=thread, actor=alice, anonymous=False) is not None


def test_records_written_before_anonymity_was_recorded_stay_readable(anonymous_thread, alice):
    """Rows without the "anonymous" key are read as "unchanged": re-saving the same audience
    records nothing, and a lift is still recorded from anonymous to named."""
    content_type = ContentType.objects.get_for_model(Thread)
    AudienceChange.objects.filter(content_type=content_type, object_id=anonymous_thread.pk).update(
        to_audience={"tlp": "GREEN", "organizations": [], "users": [], "federated": False},
        from_audience=None,
    )
    assert audience_set(item=anonymous_thread, actor=alice, tlp=TLP.GREEN) is None
    lift = anonymity_set(item=anonymous_thread, actor=alice, anonymous=False)
    assert lift.from_audience["anonymous"] is True and lift.to_audience["anonymous"] is False

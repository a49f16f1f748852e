"""The history of an item's audience (who lowered or raised its label or recipients, when)
is on the item's page for its author and the secretariat only."""

import pytest
from django.urls import reverse

from apps.incidents.services import incident_create
from apps.sharing.services import audience_set
from apps.sharing.templatetags.audience_history import history_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def lowered(community, alice, bob, carol, sec, org_a, org_b):
    incident = incident_create(author=alice, community=community, title="Phishing wave",
                               category="other", tlp="RED", users=[bob])
    audience_set(item=incident, actor=alice, tlp="AMBER", organizations=[org_a, org_b])
    audience_set(item=incident, actor=sec, tlp="GREEN")
    return incident


def test_history_lists_each_change_newest_first_with_direction(lowered, alice, sec, org_b):
    rows = history_of(lowered)
    assert [(row["change"].actor, row["change"].to_tlp, row["direction"]) for row in rows][:2] == [
        (sec, "GREEN", "lowered"), (alice, "AMBER", "lowered")]
    assert org_b.display_name in rows[1]["added_organizations"]


def test_history_is_shown_to_the_author_and_the_secretariat_only(lowered, community, alice,
                                                                 sec, bob, carol, client_for):
    url = reverse("incidents:detail", args=[community.slug, lowered.pk])
    for reader in (alice, sec):
        body = client_for(reader).get(url).content.decode()
        assert "History of the audience" in body, reader
        assert 'data-direction="lowered"' in body
    for reader in (bob, carol):  # both may read the GREEN item, neither sees its history
        response = client_for(reader).get(url)
        assert response.status_code == 200
        assert "History of the audience" not in response.content.decode(), reader


def test_thread_page_shows_its_history_to_the_author_and_the_secretariat_only(
        community, alice, bob, sec, org_a, org_b, client_for):
    from apps.discussions.services import thread_create, thread_update_audience

    thread = thread_create(author=alice, community=community, title="Phishing?", body="seen",
                           tlp="AMBER", organizations=[org_a, org_b])
    thread_update_audience(thread=thread, actor=alice, tlp="GREEN")
    url = reverse("discussions:detail", args=[community.slug, thread.pk])
    assert 'data-direction="lowered"' in client_for(alice).get(url).content.decode()
    assert 'data-direction="lowered"' in client_for(sec).get(url).content.decode()
    response = client_for(bob).get(url)
    assert response.status_code == 200
    assert "History of the audience" not in response.content.decode()


def test_minutes_page_shows_its_history_to_the_author_and_the_secretariat_only(
        community, alice, bob, sec, org_a, org_b, client_for):
    from apps.meetings.minutes import minutes_create, minutes_publish, minutes_update
    from tests.conftest import _member
    from tests.meetings.test_meetings import make_meetings, make_series

    chair = _member(community, "chair@alpha.example.jp", org_a, role="chair")
    meeting = make_meetings(make_series(community), 1)[0]
    minutes = minutes_create(meeting=meeting, author=chair, title="要旨", body="本文",
                             tlp="AMBER", organizations=[org_a, org_b])
    minutes_publish(minutes=minutes, actor=chair)
    minutes_update(minutes=minutes, actor=chair, title="要旨", body="本文",
                   audience={"tlp": "GREEN"})
    url = reverse("meetings:minutes", args=[community.slug, minutes.pk])
    for reader in (chair, sec):
        assert 'data-direction="lowered"' in client_for(reader).get(url).content.decode()
    response = client_for(bob).get(url)
    assert response.status_code == 200
    assert "History of the audience" not in response.content.decode()

"""Starting threads from the web form, and attaching them to incidents."""

import pytest
from django.core.exceptions import ValidationError

from apps.discussions.models import Thread
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


def test_member_starts_an_amber_thread_leaving_one_organisation_out(
    alice, bob, carol, org_a, org_b, client_for
):
    client = client_for(alice)
    form = client.get("/c/fin-isac/discussions/new/")
    assert form.status_code == 200
    assert "Gamma Telecom" in form.content.decode()
    response = client.post(
        "/c/fin-isac/discussions/new/",
        {
            "title": "Smishing kit",
            "body": "Kit details",
            "tlp": "AMBER",
            "organizations": [org_b.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    thread = Thread.objects.get()
    assert thread.tlp == TLP.AMBER
    assert {o.slug for o in thread.recipient_organizations.all()} == {"org-a", "org-b"}
    assert client_for(bob).get(response.url).status_code == 200
    assert client_for(carol).get(response.url).status_code == 404
    assert "Discussions" in client_for(bob).get("/c/fin-isac/").content.decode()


def test_thread_form_shows_what_is_missing_and_saves_nothing(alice, client_for):
    response = client_for(alice).post("/c/fin-isac/discussions/new/", {"tlp": "GREEN"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page and "This field is required." in page
    assert not Thread.objects.exists()


def test_observer_is_told_they_cannot_start_a_thread(olive, client_for):
    page = client_for(olive).get("/c/fin-isac/discussions/new/").content.decode()
    assert "do not share" in page
    response = client_for(olive).post(
        "/c/fin-isac/discussions/new/", {"title": "x", "body": "y", "tlp": "GREEN"}
    )
    assert response.status_code == 403
    assert not Thread.objects.exists()


def test_non_member_gets_404_for_the_discussion_pages(outsider, client_for):
    assert client_for(outsider).get("/c/fin-isac/discussions/").status_code == 404


def test_only_someone_who_sees_the_incident_can_attach_a_thread_to_it(
    incident, open_thread, alice, bob, carol
):
    red = incident(alice, TLP.RED, users=[bob])
    with pytest.raises(ValidationError) as refused:
        open_thread(carol, TLP.RED, incident=red)
    assert "incident" in refused.value.message_dict
    thread = open_thread(bob, TLP.RED, users=[alice], incident=red)
    assert thread.incident == red


def test_a_thread_cannot_be_labelled_lower_than_its_incident(incident, open_thread, alice, bob):
    amber = incident(alice, TLP.AMBER)
    with pytest.raises(ValidationError) as refused:
        open_thread(alice, TLP.GREEN, incident=amber)
    assert "tlp" in refused.value.message_dict
    assert not Thread.objects.exists()


def test_the_incident_link_is_shown_only_to_readers_who_may_see_the_incident(
    incident, open_thread, alice, bob, carol, org_a, org_b, client_for
):
    amber = incident(alice, TLP.AMBER, organizations=[org_a])
    thread = open_thread(alice, TLP.RED, users=[bob], incident=amber)
    assert client_for(alice).get(f"/api/v1/threads/{thread.pk}/").json()["incident"] == str(
        amber.pk
    )
    data = client_for(bob).get(f"/api/v1/threads/{thread.pk}/").json()
    assert data["incident"] is None
    page = client_for(bob).get(f"/c/fin-isac/discussions/{thread.pk}/").content.decode()
    assert amber.title not in page


def test_api_starts_a_red_thread_for_named_people(alice, bob, carol, client_for):
    response = client_for(alice).post(
        "/api/v1/threads/",
        {
            "community": "fin-isac",
            "title": "For Bob",
            "body": "Hi",
            "tlp": "TLP:RED",
            "users": [bob.email],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["tlp_label"] == "TLP:RED" and data["post_count"] == 1
    assert client_for(carol).get(f"/api/v1/threads/{data['id']}/").status_code == 404


def test_api_refuses_organisations_on_red_with_a_clear_message(alice, bob, client_for):
    response = client_for(alice).post(
        "/api/v1/threads/",
        {
            "community": "fin-isac",
            "title": "x",
            "body": "y",
            "tlp": "RED",
            "organizations": ["org-b"],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "named people only" in str(response.json()["organizations"])
    assert not Thread.objects.exists()


def test_api_refuses_a_community_the_caller_does_not_belong_to(outsider, client_for):
    response = client_for(outsider).post(
        "/api/v1/threads/",
        {"community": "fin-isac", "title": "x", "body": "y", "tlp": "GREEN"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_incident_search_finds_words_of_a_discussion_only_for_its_readers(
    incident, open_thread, reply, alice, bob, carol
):
    from apps.incidents.search import incident_search

    green = incident(alice, TLP.GREEN)
    thread = open_thread(alice, TLP.RED, users=[bob], incident=green)
    reply(bob, thread, body="攻撃者はランサムウェアを展開した")

    assert list(incident_search(user=bob, text="ランサムウェア")) == [green]
    assert list(incident_search(user=carol, text="ランサムウェア")) == []

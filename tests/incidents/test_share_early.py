"""Share early: a confidence level on each incident, and a timeline of its refinements that
reaches exactly the incident's audience."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.incidents.actors import Confidence, IncidentUpdate
from apps.incidents.services import incident_note_add, incident_update
from apps.sharing.tlp import TLP


def detail_url(incident):
    return reverse("incidents:detail", args=[incident.community.slug, incident.pk])


def test_confidence_defaults_to_unconfirmed(incident_for, alice):
    incident = incident_for(alice, TLP.GREEN)
    assert incident.confidence == Confidence.UNCONFIRMED


def test_list_filters_by_confidence_and_shows_the_badge(
    incident_for, alice, bob, community, client_for
):
    incident_for(alice, TLP.GREEN, title="Early", confidence="unconfirmed")
    incident_for(alice, TLP.GREEN, title="Sure", confidence="confirmed")
    url = reverse("incidents:list", args=[community.slug])
    response = client_for(bob).get(url, {"confidence": "confirmed"})
    assert [i.title for i in response.context["incidents"]] == ["Sure"]
    assert "confidence-confirmed" in response.content.decode()
    api = client_for(bob).get("/api/v1/incidents/", {"confidence": "unconfirmed"}).json()
    assert [row["title"] for row in api["results"]] == ["Early"]


def test_update_of_confidence_status_and_summary_writes_one_entry(incident_for, alice):
    incident = incident_for(alice, TLP.GREEN, summary="First line\nSecond line")
    incident_update(
        incident=incident,
        actor=alice,
        confidence="likely",
        status="contained",
        summary="First line\nSecond line, corrected",
    )
    entry = IncidentUpdate.objects.get(incident=incident)
    assert entry.author == alice
    by_field = {change["field"]: change for change in entry.changes}
    assert by_field["confidence"] == {"field": "confidence", "old": "unconfirmed", "new": "likely"}
    assert by_field["status"]["new"] == "contained"
    assert "-Second line" in by_field["summary"]["diff"]
    assert "+Second line, corrected" in by_field["summary"]["diff"]


def test_an_update_that_changes_nothing_on_the_timeline_writes_no_entry(incident_for, alice):
    incident = incident_for(alice, TLP.GREEN)
    incident_update(incident=incident, actor=alice, title="A better title")
    assert not IncidentUpdate.objects.filter(incident=incident).exists()


def test_a_refused_update_leaves_no_entry(incident_for, alice):
    incident = incident_for(alice, TLP.GREEN)
    with pytest.raises(ValidationError):
        incident_update(
            incident=incident,
            actor=alice,
            confidence="likely",
            summary="Contact taro@victim.example.jp",
        )
    assert not IncidentUpdate.objects.filter(incident=incident).exists()


def test_author_and_secretariat_post_notes_others_do_not(incident_for, alice, bob, sec):
    incident = incident_for(alice, TLP.GREEN)
    incident_note_add(incident=incident, actor=alice, note="Confirmed malicious by sandbox.")
    incident_note_add(incident=incident, actor=sec, note="Relayed to the police.")
    with pytest.raises(PermissionDenied):
        incident_note_add(incident=incident, actor=bob, note="Not mine to say.")
    with pytest.raises(ValidationError):
        incident_note_add(incident=incident, actor=alice, note="  ")
    assert IncidentUpdate.objects.filter(incident=incident).count() == 2


def test_post_an_update_form_on_the_incident_page(incident_for, alice, bob, community, client_for):
    incident = incident_for(alice, TLP.GREEN)
    url = reverse("incidents:action", args=[community.slug, incident.pk, "update"])
    response = client_for(alice).post(url, {"note": "C2 server taken down."})
    assert response.status_code == 302
    client_for(bob).post(url, {"note": "Sneaky"})
    assert [e.note for e in IncidentUpdate.objects.filter(incident=incident)] == [
        "C2 server taken down."
    ]
    page = client_for(bob).get(detail_url(incident)).content.decode()
    assert "C2 server taken down." in page
    assert "Post an update" not in page  # bob may read, not write


@pytest.mark.parametrize(
    "tlp, choice, readers, others",
    [
        (TLP.RED, "bob", {"alice", "bob"}, {"carol", "sec", "olive", "outsider"}),
        (TLP.AMBER, "org_b", {"alice", "bob", "sec", "olive"}, {"carol", "outsider"}),
    ],
)
def test_timeline_reaches_exactly_the_incident_audience(
    incident_for, cast, org_b, tlp, choice, readers, others, client_for
):
    audience = {"users": [cast["bob"]]} if tlp == TLP.RED else {"organizations": [org_b]}
    incident = incident_for(cast["alice"], tlp, **audience)
    incident_update(incident=incident, actor=cast["alice"], confidence="confirmed")
    incident_note_add(incident=incident, actor=cast["alice"], note="Attribution firmed up.")
    for who in readers:
        page = client_for(cast[who]).get(detail_url(incident))
        assert "Attribution firmed up." in page.content.decode(), who
        api = (
            client_for(cast[who])
            .get("/api/v1/incident-updates/", {"incident": str(incident.pk)})
            .json()
        )
        assert len(api["results"]) == 2, who
    for who in others:
        assert client_for(cast[who]).get(detail_url(incident)).status_code == 404, who
        api = client_for(cast[who]).get("/api/v1/incident-updates/").json()
        assert api["results"] == [], who


def test_timeline_is_newest_first_and_names_no_source_of_an_anonymous_item(
    incident_for, alice, bob, sec, client_for
):
    incident = incident_for(alice, TLP.GREEN, anonymous=True)
    incident_note_add(incident=incident, actor=alice, note="first note")
    incident_note_add(incident=incident, actor=sec, note="second note")
    page = client_for(bob).get(detail_url(incident))
    timeline = page.context["timeline"]
    assert [row["entry"].note for row in timeline] == ["second note", "first note"]
    assert [row["who"] for row in timeline] == ["the secretariat", "the author"]
    assert "alice@alpha.example.jp" not in page.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_incident_page_with_a_timeline_costs_a_fixed_number_of_queries(
    count, incident_for, alice, bob, client_for, django_assert_max_num_queries
):
    incident = incident_for(alice, TLP.GREEN)
    for n in range(count):
        incident_note_add(incident=incident, actor=alice, note=f"note {n}")
    client = client_for(bob)
    client.get(detail_url(incident))  # the first view is recorded once
    # The same for 3 or 30 entries (24 when written; the timeline itself is one query).
    with django_assert_max_num_queries(26):
        response = client.get(detail_url(incident))
    assert len(response.context["timeline"]) == count


def test_the_form_sets_confidence_and_an_edit_without_it_keeps_it(
    incident_for, alice, community, client_for
):
    incident = incident_for(alice, TLP.GREEN, title="Odd beacon", category="other")
    url = reverse("incidents:edit", args=[community.slug, incident.pk])
    form = client_for(alice).get(url).context["form"]
    data = {
        name: value
        for name, value in {**form.initial, "tlp": "GREEN", "confidence": "likely"}.items()
        if value is not None and name not in ("actors", "campaigns", "sectors")
    }
    response = client_for(alice).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.confidence == "likely"
    data.pop("confidence")
    client_for(alice).post(url, {**data, "summary": "More seen."})
    incident.refresh_from_db()
    assert incident.confidence == "likely"
    entries = IncidentUpdate.objects.filter(incident=incident)
    assert [[c["field"] for c in e.changes] for e in entries] == [["summary"], ["confidence"]]

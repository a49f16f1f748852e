"""The incident desk (report to the incident contact at once, TLP:RED) and relays through the
secretariat (a draft the secretariat redacts and publishes as the community's, anonymously)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.communities.desk import IncidentDesk, incident_desk_update
from apps.digests.models import Notice, NoticeKind
from apps.incidents.desk import desk_report
from apps.incidents.models import Incident
from apps.incidents.relay_services import relay_decline, relay_publish, relay_submit
from apps.incidents.relays import RelayRequest, RelayStatus, relays_visible_to
from apps.sharing.selectors import can_view, visible_to
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(community, sec, bob):
    """The desk: bob (of org-b) and a shared mailbox that is nobody's account."""
    incident_desk_update(community=community, actor=sec, people=[bob],
                         email="csirt@fin-isac.example.jp", phone="03-0000-0000",
                         hours="24/7")
    return IncidentDesk.objects.get(community=community)


# --- the desk's configuration -----------------------------------------------------------------


def test_secretariat_names_the_desk_and_the_change_is_audited(client_for, community, sec, bob):
    response = client_for(sec).post(
        reverse("communities:desk", args=[community.slug]),
        {"people": [bob.pk], "email": "csirt@fin-isac.example.jp", "phone": "03-1234-5678",
         "hours": "weekdays 9-18"})
    assert response.status_code == 302
    desk = IncidentDesk.objects.get(community=community)
    assert list(desk.people.all()) == [bob]
    assert desk.phone == "03-1234-5678"
    event = AuditEvent.objects.get(community=community, target_id=str(desk.pk))
    assert event.detail["people"] == {"from": [], "to": [bob.email]}


@pytest.mark.parametrize("who", ["alice", "bob", "outsider"])
def test_only_the_secretariat_reaches_the_desk_page(client_for, community, cast, who):
    url = reverse("communities:desk", args=[community.slug])
    assert client_for(cast[who]).get(url).status_code == 404
    assert client_for(cast[who]).post(url, {"people": [cast["bob"].pk]}).status_code == 404
    assert not IncidentDesk.objects.exists()


def test_desk_service_refuses_non_secretariat_and_non_members(community, alice, sec, outsider):
    with pytest.raises(PermissionDenied):
        incident_desk_update(community=community, actor=alice, people=[alice])
    with pytest.raises(ValidationError):
        incident_desk_update(community=community, actor=sec, people=[outsider])


def test_action_is_disabled_with_a_hint_until_a_desk_is_named(client_for, community, alice):
    page = client_for(alice).get(reverse("communities:home", args=[community.slug]))
    html = page.content.decode()
    assert "Report an incident now" in html
    assert 'aria-disabled="true"' in html
    assert reverse("incidents:desk_report", args=[community.slug]) not in html


def test_action_on_every_community_page_once_a_desk_is_named(client_for, community, alice, desk):
    url = reverse("incidents:desk_report", args=[community.slug])
    for page in ("communities:home", "incidents:list", "discussions:list"):
        html = client_for(alice).get(reverse(page, args=[community.slug])).content.decode()
        assert url in html, page


def test_action_is_disabled_when_nobody_at_the_desk_is_active(client_for, community, alice,
                                                               bob, desk):
    bob.memberships.update(status="suspended")
    html = client_for(alice).get(reverse("communities:home", args=[community.slug])).content
    assert reverse("incidents:desk_report", args=[community.slug]) not in html.decode()


# --- reporting ------------------------------------------------------------------------------


def test_report_is_red_to_exactly_the_reporter_and_the_desk(
        client_for, community, cast, desk, django_capture_on_commit_callbacks):
    alice = cast["alice"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            reverse("incidents:desk_report", args=[community.slug]),
            {"title": "Laptop encrypted at home", "summary": "Files renamed .locked",
             "category": "ransomware"})
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.tlp == TLP.RED and incident.author == alice
    seeing = {name for name, person in cast.items() if can_view(person, incident)}
    assert seeing == {"alice", "bob"}
    assert {name for name, person in cast.items()
            if visible_to(person, Incident.objects.all()).exists()} == {"alice", "bob"}
    # The desk's people are told at once; the mailbox by a count only.
    assert Notice.objects.filter(user=cast["bob"], kind=NoticeKind.ADDRESSED,
                                 object_id=incident.pk).exists()
    (message,) = mail.outbox
    assert message.to == ["csirt@fin-isac.example.jp"]
    text = message.subject + message.body
    assert "新しい項目が1件" in text  # in the community's language (fin-isac: Japanese)
    for secret in ("Laptop", "locked", "Alpha", "alice", "ransomware"):
        assert secret not in text


def test_mailbox_of_a_desk_person_is_not_mailed_twice(
        community, sec, bob, alice, django_capture_on_commit_callbacks):
    incident_desk_update(community=community, actor=sec, people=[bob], email=bob.email)
    with django_capture_on_commit_callbacks(execute=True):
        desk_report(reporter=alice, community=community, title="Phishing", category="phishing")
    assert mail.outbox == []


def test_suspended_desk_person_is_not_reached(community, sec, bob, carol, alice):
    incident_desk_update(community=community, actor=sec, people=[bob, carol])
    bob.memberships.update(status="suspended")
    incident = desk_report(reporter=alice, community=community, title="DDoS", category="ddos")
    assert list(incident.recipient_users.all()) == [carol]


def test_no_desk_refuses_the_report(client_for, community, alice):
    response = client_for(alice).post(reverse("incidents:desk_report", args=[community.slug]),
                                      {"title": "x", "category": "other"})
    assert response.status_code == 400
    assert not Incident.objects.exists()
    assert "no incident desk" in response.content.decode()


def test_report_holds_back_victim_data_until_confirmed(client_for, community, alice, desk):
    url = reverse("incidents:desk_report", args=[community.slug])
    data = {"title": "Credential phished", "summary": "taro.yamada@alpha.example.jp clicked",
            "category": "phishing"}
    assert client_for(alice).post(url, data).status_code == 400
    assert not Incident.objects.exists()
    response = client_for(alice).post(url, {**data, "confirmed": "taro.yamada@alpha.example.jp"})
    assert response.status_code == 302
    assert Incident.objects.get().tlp == TLP.RED


# --- relays through the secretariat ---------------------------------------------------------


@pytest.fixture
def relay(community, carol):
    return relay_submit(member=carol, community=community, title="Gamma Telecom VPN breach",
                        summary="Our VPN at vpn.gamma.example was breached via CVE-X",
                        category="vulnerability_exploitation")


def test_relay_is_read_only_by_its_member_and_the_secretariat(client_for, community, cast, relay):
    readers = {name for name, person in cast.items()
               if relays_visible_to(person, community).filter(pk=relay.pk).exists()}
    assert readers == {"carol", "sec"}
    url = reverse("incidents:relay", args=[community.slug, relay.pk])
    for name in ("alice", "bob", "olive", "outsider"):
        assert client_for(cast[name]).get(url).status_code == 404, name
    assert client_for(cast["carol"]).get(url).status_code == 200
    assert client_for(cast["sec"]).get(url).status_code == 200
    # Not shared content: no incident list or search shows it.
    assert not Incident.objects.exists()
    listing = client_for(cast["bob"]).get(reverse("incidents:list", args=[community.slug]),
                                          {"q": "VPN"})
    assert "Gamma Telecom VPN" not in listing.content.decode()


def test_secretariat_list_shows_every_relay_a_member_only_theirs(
        client_for, community, alice, carol, sec, relay):
    relay_submit(member=alice, community=community, title="Alpha draft", summary="s")
    url = reverse("incidents:relays", args=[community.slug])
    assert "Alpha draft" in client_for(sec).get(url).content.decode()
    own = client_for(carol).get(url).content.decode()
    assert "Gamma Telecom VPN" in own and "Alpha draft" not in own


def test_observer_cannot_hand_over_a_draft(community, olive):
    with pytest.raises(PermissionDenied):
        relay_submit(member=olive, community=community, title="t", summary="s")


def test_secretariat_publishes_redacted_and_anonymous(client_for, community, cast, relay):
    sec, carol = cast["sec"], cast["carol"]
    response = client_for(sec).post(
        reverse("incidents:relay", args=[community.slug, relay.pk]),
        {"decision": "publish", "title": "Telecom VPN breach",
         "summary": "A member's VPN was breached via CVE-X",
         "category": "vulnerability_exploitation", "tlp": "GREEN"})
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.anonymous and incident.tlp == TLP.GREEN
    assert incident.author == sec and incident.author_organization.slug == "org-a"
    relay.refresh_from_db()
    assert relay.status == RelayStatus.PUBLISHED and relay.incident == incident
    event = AuditEvent.objects.get(target_id=str(relay.pk))
    assert event.detail["relay"] == "published" and event.detail["redacted"] == [
        "title", "summary"]
    # The member's organisation is named to nobody; the page reads "via the secretariat".
    page = client_for(cast["bob"]).get(
        reverse("incidents:detail", args=[community.slug, incident.pk])).content.decode()
    assert "via the secretariat" in page
    assert "Gamma" not in page and "carol" not in page
    api = client_for(cast["bob"]).get(f"/api/v1/incidents/{incident.pk}/").content.decode()
    assert "org-c" not in api and "Gamma" not in api and "carol" not in api
    # The member's status page links to what it became.
    status = client_for(carol).get(reverse("incidents:relay", args=[community.slug, relay.pk]))
    assert reverse("incidents:detail", args=[community.slug, incident.pk]) in (
        status.content.decode())


def test_published_relay_the_member_may_not_see_is_not_linked(client_for, community, sec, carol,
                                                            bob, relay):
    incident = relay_publish(relay=relay, actor=sec, title="t", summary="s", category="other",
                             tlp=TLP.RED, users=[bob])
    assert not can_view(carol, incident)
    page = client_for(carol).get(reverse("incidents:relay", args=[community.slug, relay.pk]))
    assert reverse("incidents:detail", args=[community.slug, incident.pk]) not in (
        page.content.decode())
    assert "Published by the secretariat" in page.content.decode()


def test_secretariat_declines_with_a_reason_the_member_reads(client_for, community, sec, carol,
                                                            relay):
    url = reverse("incidents:relay", args=[community.slug, relay.pk])
    response = client_for(sec).post(url, {"decision": "decline",
                                          "reason": "Already shared by another member"})
    assert response.status_code == 302
    relay.refresh_from_db()
    assert relay.status == RelayStatus.DECLINED
    assert AuditEvent.objects.get(target_id=str(relay.pk)).detail == {"relay": "declined"}
    page = client_for(carol).get(url).content.decode()
    assert "Declined" in page and "Already shared by another member" in page
    assert not Incident.objects.exists()


def test_only_the_secretariat_decides_and_only_once(community, alice, carol, sec, relay):
    with pytest.raises(PermissionDenied):
        relay_decline(relay=relay, actor=carol, reason="no")
    with pytest.raises(PermissionDenied):
        relay_publish(relay=relay, actor=alice, title="t", summary="s", category="other",
                      tlp=TLP.GREEN)
    relay_decline(relay=relay, actor=sec, reason="duplicate")
    with pytest.raises(ValidationError):
        relay_publish(relay=relay, actor=sec, title="t", summary="s", category="other",
                      tlp=TLP.GREEN)
    assert RelayRequest.objects.get().status == RelayStatus.DECLINED


def test_member_cannot_decide_through_the_page(client_for, community, carol, relay):
    url = reverse("incidents:relay", args=[community.slug, relay.pk])
    assert client_for(carol).post(url, {"decision": "decline", "reason": "x"}).status_code == 404
    relay.refresh_from_db()
    assert relay.status == RelayStatus.PENDING

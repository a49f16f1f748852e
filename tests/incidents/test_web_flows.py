"""Incident pages, second part: filters on the domain fields, indicator search, the
victim-data confirmation, sightings and feedback, "addressed to me", "what my sharing
achieved", and federated items."""

import re

import pytest
from django.urls import reverse

from apps.incidents import search
from apps.incidents.models import Incident, Sighting
from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP
from tests.incidents.test_web import detail_url, form_data, list_url, titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def share(community, techniques):
    def make(author, tlp, title=None, **fields):
        fields.setdefault("summary", "ランサムウェアの感染を確認しました。")
        return incident_create(
            author=author,
            community=community,
            title=title or f"{tlp} incident",
            category=fields.pop("category", "ransomware"),
            tlp=tlp,
            **fields,
        )

    return make


def test_filters_by_technique_including_sub_techniques_and_by_sector(
    share, alice, bob, client_for, community
):
    share(alice, TLP.GREEN, title="Phishing link", techniques=["T1566.001"], sectors=["finance"])
    share(alice, TLP.GREEN, title="Encrypted", techniques=["T1486"], sectors=["energy"])
    client = client_for(bob)
    assert titles(client.get(list_url(community, technique="T1566"))) == {"Phishing link"}
    assert titles(client.get(list_url(community, technique="t1486"))) == {"Encrypted"}
    assert titles(client.get(list_url(community, sector="energy"))) == {"Encrypted"}


@pytest.mark.parametrize("linked_max", [1000, 0])  # the incidents named by key, or a subquery
def test_search_finds_an_indicator_value_only_when_its_incident_is_visible(
    share, alice, bob, carol, org_b, client_for, community, linked_max, monkeypatch
):
    monkeypatch.setattr(search, "LINKED_MAX", linked_max)
    share(
        alice,
        TLP.AMBER,
        title="C2 server",
        organizations=[org_b],
        indicators=[{"type": "domain", "value": "evil-c2.example.com"}],
    )
    assert titles(client_for(bob).get(list_url(community, q="evil-c2"))) == {"C2 server"}
    assert titles(client_for(carol).get(list_url(community, q="evil-c2"))) == set()


def test_victim_data_is_listed_and_nothing_is_saved_until_confirmed(
    alice, bob, carol, client_for, community, techniques
):
    url = reverse("incidents:create", args=[community.slug])
    data = form_data(summary="感染端末 10.1.2.3 から外部へ通信", tlp="GREEN")
    client = client_for(alice)
    refused = client.post(url, data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'name="confirmed" value="10.1.2.3"' in html
    assert Incident.objects.count() == 0
    accepted = client.post(url, {**data, "confirmed": ["10.1.2.3"]})
    assert accepted.status_code == 302
    assert Incident.objects.get().confirmed_exposures == ["10.1.2.3"]


def test_redacting_the_finding_is_enough(alice, client_for, community, techniques):
    url = reverse("incidents:create", args=[community.slug])
    response = client_for(alice).post(url, form_data(summary="感染端末から外部へ通信"))
    assert response.status_code == 302


def test_indicators_typed_in_the_form_are_saved_with_the_incident(
    alice, bob, carol, client_for, community, techniques
):
    url = reverse("incidents:create", args=[community.slug])
    response = client_for(alice).post(
        url, form_data(tlp="GREEN", indicators="hxxp://evil[.]example.com/a\n203.0.113.9\n")
    )
    assert response.status_code == 302
    page = client_for(bob).get(detail_url(Incident.objects.get())).content.decode()
    assert "http://evil.example.com/a" in page and "203.0.113.9" in page


def test_recipient_records_a_sighting_and_the_author_sees_it_achieved(
    share, alice, bob, carol, org_b, client_for, community
):
    item = share(alice, TLP.AMBER, title="Shared with B", organizations=[org_b])
    client_for(bob).get(detail_url(item))  # recorded as viewed by org B
    action = reverse("incidents:action", args=[community.slug, item.pk, "sighting"])
    assert client_for(bob).post(action, {"note": "same sender"}).status_code == 302
    feedback = reverse("incidents:action", args=[community.slug, item.pk, "feedback"])
    client_for(bob).post(feedback, {"action": "blocked"})
    assert Sighting.objects.filter(incident=item).count() == 1
    assert "Seen by 1 organisation" in client_for(bob).get(detail_url(item)).content.decode()
    page = client_for(alice).get(reverse("incidents:achieved", args=[community.slug]))
    html = page.content.decode()
    row = html[html.index("Shared with B") :]
    cells = re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)
    assert cells[:2] == ["1", "1"]  # viewed by org B, seen by org B
    assert "Blocked the indicators" in row
    # carol's organisation was excluded: no sighting, no page, no trace
    assert client_for(carol).post(action, {"note": "x"}).status_code == 404


def test_addressed_to_me_lists_red_for_me_and_amber_for_my_organisation(
    share, alice, bob, carol, org_b, client_for, community
):
    share(alice, TLP.RED, title="Red for Bob", users=[bob])
    share(alice, TLP.AMBER, title="Amber for B", organizations=[org_b])
    share(alice, TLP.GREEN, title="Green for all")
    share(alice, TLP.RED, title="Red for Carol", users=[carol])
    url = reverse("incidents:addressed", args=[community.slug])
    assert titles(client_for(bob).get(url)) == {"Red for Bob", "Amber for B"}
    assert titles(client_for(carol).get(url)) == {"Red for Carol"}


@pytest.mark.parametrize("count", [3, 30])
def test_addressed_and_achieved_pages_cost_fixed_queries(
    count, share, alice, bob, org_b, client_for, community, django_assert_max_num_queries
):
    for i in range(count):
        share(alice, TLP.AMBER, title=f"Amber {i}", organizations=[org_b])
    for user, name in ((bob, "incidents:addressed"), (alice, "incidents:achieved")):
        client = client_for(user)
        with django_assert_max_num_queries(8):
            assert client.get(reverse(name, args=[community.slug])).status_code == 200


def test_author_sees_on_the_item_how_many_organisations_opened_it(
    alice, bob, carol, org_b, org_c, client_for, community
):
    from apps.incidents.services import incident_create

    item = incident_create(author=alice, community=community, title="開封数の確認",
                           category="phishing", tlp="AMBER", organizations=[org_b, org_c])
    url = f"/c/{community.slug}/incidents/{item.pk}/"
    author = client_for(alice)
    assert "Opened by 0 other organisations" in author.get(url).content.decode()
    client_for(bob).get(url)
    client_for(bob).get(url)  # the same organisation counts once
    client_for(carol).get(url)
    assert "Opened by 2 other organisations" in author.get(url).content.decode()
    assert "Opened by" not in client_for(bob).get(url).content.decode()  # the author's view only

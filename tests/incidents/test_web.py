"""Incident pages: what a member can find by list, search and URL is exactly what
`apps.sharing` lets them see; anonymous sources stay hidden; the picker's count is the
audience's; a refused form saves nothing; list pages cost a fixed number of queries."""

import re
import uuid

import pytest
from django.urls import reverse

from apps.incidents.models import Incident
from apps.incidents.services import incident_create
from apps.sharing.models import AudienceChange
from apps.sharing.selectors import audience_count
from apps.sharing.tlp import TLP

pytestmark = pytest.mark.django_db

JAPANESE_SUMMARY = "本日、取引先を装ったメールからランサムウェアの感染を確認しました。"


@pytest.fixture
def share(community):
    def make(author, tlp, title=None, summary=JAPANESE_SUMMARY, **choice):
        return incident_create(
            author=author,
            community=community,
            title=title or f"{tlp} incident",
            category="ransomware",
            summary=summary,
            tlp=tlp,
            **choice,
        )

    return make


def list_url(community, **params):
    url = reverse("incidents:list", args=[community.slug])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params, doseq=True)
    return url


def detail_url(incident):
    return reverse("incidents:detail", args=[incident.community.slug, incident.pk])


def titles(response):
    return set(re.findall(r'/incidents/[0-9a-f-]{36}/">([^<]+)</a>', response.content.decode()))


# --- who finds what ------------------------------------------------------------------------


@pytest.fixture
def amber_for_a_and_b(share, alice, bob, carol, org_b):
    """Alice (org A) shares with org B; org C is excluded."""
    return share(alice, TLP.AMBER, title="Amber for A and B", organizations=[org_b])


def test_member_of_excluded_organisation_cannot_find_amber_item_by_list_search_or_url(
    amber_for_a_and_b, carol, client_for, community
):
    client = client_for(carol)
    assert "Amber for A and B" not in titles(client.get(list_url(community)))
    assert "Amber for A and B" not in titles(client.get(list_url(community, q="ランサムウェア")))
    assert "Amber for A and B" not in titles(client.get(list_url(community, q="Amber")))
    assert client.get(detail_url(amber_for_a_and_b)).status_code == 404
    edit = reverse("incidents:edit", args=[community.slug, amber_for_a_and_b.pk])
    assert client.get(edit).status_code == 404


def test_recipient_who_is_not_the_author_may_not_edit(amber_for_a_and_b, bob, client_for,
                                                      community):
    edit = reverse("incidents:edit", args=[community.slug, amber_for_a_and_b.pk])
    response = client_for(bob).get(edit)
    assert response.status_code == 403
    assert "Only the author or the secretariat" in response.content.decode()


def test_recipients_find_amber_item_by_list_search_and_url(
    amber_for_a_and_b, alice, bob, client_for, community
):
    for user in (alice, bob):
        client = client_for(user)
        assert "Amber for A and B" in titles(client.get(list_url(community)))
        assert "Amber for A and B" in titles(client.get(list_url(community, q="ランサムウェア")))
        page = client.get(detail_url(amber_for_a_and_b))
        assert page.status_code == 200
        assert "TLP:AMBER</span>" in page.content.decode()


def test_outsider_and_signed_out_visitor_get_nothing(
    amber_for_a_and_b, outsider, client_for, client, community
):
    assert client_for(outsider).get(list_url(community)).status_code == 404
    assert client_for(outsider).get(detail_url(amber_for_a_and_b)).status_code == 404
    assert client.get(detail_url(amber_for_a_and_b)).status_code == 302  # to sign-in


def test_unknown_and_invisible_incidents_look_the_same(amber_for_a_and_b, carol, client_for):
    client = client_for(carol)
    missing = reverse("incidents:detail", args=["fin-isac", uuid.uuid4()])
    assert client.get(missing).status_code == 404
    assert client.get(detail_url(amber_for_a_and_b)).status_code == 404


def test_suspended_member_loses_the_list_at_once(share, alice, sam, client_for, community):
    share(alice, TLP.GREEN, title="Green for all")
    share(alice, TLP.CLEAR, title="Clear for anyone")
    page = client_for(sam).get(list_url(community))
    # Like anyone outside the community: what is public, and a word on why.
    assert page.status_code == 200
    assert titles(page) == {"Clear for anyone"}
    assert "suspended" in page.content.decode()


def test_red_item_is_listed_for_named_person_only(share, alice, bob, carol, client_for, community):
    share(alice, TLP.RED, title="Red for Bob", users=[bob])
    assert "Red for Bob" in titles(client_for(bob).get(list_url(community)))
    assert "Red for Bob" not in titles(client_for(carol).get(list_url(community)))


# --- search ----------------------------------------------------------------------------------


def test_search_finds_a_japanese_word_inside_a_japanese_sentence(share, alice, bob, client_for):
    share(alice, TLP.GREEN, title="メール経由の感染", summary=JAPANESE_SUMMARY)
    share(alice, TLP.GREEN, title="DDoS", summary="大量の通信でサービスが停止した。")
    found = titles(client_for(bob).get(list_url(alice_community(alice), q="ランサムウェア")))
    assert found == {"メール経由の感染"}


def alice_community(user):
    return user.memberships.first().community if hasattr(user, "memberships") else "fin-isac"


def test_search_never_returns_what_the_reader_may_not_see(share, alice, bob, carol):
    from apps.incidents.search import incident_search

    share(alice, TLP.RED, title="秘密", users=[bob])
    share(alice, TLP.GREEN, title="共有")
    assert {i.title for i in incident_search(user=carol, text="ランサムウェア")} == {"共有"}
    assert {i.title for i in incident_search(user=bob, text="ランサムウェア")} == {"秘密", "共有"}


def test_search_terms_separated_by_ideographic_space_must_all_match(share, alice, bob):
    from apps.incidents.search import incident_search

    share(alice, TLP.GREEN, title="両方", summary="ランサムウェアと標的型攻撃")
    share(alice, TLP.GREEN, title="片方", summary="ランサムウェアのみ")
    found = incident_search(user=bob, text="ランサムウェア\u3000標的型")
    assert {i.title for i in found} == {"両方"}


def test_signed_out_search_sees_clear_only(share, alice):
    from django.contrib.auth.models import AnonymousUser

    from apps.incidents.search import incident_search

    share(alice, TLP.GREEN, title="緑")
    share(alice, TLP.CLEAR, title="透明")
    assert [i.title for i in incident_search(user=AnonymousUser(), text="ランサム")] == ["透明"]


# --- filters --------------------------------------------------------------------------------


def test_filters_by_label_and_status(share, alice, bob, client_for, community):
    share(alice, TLP.GREEN, title="Green one")
    share(alice, TLP.AMBER, title="Amber one")
    client = client_for(bob)
    assert titles(client.get(list_url(community, tlp="GREEN"))) == {"Green one"}
    assert titles(client.get(list_url(community, tlp=["GREEN", "AMBER"]))) == {
        "Green one",
        "Amber one",
    }
    assert titles(client.get(list_url(community, status="resolved"))) == set()
    assert client.get(list_url(community, created_after="2000-01-01")).status_code == 200


# --- anonymous source ----------------------------------------------------------------------


def test_anonymous_source_is_hidden_in_list_and_detail(
    share, alice, bob, sec, client_for, community
):
    item = share(alice, TLP.GREEN, title="Anonymous one", anonymous=True)
    for page in (client_for(bob).get(list_url(community)), client_for(bob).get(detail_url(item))):
        html = page.content.decode()
        assert "via the secretariat" in html
        assert "Alpha Bank" not in html and "アルファ銀行" not in html
        assert "alice@alpha.example.jp" not in html
    # the secretariat relays it and the author wrote it: both see the source
    assert "Alpha Bank" in client_for(sec).get(detail_url(item)).content.decode()
    assert "Alpha Bank" in client_for(alice).get(detail_url(item)).content.decode()


def test_anonymous_amber_item_does_not_list_its_audience_to_recipients(
    share, alice, bob, org_b, client_for
):  # bob makes org B a member organisation
    item = share(alice, TLP.AMBER, anonymous=True, organizations=[org_b])
    html = client_for(bob).get(detail_url(item)).content.decode()
    assert "Alpha Bank" not in html


# --- the picker and the form ----------------------------------------------------------------


def count_url(community, **params):
    from urllib.parse import urlencode

    return (
        reverse("sharing:audience_count", args=[community.slug])
        + "?"
        + urlencode(params, doseq=True)
    )


def shown_count(response):
    match = re.search(r'data-count="([^"]+)"', response.content.decode())
    return match and match.group(1)


@pytest.mark.parametrize(
    "choice",
    [
        {"tlp": "AMBER"},
        {"tlp": "AMBER", "organizations": ["b"]},
        {"tlp": "AMBER+STRICT", "organizations": ["c"]},
        {"tlp": "RED", "users": ["bob"]},
        {"tlp": "RED"},
        {"tlp": "GREEN"},
    ],
)
def test_picker_count_matches_audience_count(
    choice, alice, bob, carol, sec, olive, sam, org_a, org_b, org_c, client_for, community
):
    orgs = {"a": org_a, "b": org_b, "c": org_c}
    people = {"bob": bob, "carol": carol}
    organizations = [orgs[k] for k in choice.get("organizations", [])]
    users = [people[k] for k in choice.get("users", [])]
    params = {"tlp": choice["tlp"]}
    if choice["tlp"].startswith("AMBER"):
        # the browser sends every ticked box; "all ticked" is the default
        params["organizations"] = [o.pk for o in organizations or [org_a, org_b, org_c]]
    params["users"] = [u.pk for u in users]
    response = client_for(alice).get(count_url(community, **params))
    assert response.status_code == 200
    expected = audience_count(
        community=community,
        author=alice,
        tlp=choice["tlp"],
        organizations=(organizations or None) if choice["tlp"].startswith("AMBER") else None,
        users=users or None,
    )
    assert shown_count(response) == str(expected)


def test_picker_count_for_clear_says_public(alice, client_for, community):
    response = client_for(alice).get(count_url(community, tlp="CLEAR"))
    assert shown_count(response) == "public"


def test_picker_ignores_recipients_of_hidden_panels(alice, bob, org_b, client_for, community):
    """RED chosen while AMBER organisations are still ticked in the hidden panel."""
    response = client_for(alice).get(
        count_url(community, tlp="RED", organizations=[org_b.pk], users=[bob.pk])
    )
    assert shown_count(response) == "2"


def test_secretariat_editing_sees_the_count_for_the_real_author(
    alice, bob, carol, sec, org_a, org_b, org_c, client_for, community
):
    """sec (org A) edits bob's AMBER+STRICT item for org C: bob's org B is always in."""
    params = {"tlp": "AMBER+STRICT", "organizations": [org_c.pk], "author": bob.pk}
    expected = audience_count(community=community, author=bob, tlp="AMBER+STRICT",
                              organizations=[org_c])
    assert shown_count(client_for(sec).get(count_url(community, **params))) == str(expected)
    # A member who is not the secretariat cannot count as someone else.
    as_alice = audience_count(community=community, author=alice, tlp="AMBER+STRICT",
                              organizations=[org_c])
    assert as_alice != expected
    assert shown_count(client_for(alice).get(count_url(community, **params))) == str(as_alice)


def test_audience_count_endpoint_is_404_for_non_members(outsider, client_for, community):
    assert client_for(outsider).get(count_url(community, tlp="GREEN")).status_code == 404


def form_data(**overrides):
    data = {
        "title": "不審なメール",
        "summary": JAPANESE_SUMMARY,
        "category": "phishing",
        "intent": "money",
        "status": "investigating",
        "detected_at": "",
        "tlp": "AMBER",
    }
    data.update(overrides)
    return data


def test_member_shares_amber_with_two_of_three_organisations(
    alice, bob, carol, org_a, org_b, client_for, community
):
    url = reverse("incidents:create", args=[community.slug])
    page = client_for(alice).get(url)
    assert page.status_code == 200
    assert shown_count(page) == "3"  # all organisations ticked by default: alice, bob, carol
    response = client_for(alice).post(url, form_data(organizations=[org_b.pk]))
    assert response.status_code == 302
    item = Incident.objects.get()
    assert item.tlp == TLP.AMBER
    assert set(item.recipient_organizations.all()) == {org_a, org_b}
    assert client_for(bob).get(detail_url(item)).status_code == 200
    assert client_for(carol).get(detail_url(item)).status_code == 404


def test_refused_form_saves_nothing_and_shows_the_count(alice, bob, client_for, community):
    url = reverse("incidents:create", args=[community.slug])
    response = client_for(alice).post(url, form_data(title="", tlp="RED", users=[bob.pk]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert shown_count(response) == "2"
    assert Incident.objects.count() == 0
    assert AudienceChange.objects.count() == 0


def test_refused_audience_saves_nothing(alice, outsider, client_for, community):
    url = reverse("incidents:create", args=[community.slug])
    response = client_for(alice).post(url, form_data(tlp="RED", users=[outsider.pk]))
    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_refusal_speaks_japanese(alice, client_for, community):
    alice.language = "ja"
    alice.save(update_fields=["language"])
    url = reverse("incidents:create", args=[community.slug])
    response = client_for(alice).post(url, form_data(title=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "この項目は必須です。" in html  # Django's own catalogue: the field error
    assert "TLP:AMBER</span>" in html  # the label itself stays as FIRST writes it
    assert Incident.objects.count() == 0


def test_observer_cannot_open_the_form(olive, client_for, community):
    url = reverse("incidents:create", args=[community.slug])
    assert client_for(olive).get(url).status_code == 403


def test_author_edits_label_and_recipients(share, alice, bob, carol, client_for, community):
    item = share(alice, TLP.GREEN, title="Was green")
    url = reverse("incidents:edit", args=[community.slug, item.pk])
    page = client_for(alice).get(url)
    assert page.status_code == 200
    response = client_for(alice).post(url, form_data(title="Now red", tlp="RED", users=[bob.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.tlp) == ("Now red", TLP.RED)
    assert client_for(carol).get(detail_url(item)).status_code == 404


def test_other_members_cannot_edit(share, alice, bob, client_for, community):
    item = share(alice, TLP.GREEN)
    url = reverse("incidents:edit", args=[community.slug, item.pk])
    assert client_for(bob).get(url).status_code == 403
    assert client_for(bob).post(url, form_data(title="hijack", tlp="CLEAR")).status_code == 403
    item.refresh_from_db()
    assert item.tlp == TLP.GREEN


# --- queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_list_page_costs_a_fixed_number_of_queries(
    count, share, alice, bob, carol, org_b, client_for, community, django_assert_max_num_queries
):
    kinds = [
        {"tlp": TLP.GREEN, "anonymous": True},
        {"tlp": TLP.AMBER, "organizations": [org_b]},
        {"tlp": TLP.RED, "users": [bob]},
        {"tlp": TLP.CLEAR},
    ]
    for i in range(count):
        share(alice, **kinds[i % len(kinds)])
    client = client_for(bob)
    # The same number for 3 or 30 items; the search reads the incidents found through other
    # text and the reader's audiences once more, and a cold process reads the content type
    # of incidents once; the member's first visit of the list is read and written (2).
    with django_assert_max_num_queries(14):
        response = client.get(list_url(community, q="ランサムウェア"))
    assert response.status_code == 200
    assert len(titles(response)) >= 1

"""Indicators, safely (issue 12): shown defanged and never as links, copied and downloaded
as real values, pasted in bulk by the author or the secretariat under the victim-data check,
and sighted per indicator (with false positives counted apart)."""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from apps.audit.models import Action, AuditEvent
from apps.incidents import selectors
from apps.incidents.indicators import IndicatorType, indicator_candidates, indicator_normalize
from apps.incidents.models import Indicator, Sighting
from apps.incidents.services import sighting_add
from apps.sharing.exposure import defang, refang
from apps.sharing.tlp import TLP
from tests.incidents.test_web import detail_url

pytestmark = pytest.mark.django_db

HREF_TO_WEB = re.compile(r"""href=["']?(?:https?|ftp)://""", re.IGNORECASE)
PHISHER = "phisher@evil-mail.example"
EVIL = [
    {"type": "url", "value": "http://evil-update.example/payload.exe"},
    {"type": "ipv4", "value": "198.51.100.7"},
    {"type": "email", "value": "phisher@evil-mail.example"},  # an e-mail: always confirmed
    {"type": "domain", "value": "evil-update.example"},
    {"type": "sha256", "value": "a" * 64},
]


# --- defanging --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("http://evil-update.example", "hxxp://evil-update[.]example"),
        ("https://evil.example/a.php?x=1", "hxxps://evil[.]example/a[.]php?x=1"),
        ("ftp://files.evil.example/", "fxxp://files[.]evil[.]example/"),
        ("198.51.100.7", "198.51.100[.]7"),
        ("user@example.com", "user[@]example[.]com"),
        ("evil.com.cn", "evil[.]com[.]cn"),
        ("invoice.zip", "invoice[.]zip"),
        ("2001:db8::7", "2001:db8::7"),
        ("CVE-2024-3400", "CVE-2024-3400"),
        ("d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e"),
    ],
)
def test_every_indicator_type_is_defanged_as_analysts_write_it(value, shown):
    assert defang(value) == shown
    assert refang(shown) == value


_label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
_tld = st.sampled_from(["com", "jp", "example"])
_domain = st.builds(lambda labels, tld: ".".join([*labels, tld]),
                    st.lists(_label, min_size=1, max_size=3), _tld)
_path = st.from_regex(r"(/[A-Za-z0-9_~-]{0,8}){0,3}(\.php|\.exe)?", fullmatch=True)
VALUES = {
    IndicatorType.IPV4: st.ip_addresses(v=4).map(str),
    IndicatorType.IPV6: st.ip_addresses(v=6).map(str),
    IndicatorType.DOMAIN: _domain,
    IndicatorType.URL: st.builds(lambda s, d, p: f"{s}://{d}{p}",
                                 st.sampled_from(["http", "https", "ftp", "ftps"]), _domain, _path),
    IndicatorType.EMAIL: st.builds(
        lambda u, d: f"{u}@{d}", st.from_regex(r"[a-z][a-z0-9._+-]{0,10}", fullmatch=True), _domain
    ),
    IndicatorType.FILE_NAME: st.from_regex(r"[A-Za-z0-9_ -]{1,12}(\.[A-Za-z0-9]{1,4}){0,2}",
                                           fullmatch=True),
    IndicatorType.MD5: st.from_regex(r"[0-9a-f]{32}", fullmatch=True),
    IndicatorType.SHA1: st.from_regex(r"[0-9a-f]{40}", fullmatch=True),
    IndicatorType.SHA256: st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    IndicatorType.CVE: st.from_regex(r"CVE-20[0-9]{2}-[0-9]{4,7}", fullmatch=True),
}


@given(data=st.data(), kind=st.sampled_from(list(IndicatorType)))
def test_defang_then_refang_gives_every_indicator_back(data, kind):
    try:
        value = indicator_normalize(kind, data.draw(VALUES[kind]))
    except Exception:  # a generated value the type refuses (e.g. "a..b"): nothing to show
        return
    shown = defang(value)
    assert refang(shown) == value
    assert indicator_normalize(kind, shown) == value  # pasting what is shown gives it back
    assert not re.search(r"(?:https?|ftps?)://", shown, re.IGNORECASE)
    if kind in (IndicatorType.DOMAIN, IndicatorType.URL, IndicatorType.EMAIL):
        assert "." not in shown.replace("[.]", "")


# --- pages and e-mails show no link -----------------------------------------------------------


@pytest.fixture
def shared(incident_for, alice, org_b):
    return incident_for(alice, TLP.GREEN, indicators=EVIL, confirmed_exposures=[PHISHER])


def test_the_incident_page_shows_indicators_defanged_and_never_as_links(shared, bob, client_for):
    page = client_for(bob).get(detail_url(shared)).content.decode()
    assert "hxxp://evil-update[.]example/payload[.]exe" in page
    assert "198.51.100[.]7" in page and "phisher[@]evil-mail[.]example" in page
    assert not HREF_TO_WEB.search(page)
    assert ">http://evil-update" not in page  # the real value only inside data-value
    assert 'data-value="http://evil-update.example/payload.exe"' in page


def test_the_federation_summary_email_shows_values_defanged():
    from apps.digests.summary_views import defang as summary_defang

    assert summary_defang("url", "https://evil.example/x") == defang("https://evil.example/x")


def test_the_csv_import_preview_shows_values_defanged(shared, alice, client_for, community):
    url = reverse("interop:indicators_csv_import", args=[community.slug, shared.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("iocs.csv", b"type,value\nurl,http://another-evil.example/x\n",
                                content_type="text/csv")
    page = client_for(alice).post(url, {"file": upload}).content.decode()
    assert "hxxp://another-evil[.]example/x" in page
    assert not HREF_TO_WEB.search(page)


def test_the_incident_page_costs_the_same_queries_with_many_indicators(
    incident_for, alice, bob, client_for, django_assert_max_num_queries
):
    few = incident_for(alice, TLP.GREEN, indicators=EVIL[:1])
    many = incident_for(alice, TLP.GREEN, title="many", indicators=[
        {"type": "ipv4", "value": f"198.51.100.{n}"} for n in range(1, 61)])
    for indicator in Indicator.objects.filter(incident=many)[:5]:
        sighting_add(user=bob, indicator=indicator)
    client = client_for(bob)
    client.get(detail_url(few))
    with django_assert_max_num_queries(60) as few_queries:
        client.get(detail_url(few))
    with django_assert_max_num_queries(len(few_queries.captured_queries)):
        response = client.get(detail_url(many))
    assert response.content.decode().count("seen by 1 organisation") == 5


# --- paste, edit, remove ----------------------------------------------------------------------


def paste_url(incident):
    return reverse("incidents:indicators", args=[incident.community.slug, incident.pk])


def change_url(indicator, change):
    return reverse("incidents:indicator_change",
                   args=[indicator.incident.community.slug, indicator.incident_id, indicator.pk,
                         change])


PASTED = "\n".join([
    "hxxp://evil-update[.]example/a",
    "203.0.113[.]9",
    "bad-domain[.]example",
    "",
    "44d88612fea8a8f36de82e1278abb02f",
    "10.0.0.5",
])


def test_a_pasted_list_is_typed_defanged_accepted_and_held_for_a_private_address(
    incident_for, alice, client_for
):
    incident = incident_for(alice, TLP.GREEN)
    client = client_for(alice)
    held = client.post(paste_url(incident), {"indicators": PASTED}, HTTP_HX_REQUEST="true")
    assert held.status_code == 200  # htmx swaps the table with the question
    assert 'name="confirmed" value="10.0.0.5"' in held.content.decode()
    assert not Indicator.objects.filter(incident=incident).exists()
    # The user cancels: the table as it was, nothing saved.
    assert client.get(paste_url(incident), HTTP_HX_REQUEST="true").status_code == 200
    assert not Indicator.objects.filter(incident=incident).exists()
    # Confirmed: all five, typed.
    client.post(paste_url(incident), {"indicators": PASTED, "confirmed": ["10.0.0.5"]},
                HTTP_HX_REQUEST="true")
    saved = dict(Indicator.objects.filter(incident=incident).values_list("value", "type"))
    assert saved == {
        "http://evil-update.example/a": "url",
        "203.0.113.9": "ipv4",
        "bad-domain.example": "domain",
        "44d88612fea8a8f36de82e1278abb02f": "md5",
        "10.0.0.5": "ipv4",
    }
    incident.refresh_from_db()
    assert "10.0.0.5" in incident.confirmed_exposures


def test_without_javascript_a_paste_redirects_and_a_held_one_is_a_page_to_confirm(
    incident_for, alice, client_for
):
    incident = incident_for(alice, TLP.GREEN)
    client = client_for(alice)
    held = client.post(paste_url(incident), {"indicators": "fileserver.corp.local\n"})
    assert held.status_code == 400
    assert "fileserver[.]corp[.]local" in held.content.decode()
    assert not Indicator.objects.filter(incident=incident).exists()
    done = client.post(paste_url(incident), {"indicators": "evil[.]example"})
    assert done.status_code == 302 and done["Location"] == detail_url(incident)


def test_a_line_that_is_no_indicator_refuses_the_whole_paste(incident_for, alice, client_for):
    incident = incident_for(alice, TLP.GREEN)
    response = client_for(alice).post(paste_url(incident),
                                      {"indicators": "evil[.]example\nnot/an/indicator"})
    assert response.status_code == 400
    assert "Not an indicator we understand" in response.content.decode()
    assert not Indicator.objects.filter(incident=incident).exists()


def test_only_the_author_or_the_secretariat_change_indicators(
    shared, alice, bob, sec, carol, outsider, client_for
):
    indicator = Indicator.objects.get(incident=shared, type="ipv4")
    for person in (bob, carol):  # they see the item: told why
        client = client_for(person)
        assert client.post(paste_url(shared), {"indicators": "evil2[.]example"}).status_code == 403
        assert client.post(change_url(indicator, "remove")).status_code == 403
        assert client.post(change_url(indicator, "edit"),
                           {"value": "198.51.100.8"}).status_code == 403
    assert client_for(outsider).post(change_url(indicator, "remove")).status_code == 404
    assert Indicator.objects.filter(pk=indicator.pk, value="198.51.100.7").exists()
    client_for(sec).post(change_url(indicator, "edit"), {"value": "198.51.100[.]8", "note": "C2"})
    indicator.refresh_from_db()
    assert (indicator.value, indicator.note) == ("198.51.100.8", "C2")
    client_for(alice).post(change_url(indicator, "remove"), HTTP_HX_REQUEST="true")
    assert not Indicator.objects.filter(pk=indicator.pk).exists()


def test_an_edit_to_an_internal_address_is_held_until_confirmed(shared, alice, client_for):
    indicator = Indicator.objects.get(incident=shared, type="ipv4")
    client = client_for(alice)
    held = client.post(change_url(indicator, "edit"), {"value": "192.168.1.20"},
                       HTTP_HX_REQUEST="true")
    assert 'name="confirmed" value="192.168.1.20"' in held.content.decode()
    indicator.refresh_from_db()
    assert indicator.value == "198.51.100.7"
    client.post(change_url(indicator, "edit"), {"value": "192.168.1.20",
                                                "confirmed": "192.168.1.20"})
    indicator.refresh_from_db()
    assert indicator.value == "192.168.1.20"


# --- download ---------------------------------------------------------------------------------


def download_url(incident):
    return reverse("incidents:indicators_download", args=[incident.community.slug, incident.pk])


def test_the_selected_indicators_download_as_real_values_and_the_export_is_recorded(
    shared, bob, client_for
):
    picked = Indicator.objects.filter(incident=shared, type__in=["url", "ipv4"])
    response = client_for(bob).post(download_url(shared),
                                    {"indicator": [str(i.pk) for i in picked]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines() == [
        "198.51.100.7", "http://evil-update.example/payload.exe"]
    event = AuditEvent.objects.get(action=Action.EXPORT, actor=bob)
    assert event.detail["what"] == "indicators" and event.detail["rows"] == 2
    assert event.detail["format"] == "txt"


def test_a_download_of_what_the_reader_may_not_see_is_404(
    incident_for, alice, bob, carol, org_b, outsider, client_for
):
    amber = incident_for(alice, TLP.AMBER, organizations=[org_b], indicators=EVIL[:2])
    ids = [str(pk) for pk in Indicator.objects.filter(incident=amber).values_list("pk", flat=True)]
    assert client_for(carol).post(download_url(amber), {"indicator": ids}).status_code == 404
    assert client_for(outsider).post(download_url(amber), {"indicator": ids}).status_code == 404
    other = incident_for(alice, TLP.GREEN, indicators=EVIL[3:4])
    # Indicators of another incident, named through this one: nothing to download.
    other_ids = [str(i.pk) for i in Indicator.objects.filter(incident=other)]
    assert client_for(bob).post(download_url(amber), {"indicator": other_ids}).status_code == 404
    assert client_for(bob).post(download_url(amber), {"indicator": ["x"]}).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


# --- sightings --------------------------------------------------------------------------------


def test_a_sighting_names_indicators_when_and_false_positive_and_counts_per_indicator(
    shared, bob, carol, client_for
):
    url_ioc = Indicator.objects.get(incident=shared, type="url")
    ip_ioc = Indicator.objects.get(incident=shared, type="ipv4")
    action = reverse("incidents:action", args=[shared.community.slug, shared.pk, "sighting"])
    client_for(bob).post(action, {"indicators": [str(url_ioc.pk), str(ip_ioc.pk)],
                                  "seen_at": "2026-12-01T09:30"})
    client_for(carol).post(action, {"indicators": [str(ip_ioc.pk)], "false_positive": "on"})
    sightings = Sighting.objects.filter(incident=shared)
    assert sightings.count() == 3
    assert {s.seen_at.day for s in sightings.filter(organization__slug="org-b")} == {1}
    assert sightings.get(organization__slug="org-c").false_positive
    counts = selectors.indicator_sighting_counts([url_ioc.pk, ip_ioc.pk])
    assert counts == {url_ioc.pk: (1, 0), ip_ioc.pk: (1, 1)}
    assert selectors.sighting_counts([shared.pk]) == {shared.pk: 1}
    assert selectors.sighting_counts([shared.pk], false_positive=True) == {shared.pk: 1}
    page = client_for(bob).get(detail_url(shared)).content.decode()
    assert "Seen by 1 organisation" in page and "False positive for 1 organisation" in page
    assert "1 false positive" in page


def test_a_sighting_of_an_indicator_of_another_incident_is_refused(
    shared, incident_for, alice, bob, client_for
):
    other = incident_for(alice, TLP.GREEN, indicators=EVIL[3:4])
    foreign = Indicator.objects.get(incident=other)
    action = reverse("incidents:action", args=[shared.community.slug, shared.pk, "sighting"])
    client_for(bob).post(action, {"indicators": [str(foreign.pk)]})
    assert not Sighting.objects.exists()


def test_the_sighting_api_says_whether_it_was_a_false_positive(shared, bob, client_for):
    indicator = Indicator.objects.get(incident=shared, type="domain")
    sighting_add(user=bob, indicator=indicator, false_positive=True)
    response = client_for(bob).get("/api/v1/sightings/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["false_positive"] for row in rows] == [True]


def test_detection_reads_each_pasted_type():
    assert indicator_candidates("hxxps://x[.]example")[0][0] == "url"

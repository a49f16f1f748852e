"""The federation summary as people read it: its pages and JSON document (members of the
federation's communities only), its charts, and its e-mail to the liaisons."""

import datetime
import re
import smtplib
import xml.etree.ElementTree as ET

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.test import Client

from apps.accounts.services import token_issue
from apps.communities.models import Membership
from apps.digests.models import DeliveryStatus, Summary, SummaryDelivery
from apps.digests.summaries import summary_build, summary_send_all
from apps.digests.tasks import build_federation_summaries, send_federation_summary
from apps.incidents.models import Sighting
from portal.jobs import MAIL_RETRY
from tests.digests.summary_world import (  # noqa: F401 - fixtures
    APRIL,
    at,
    federation_fixture,
    share,
    world_fixture,
)

pytestmark = pytest.mark.django_db

PAGE = "/federations/isac-liaison/summaries/2026-04/"
LIST = "/federations/isac-liaison/summaries/"
JSON = "/api/v1/federations/isac-liaison/summaries/2026-04/"
SECRETS = ("Local green title", "Local clear title", "Amber title", "Red title",
           "amber-only.example.net", "local-only.example.net")


@pytest.fixture
def built(world, federation):
    """A period with something of every kind: federated GREEN (anonymous) and CLEAR items,
    a named corroborated value, two that may only be counted, and items that must never be
    shown (a local GREEN, an AMBER, a RED)."""
    fin, ict = world["fin"], world["ict"]
    alice, bob, dave, outsider = (world[n] for n in ("alice", "bob", "dave", "outsider"))

    def domain(value):
        return [{"type": "domain", "value": value}]

    share(alice, fin, "GREEN", "Anonymous federated green", at(4, 3), federated=True,
          anonymous=True, category="ransomware", indicators=domain("named.example.net"))
    seen = share(bob, fin, "CLEAR", "Federated clear from Beta", at(4, 4), federated=True,
                 category="ddos", indicators=domain("named2.example.net"))
    share(dave, ict, "GREEN", "ICT federated green", at(5, 2), federated=True,
          category="ddos", indicators=domain("named.example.net") + domain(
              "named2.example.net") + domain("amber-only.example.net"))
    share(alice, fin, "GREEN", "Local green title", at(4, 5), category="phishing",
          indicators=domain("local-only.example.net"))
    share(outsider, ict, "GREEN", "ICT local", at(4, 5), category="phishing",
          indicators=domain("local-only.example.net"))
    share(bob, fin, "CLEAR", "Local clear title", at(4, 5), category="phishing")
    share(alice, fin, "AMBER", "Amber title", at(4, 6), category="ransomware",
          indicators=domain("amber-only.example.net"))
    share(alice, fin, "RED", "Red title", at(5, 7), users=[bob], category="fraud")
    share(bob, fin, "GREEN", "Before", at(2, 7), category="ddos")
    s = Sighting.objects.create(community=fin, incident=seen, user=alice,
                                organization=alice.memberships.get().organization)
    Sighting.objects.filter(pk=s.pk).update(created_at=at(4, 9))
    return summary_build(federation, APRIL)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(summary): e-mail it to the liaisons, as after the build's commit."""

    def run(summary):
        with django_capture_on_commit_callbacks(execute=True):
            summary_send_all(summary)

    return run


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


# --- who reads it ------------------------------------------------------------------------------


def test_members_of_the_federation_and_liaisons_read_it_others_get_404(
        built, world, client_for):
    for name in ("alice", "olive", "sec", "dave", "outsider"):
        client = client_for(world[name])
        for url in (LIST, PAGE, JSON):
            assert client.get(url).status_code == 200, (name, url)
    for name in ("stranger", "sam"):  # another community only; suspended
        client = client_for(world[name])
        for url in (LIST, PAGE, JSON):
            assert client.get(url).status_code == 404, (name, url)
    member = client_for(world["alice"])
    for url in ("/federations/nope/summaries/", "/federations/isac-liaison/summaries/2026-06/",
                "/federations/isac-liaison/summaries/2026-05/",
                "/api/v1/federations/isac-liaison/summaries/2026-06/",
                "/api/v1/federations/isac-liaison/summaries/2026-05/"):
        assert member.get(url).status_code == 404, url
    assert Client().get(PAGE).status_code == 302  # to sign in
    assert Client().get(JSON).status_code in (401, 403)


def test_a_liaison_who_is_no_longer_a_member_reads_nothing_and_gets_no_mail(
        built, world, client_for, send):
    dave = world["dave"]
    Membership.objects.filter(user=dave).update(status="left")
    assert client_for(dave).get(PAGE).status_code == 404
    send(built)
    assert [m.to for m in mail.outbox] == [[world["sec"].email]]


def test_the_json_document_answers_a_token(built, world):
    _token, key = token_issue(user=world["dave"], name="script")
    response = Client().get(JSON, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    document = response.json()
    assert document["version"] == 1 and document["period"]["id"] == "2026-04"
    assert document["federation"]["slug"] == "isac-liaison" and document["built_at"]
    assert [c["slug"] for c in document["communities"]] == ["fin-isac", "ict-isac"]
    assert document["communities"][0]["counts"]["total"] == 6
    assert document["communities"][0]["previous"]["total"] == 1
    assert [v["value"] for v in document["corroboration"]["values"]] == [
        "named.example.net", "named2.example.net"]
    assert len(document["corroboration"]["others"]) == 2


# --- what it shows -------------------------------------------------------------------------------


def test_page_json_and_mail_show_only_what_the_federation_may_read(
        built, world, client_for, send):
    client = client_for(world["alice"])
    page = client.get(PAGE).content.decode()
    document = client.get(JSON).content.decode()
    send(built)
    mails = [m.body + m.alternatives[0][0] for m in mail.outbox]
    assert len(mails) == 2
    for text in (page, document, *mails):
        for secret in SECRETS:
            assert secret not in text
        for title in ("Anonymous federated green", "Federated clear from Beta",
                      "ICT federated green"):
            assert title in text
    assert "named[.]example[.]net" in page and "named.example.net" not in page  # unclickable
    assert "named.example.net" in document
    for text in mails:  # unclickable in mail, as analysts write them
        assert "named[.]example[.]net" in text and "named.example.net" not in text


def test_an_anonymous_items_source_is_never_named(built, world, client_for, send):
    # Even the secretariat, which is the hub and may see the source in the portal, reads the
    # summary as everyone does.
    for name in ("alice", "sec", "dave"):
        page = client_for(world[name]).get(PAGE).content.decode()
        assert "Alpha Bank" not in page and "アルファ銀行" not in page and "org-a" not in page
        assert "via the secretariat" in page or "事務局経由" in page
        assert "Beta Securities" in page or "ベータ証券" in page
    document = client_for(world["dave"]).get(JSON).json()
    assert document["items"][0]["title"] == "Anonymous federated green"
    assert document["items"][0]["source"] is None
    assert document["items"][1]["source"]["slug"] == "org-b"
    send(built)
    for message in mail.outbox:
        assert "Alpha Bank" not in message.body and "アルファ銀行" not in message.body
        assert "Alpha Bank" not in message.alternatives[0][0]


def test_a_community_that_switched_counting_off_is_shown_as_not_counted(
        world, federation, client_for):
    ict = world["ict"]
    ict.counts_in_federation_summary = False
    ict.save()
    share(world["dave"], ict, "AMBER", "x", at(4, 4))
    summary_build(federation, APRIL)
    page = client_for(world["alice"]).get(PAGE).content.decode()
    assert "Not counted: this community keeps its counts out of the summary." in page


def test_the_charts_are_well_formed_svg_without_script(world, federation, client_for):
    fin = world["fin"]
    fin.name_en = '<script>alert("x")</script> & "Co" <b>'
    fin.save()
    share(world["alice"], fin, "GREEN", "g", at(4, 4), category="ransomware")
    share(world["alice"], fin, "GREEN", "h", at(2, 4), category="phishing")
    summary_build(federation, APRIL)
    page = client_for(world["alice"]).get(PAGE).content.decode()
    assert "<script" not in page.lower()
    svgs = _svgs(page)
    assert len(svgs) == 2
    labels = []
    for svg in svgs:
        root = ET.fromstring(svg)  # raises if it is not well-formed XML
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        for element in root.iter():
            assert not element.tag.endswith("script")
            assert not any(name.lower().startswith("on") for name in element.attrib)
            assert "href" not in "".join(element.attrib)
            labels.append(element.text or "")
    assert '<script>alert("x")</script> & "Co" <b>'[:20] in "".join(labels)
    assert any("Ransomware" in label for label in labels)


# --- e-mail ----------------------------------------------------------------------------------


def test_liaisons_get_the_summary_once_in_their_language(built, world, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    monkeypatch.setattr("apps.digests.summaries.timezone.now", lambda: at(6, 1, 6, 0))
    for _run in range(2):  # the scheduled job, twice: nothing is sent twice
        with django_capture_on_commit_callbacks(execute=True):
            build_federation_summaries()
    assert Summary.objects.count() == 1
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2 and set(by_address) == {world["sec"].email, world["dave"].email}
    japanese, english = by_address[world["sec"].email], by_address[world["dave"].email]
    assert "様" in japanese.body and "事務局経由" in japanese.body
    assert "ランサムウェア" in japanese.body  # a category, in Japanese
    assert "2026年4月" in japanese.subject and "ISAC連絡会" in japanese.subject
    assert "Dear" in english.body and "via the secretariat" in english.body
    assert "April 2026" in english.subject and "Inter-ISAC Liaison Group" in english.subject
    for message in (japanese, english):
        html, kind = message.alternatives[0]
        assert kind == "text/html" and "<svg" not in html and "<script" not in html
        assert PAGE in message.body
    deliveries = SummaryDelivery.objects.all()
    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
    assert [d.attempts for d in deliveries] == [1, 1]


def test_a_refused_mail_is_recorded_and_retried_until_it_leaves(built, world, monkeypatch):
    sent = []
    failures = iter([smtplib.SMTPServerDisconnected("connection lost"),
                     smtplib.SMTPRecipientsRefused({"dave@delta.example.jp": (450, b"busy")})])

    def flaky_send(message, fail_silently=False):
        failure = next(failures, None)
        if failure:
            raise failure
        sent.append(message)
        return 1

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    for attempt, error in ((1, "SMTPServerDisconnected: connection lost"),
                           (2, "SMTPRecipientsRefused")):
        # Eager, the retry is raised where a worker would requeue it with back-off.
        with pytest.raises(Retry):
            send_federation_summary.delay(built.pk, world["dave"].pk)
        delivery = SummaryDelivery.objects.get()
        assert delivery.status == DeliveryStatus.FAILED and error in delivery.error
        assert delivery.attempts == attempt and delivery.sent_at is None
    send_federation_summary.delay(built.pk, world["dave"].pk)  # the retry: it leaves
    delivery = SummaryDelivery.objects.get()
    assert len(sent) == 1 and delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 3 and delivery.sent_at is not None and delivery.error == ""
    send_federation_summary.delay(built.pk, world["dave"].pk)  # again: nothing more
    assert len(sent) == 1 and SummaryDelivery.objects.get().attempts == 3
    assert send_federation_summary.max_retries == MAIL_RETRY["max_retries"]
    assert smtplib.SMTPException in send_federation_summary.autoretry_for


def test_a_claimed_mail_is_not_sent_by_a_second_worker_until_its_lease_ends(
        built, world, settings):
    from apps.digests.summaries import summary_claim

    dave = world["dave"]
    assert summary_claim(built.pk, dave.pk) is not None  # a worker took it, then died
    send_federation_summary.delay(built.pk, dave.pk)  # a second one: not yet
    assert mail.outbox == []
    SummaryDelivery.objects.update(claimed_at=F("claimed_at") - datetime.timedelta(
        seconds=settings.MAIL_CLAIM_STALE_SECONDS + 1))
    send_federation_summary.delay(built.pk, dave.pk)
    assert len(mail.outbox) == 1 and SummaryDelivery.objects.get().status == "sent"


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_and_the_document_cost_the_same_queries_however_many_items(
        built, world, federation, client_for):
    client = client_for(world["alice"])
    few = (_queries(client, PAGE), _queries(client, JSON))
    for i in range(10):
        share(world["dave"], world["ict"], "GREEN", f"more {i}", at(5, 10 + i), federated=True,
              anonymous=i % 2 == 0, indicators=[{"type": "domain",
                                                 "value": "named.example.net"}])
    summary_build(federation, APRIL)
    many = (_queries(client, PAGE), _queries(client, JSON))
    assert few == many
    assert client.get(PAGE).content.decode().count("more ") >= 10


def test_an_isac_home_links_to_its_federations_summaries(client_for, world, federation):
    page = client_for(world["alice"]).get(f"/c/{world['fin'].slug}/").content.decode()
    assert f"/federations/{federation.slug}/summaries/" in page
    study = client_for(world["stranger"]).get("/c/study/").content.decode()
    assert "/summaries/" not in study  # a study group belongs to no federation

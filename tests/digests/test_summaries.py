"""The federation summary's document: periods, counts, the items shared with the federation,
corroboration, rebuilds and the cost of a build."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.digests.models import Summary
from apps.digests.summaries import (
    Period,
    period_last_finished,
    period_of,
    period_parse,
    summary_build,
    summary_document,
)
from apps.incidents.models import Sighting
from apps.sharing.services import anonymity_set, audience_set
from tests.digests.summary_world import (  # noqa: F401 - fixtures
    APRIL,
    at,
    federation_fixture,
    share,
    world_fixture,
)

pytestmark = pytest.mark.django_db


# --- periods -----------------------------------------------------------------------------------


def test_periods_are_two_months_from_february_april_june_august_october_december():
    assert period_of(at(4, 1, 0, 0)) == period_of(at(5, 31, 23, 59)) == APRIL
    assert period_of(at(6, 1, 0, 0)) == Period(2026, 6)
    assert period_of(at(1, 31, year=2027)) == Period(2026, 12)
    assert Period(2026, 12).ends_at == at(2, 1, 0, 0, year=2027)
    assert Period(2026, 2).previous == Period(2025, 12)
    assert APRIL.previous == Period(2026, 2) and APRIL.next == Period(2026, 6)
    # Summarised the day after it ends: on 1 June 06:00 in Japan, April–May is the last one.
    assert period_last_finished(at(6, 1, 6, 0)) == APRIL
    # 31 May 15:00 in UTC is already 1 June in Japan.
    assert period_of(at(6, 1, 0, 0).astimezone(datetime.UTC)) == Period(2026, 6)


def test_a_month_that_starts_no_period_is_refused_with_the_month_to_use():
    assert period_parse("2026-04") == APRIL
    with pytest.raises(ValidationError) as refused:
        period_parse("2026-05")
    assert "2026-04" in refused.value.messages[0]
    assert "February, April, June" in refused.value.messages[0]
    for bad in ("2026-4", "April", "2026-13", ""):
        with pytest.raises(ValidationError):
            period_parse(bad)


def test_period_boundaries_are_japan_midnights(world, federation):
    fin, alice = world["fin"], world["alice"]
    share(alice, fin, "GREEN", "Last minute of May", at(5, 31, 23, 59))
    share(alice, fin, "GREEN", "First minute of June", at(6, 1, 0, 0))
    share(alice, fin, "GREEN", "Last minute of March", at(3, 31, 23, 59))
    april = summary_build(federation, APRIL).data["communities"][0]
    june = summary_build(federation, "2026-06").data["communities"][0]
    assert april["slug"] == "fin-isac"
    assert (april["counts"]["total"], april["previous"]["total"]) == (1, 1)
    assert (june["counts"]["total"], june["previous"]["total"]) == (1, 1)


# --- counts ----------------------------------------------------------------------------------


def test_counts_include_every_label_and_the_trend(world, federation):
    fin, alice, bob = world["fin"], world["alice"], world["bob"]
    share(alice, fin, "CLEAR", "c", at(4, 2), category="ddos", intent="disruption",
          sectors=["finance"], techniques=["T1486"])
    share(alice, fin, "GREEN", "g", at(4, 3), category="ransomware", intent="money",
          sectors=["finance", "ict"], techniques=["T1486", "T1566.001"])
    share(alice, fin, "AMBER", "a", at(4, 4), category="ransomware", intent="money",
          sectors=["finance"], techniques=["T1486"])
    share(alice, fin, "AMBER+STRICT", "s", at(5, 5), category="ransomware", intent="money")
    share(alice, fin, "RED", "r", at(5, 6), users=[bob], category="phishing",
          sectors=["security_vendor"], techniques=["T1566"])
    share(alice, fin, "RED", "before", at(3, 1), users=[bob], category="ransomware")
    share(alice, fin, "GREEN", "after", at(6, 1), category="ransomware")
    counts = summary_build(federation, APRIL).data["communities"][0]
    assert counts["counted"] is True
    assert counts["counts"] == {
        "total": 5,
        "category": {"ddos": 1, "ransomware": 3, "phishing": 1},
        "intent": {"disruption": 1, "money": 3, "unknown": 1},
        "sector": {"finance": 3, "ict": 1, "security_vendor": 1},
        "technique": {"T1486": 3, "T1566.001": 1, "T1566": 1},
    }
    assert counts["previous"] == {"total": 1, "category": {"ransomware": 1},
                                  "intent": {"unknown": 1}, "sector": {}, "technique": {}}


def test_a_community_that_switched_counting_off_shows_no_counts(world, federation):
    fin, ict = world["fin"], world["ict"]
    share(world["dave"], ict, "AMBER", "ict amber", at(4, 10), category="ddos")
    share(world["alice"], fin, "AMBER", "fin amber", at(4, 10), category="ddos")
    ict.counts_in_federation_summary = False
    ict.save()
    data = summary_build(federation, APRIL).data
    by_slug = {c["slug"]: c for c in data["communities"]}
    assert by_slug["ict-isac"]["counted"] is False
    assert by_slug["ict-isac"]["counts"] is None and by_slug["ict-isac"]["previous"] is None
    assert by_slug["fin-isac"]["counts"]["total"] == 1


# --- items shared with the federation ------------------------------------------------------------


def test_only_federated_green_and_clear_items_are_listed(world, federation):
    fin, ict, alice, bob = world["fin"], world["ict"], world["alice"], world["bob"]
    green = share(alice, fin, "GREEN", "Federated green", at(4, 5), federated=True)
    clear = share(world["dave"], ict, "CLEAR", "Federated clear", at(5, 5), federated=True)
    for tlp, title, extra in (("GREEN", "Local green", {}), ("CLEAR", "Local clear", {}),
                              ("AMBER", "Amber item", {}), ("AMBER+STRICT", "Strict item", {}),
                              ("RED", "Red item", {"users": [bob]})):
        share(alice, fin, tlp, title, at(4, 6), **extra)
    share(alice, fin, "GREEN", "Federated but too early", at(3, 31), federated=True)
    data = summary_build(federation, APRIL).data
    assert [item["title"] for item in data["items"]] == ["Federated green", "Federated clear"]
    first = data["items"][0]
    assert first["id"] == str(green.pk) and first["tlp"] == "GREEN"
    assert first["url"] == f"/c/fin-isac/incidents/{green.pk}/"
    assert first["excerpt"] == "About Federated green: what we saw."  # plain text
    assert first["source"] == {"slug": "org-a", "name": "アルファ銀行", "name_en": "Alpha Bank"}
    assert data["items"][1]["id"] == str(clear.pk)
    text = json.dumps(data, ensure_ascii=False)
    for title in ("Local green", "Local clear", "Amber item", "Strict item", "Red item"):
        assert title not in text


def test_an_anonymous_item_never_names_its_source(world, federation):
    green = share(world["alice"], world["fin"], "GREEN", "Anonymous green", at(4, 5),
                  federated=True, anonymous=True)
    summary = summary_build(federation, APRIL)
    assert summary.data["items"][0]["source"] is None
    text = json.dumps(summary.data, ensure_ascii=False)
    assert "org-a" not in text and "Alpha Bank" not in text and "アルファ銀行" not in text
    assert green.author_organization.slug == "org-a"


def test_what_is_served_follows_sharing_now_not_the_snapshot(world, federation):
    """A label raised after the build takes effect at once; a source made anonymous since is
    no longer named; a value whose item left the federation keeps its counts only."""
    fin, ict, alice = world["fin"], world["ict"], world["alice"]
    raised = share(alice, fin, "GREEN", "Raised later", at(4, 5), federated=True,
                   indicators=[{"type": "domain", "value": "both.example.net"}])
    hidden = share(alice, fin, "GREEN", "Hidden later", at(4, 6), federated=True)
    share(world["dave"], ict, "GREEN", "ICT side", at(4, 7), federated=True,
          indicators=[{"type": "domain", "value": "both.example.net"}])
    summary = summary_build(federation, APRIL)
    assert summary.data["corroboration"]["values"][0]["value"] == "both.example.net"
    audience_set(item=raised, actor=alice, tlp="AMBER")
    anonymity_set(item=hidden, actor=alice, anonymous=True)
    document = summary_document(summary)
    assert [i["title"] for i in document["items"]] == ["Hidden later", "ICT side"]
    assert document["items"][0]["source"] is None
    assert document["corroboration"] == {
        "values": [], "others": [{"communities": 2, "organizations": 2}]}
    assert "Raised later" not in json.dumps(document) and "both.example" not in json.dumps(
        document)


# --- corroboration ---------------------------------------------------------------------------


def test_corroboration_names_a_value_only_when_every_report_is_federated(world, federation):
    fin, ict, alice, dave = world["fin"], world["ict"], world["alice"], world["dave"]
    outsider, bob = world["outsider"], world["bob"]

    def domain(value):
        return {"type": "domain", "value": value}

    # Named: federated GREEN in fin, federated CLEAR in ict, sighted by org B.
    named = share(alice, fin, "GREEN", "f1", at(4, 5), federated=True,
                  indicators=[domain("named.example.net")])
    other = share(dave, ict, "CLEAR", "i1", at(4, 6), federated=True,
                  indicators=[domain("named.example.net")])
    seen = Sighting.objects.create(community=fin, incident=named,
                                   indicator=named.indicators.get(),
                                   organization=bob.memberships.get().organization, user=bob)
    Sighting.objects.filter(pk=seen.pk).update(created_at=at(4, 20))
    # Counts only: one report is AMBER; another value: one report is GREEN but local.
    share(alice, fin, "AMBER", "f2", at(4, 7), indicators=[domain("amber.example.net")])
    share(dave, ict, "GREEN", "i2", at(4, 8), federated=True,
          indicators=[domain("amber.example.net")])
    share(alice, fin, "GREEN", "f3", at(4, 9), indicators=[domain("local.example.net")])
    share(outsider, ict, "GREEN", "i3", at(4, 10), federated=True,
          indicators=[domain("local.example.net")])
    share(dave, ict, "RED", "i4", at(4, 11), users=[outsider],
          indicators=[domain("local.example.net")])
    # Not corroborated: twice in one community; or in the other community before the period.
    share(alice, fin, "GREEN", "f5", at(4, 12), federated=True,
          indicators=[domain("once.example.net")])
    share(bob, fin, "GREEN", "f6", at(4, 13), federated=True,
          indicators=[domain("once.example.net")])
    share(dave, ict, "GREEN", "i6", at(3, 13), federated=True,
          indicators=[domain("once.example.net")])
    corroboration = summary_build(federation, APRIL).data["corroboration"]
    assert corroboration["values"] == [{
        "type": "domain", "value": "named.example.net", "communities": 2,
        "organizations": 3, "incidents": sorted([str(named.pk), str(other.pk)])}]
    assert corroboration["others"] == [{"communities": 2, "organizations": 3},
                                       {"communities": 2, "organizations": 2}]
    text = json.dumps(corroboration)
    assert "amber.example" not in text and "local.example" not in text
    assert "once.example" not in text


def test_a_community_that_switched_counting_off_adds_only_its_federated_reports(
        world, federation):
    fin, ict = world["fin"], world["ict"]
    ict.counts_in_federation_summary = False
    ict.save()
    for value in ("fed.example.net", "amber.example.net"):
        share(world["alice"], fin, "GREEN", value, at(4, 5), federated=True,
              indicators=[{"type": "domain", "value": value}])
    share(world["dave"], ict, "GREEN", "i1", at(4, 6), federated=True,
          indicators=[{"type": "domain", "value": "fed.example.net"}])
    share(world["dave"], ict, "AMBER", "i2", at(4, 6),
          indicators=[{"type": "domain", "value": "amber.example.net"}])
    corroboration = summary_build(federation, APRIL).data["corroboration"]
    assert [v["value"] for v in corroboration["values"]] == ["fed.example.net"]
    assert corroboration["others"] == []


# --- rebuilds, the command and the cost ----------------------------------------------------


def test_a_rebuild_keeps_one_row_and_the_same_document(world, federation):
    share(world["alice"], world["fin"], "GREEN", "g", at(4, 5), federated=True,
          indicators=[{"type": "domain", "value": "x.example.net"}])
    first = summary_build(federation, APRIL)
    second = summary_build(federation, "2026-04")
    out = io.StringIO()
    call_command("build_federation_summary", "isac-liaison", "--period", "2026-04", stdout=out)
    assert Summary.objects.count() == 1
    assert first.pk == second.pk == Summary.objects.get().pk
    assert first.data == second.data == Summary.objects.get().data
    assert first.data["version"] == 1 and first.data["period"]["id"] == "2026-04"
    assert "isac-liaison 2026-04" in out.getvalue()
    assert "1 items shared with the federation" in out.getvalue()


def test_the_command_refuses_a_bad_period_and_an_unknown_federation(world, federation):
    with pytest.raises(CommandError, match="try 2026-04"):
        call_command("build_federation_summary", "isac-liaison", "--period", "2026-05")
    with pytest.raises(CommandError, match="nope"):
        call_command("build_federation_summary", "nope")
    call_command("build_federation_summary", "isac-liaison", stdout=io.StringIO())
    assert Summary.objects.get().period == str(period_last_finished())


def _build_queries(federation) -> int:
    with CaptureQueriesContext(connection) as queries:
        summary_build(federation, APRIL)
    return len(queries)


def test_a_build_costs_the_same_queries_whatever_the_number_of_incidents(world, federation):
    fin, ict, alice, dave = world["fin"], world["ict"], world["alice"], world["dave"]

    def add(n, start):
        for i in range(start, start + n):
            item = share(alice, fin, ["GREEN", "AMBER", "CLEAR"][i % 3], f"f{i}", at(4, 1 + i),
                         federated=i % 3 != 1, anonymous=i % 2 == 0,
                         techniques=["T1486", "T1566"], sectors=["finance", "ict"],
                         indicators=[{"type": "domain", "value": f"v{i}.example.net"}])
            Sighting.objects.create(community=fin, incident=item, user=alice,
                                    organization=item.author_organization,
                                    indicator=item.indicators.get())
            share(dave, ict, "GREEN", f"i{i}", at(5, 1 + i), federated=True,
                  techniques=["T1486"], indicators=[{"type": "domain",
                                                     "value": f"v{i}.example.net"}])
            share(alice, fin, "RED", f"r{i}", at(3, 1 + i), users=[world["bob"]])

    add(2, 0)
    summary_build(federation, APRIL)  # the federation's group exists from here on
    few = _build_queries(federation)
    add(10, 2)
    many = _build_queries(federation)
    data = Summary.objects.get().data
    assert len(data["items"]) > 15 and len(data["corroboration"]["others"]) > 3
    assert few == many, (few, many)
    assert many <= 15

"""Indicators as CSV, out: exactly what the reader may see (compared with
`indicators_visible_to`), filtered like the lists, formula-safe, UTF-8 with a BOM or
Shift_JIS, recorded in the audit trail, streamed in a fixed number of queries."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from apps.audit.models import Action, AuditEvent
from apps.audit.presentation import FORMULA_STARTS
from apps.incidents.models import Incident, Indicator
from apps.incidents.selectors import indicators_visible_to
from apps.interop import csv_io
from apps.sharing.tlp import TLP
from tests.interop.csv_world import body, build_world, read_csv, share

pytestmark = pytest.mark.django_db

API = "/api/v1/csv/indicators/"


@pytest.fixture
def world(cast, community, org_b):
    return build_world(cast, community, org_b)


def web_url(community, **params):
    from urllib.parse import urlencode

    url = reverse("interop:indicators_csv", args=[community.slug])
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def expected(user) -> set[tuple[str, str]]:
    return {(str(incident_id), value) for incident_id, value in
            indicators_visible_to(user).values_list("incident_id", "value")}


def exported(rows) -> set[tuple[str, str]]:
    return {(row["incident_id"], row["value"].removeprefix("'")) for row in rows}


def test_api_export_holds_exactly_what_each_person_may_see(world, cast, client_for, client):
    for name, user in cast.items():
        response = client_for(user).get(API)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert exported(read_csv(body(response))) == expected(user), name
    anonymous = read_csv(body(client.get(API)))
    assert exported(anonymous) == expected(AnonymousUser())
    assert {row["tlp"] for row in anonymous} == {"TLP:CLEAR"}


def test_red_reaches_recipient_and_author_amber_only_chosen_organisations(world, cast,
                                                                         client_for):
    def incidents_of(user):
        return {row["incident_id"] for row in read_csv(body(client_for(user).get(API)))}

    red, amber = str(world["red"].pk), str(world["amber"].pk)
    assert red in incidents_of(cast["alice"]) and red in incidents_of(cast["bob"])
    for name in ("carol", "sec", "olive", "sam", "outsider"):
        assert red not in incidents_of(cast[name]), name
    for name in ("alice", "bob", "olive", "sec"):
        assert amber in incidents_of(cast[name]), name
    for name in ("carol", "sam", "outsider"):
        assert amber not in incidents_of(cast[name]), name
    assert incidents_of(cast["outsider"]) == {str(world["clear"].pk)}


def test_web_export_is_the_list_s_and_narrows_by_its_filters(world, cast, community,
                                                             client_for):
    bob = client_for(cast["bob"])
    everything = read_csv(body(bob.get(web_url(community))))
    assert exported(everything) == expected(cast["bob"])
    one = read_csv(body(bob.get(web_url(community, incident=world["amber"].pk))))
    assert {row["value"] for row in one} == {"203.0.113.10", "'-invoice.exe"}
    domains = read_csv(body(bob.get(web_url(community, type="domain"))))
    assert {row["value"] for row in domains} == {"red-c2.example", "update-check.xyz"}
    searched = read_csv(body(bob.get(web_url(community, q="phishing"))))
    assert {row["incident_id"] for row in searched} == {str(world["green"].pk)}
    labelled = read_csv(body(bob.get(web_url(community, tlp=["RED", "CLEAR"]))))
    assert {row["tlp"] for row in labelled} == {"TLP:RED", "TLP:CLEAR"}
    # Carol (org C) is not told about the AMBER item, even by asking for it by id.
    carol = read_csv(body(client_for(cast["carol"]).get(
        web_url(community, incident=world["amber"].pk))))
    assert carol == []


def test_outsider_gets_404_on_the_web_export_of_a_community_showing_nothing(
        cast, community, client_for, org_b):
    response = client_for(cast["outsider"]).get(web_url(community))
    assert response.status_code == 404


def test_invalid_filter_is_refused_not_ignored(world, cast, client_for, community):
    response = client_for(cast["bob"]).get(API, {"incident": "not-a-uuid"})
    assert response.status_code == 400
    response = client_for(cast["bob"]).get(API, {"tlp": "PURPLE"})
    assert response.status_code == 400
    web = client_for(cast["bob"]).get(web_url(community, tlp="PURPLE"))
    assert web.status_code == 302


def test_anonymous_source_is_never_written_not_even_for_its_author_or_the_secretariat(
        world, cast, client_for):
    for name in ("alice", "bob", "carol", "sec"):
        content = body(client_for(cast[name]).get(API))
        text = content.decode("utf-8-sig")
        rows = {row["incident_id"]: row for row in read_csv(content)}
        assert rows[str(world["anonymous"].pk)]["source"] == "via the secretariat", name
        assert "Gamma" not in text and "ガンマ" not in text, name
        assert rows[str(world["green"].pk)]["source"] == "Alpha Bank"


def test_dangerous_first_characters_are_neutralised(world, cast, client_for):
    rows = read_csv(body(client_for(cast["bob"]).get(API)))
    notes = {row["value"]: row["note"] for row in rows}
    assert notes["203.0.113.10"] == "'=HYPERLINK(\"http://x\")"
    assert notes["update-check.xyz"] == "'+81 電話"
    assert "'-invoice.exe" in notes
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS)


DANGEROUS = st.sampled_from(list(FORMULA_STARTS))
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=30)


@given(first=DANGEROUS, rest=TEXT, title_first=DANGEROUS)
def test_no_cell_starts_a_formula_whatever_it_holds(first, rest, title_first):
    incident = Incident(title=title_first + rest, tlp=TLP.GREEN, anonymous=True)
    indicator = Indicator(incident=incident, type="filename", value=first + "x" + rest,
                          note=first + rest)
    export = csv_io.Export(indicators=[indicator], filters={})
    content = b"".join(csv_io.indicators_csv_stream(export))
    rows = read_csv(content)
    assert len(rows) == 1
    for cell in rows[0].values():
        assert not cell.startswith(FORMULA_STARTS)
    assert rows[0]["note"] == "'" + first + rest
    assert rows[0]["incident_title"] == "'" + title_first + rest


def test_utf8_has_a_bom_and_shift_jis_none_and_both_read_japanese(world, cast, client_for):
    client = client_for(cast["alice"])
    utf8 = body(client.get(API))
    assert utf8.startswith(b"\xef\xbb\xbf")
    sjis = client.get(API, {"encoding": "shift_jis"})
    assert sjis["Content-Type"] == "text/csv; charset=shift_jis"
    assert "-sjis.csv" in sjis["Content-Disposition"]
    content = body(sjis)
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(content, "cp932")
    assert "赤の事案" in {row["incident_title"] for row in rows}
    assert read_csv(utf8) == rows


def test_shift_jis_export_that_would_lose_a_character_is_refused_with_the_row(
        world, cast, community, client_for):
    share(cast["alice"], community, TLP.GREEN, "絵文字 😀 の事案",
          [{"type": "domain", "value": "emoji.example"}])
    client = client_for(cast["alice"])
    response = client.get(API, {"encoding": "shift_jis"})
    assert response.status_code == 400
    assert "😀" in response.json()["encoding"][0] and "row 2" in response.json()["encoding"][0]
    assert client.get(API, {"encoding": "utf-8"}).status_code == 200
    assert client.get(API, {"encoding": "latin-1"}).status_code == 400
    web = client.get(web_url(community, encoding="shift_jis"), follow=True)
    assert "Shift_JIS cannot write" in web.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT, detail__encoding="shift_jis")


def test_export_is_recorded_in_the_audit_trail(world, cast, community, client_for):
    client_for(cast["bob"]).get(web_url(community, type="domain"))
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == cast["bob"] and event.community_id == community.pk
    assert event.detail["what"] == "indicators" and event.detail["format"] == "csv"
    assert event.detail["rows"] == 2
    assert event.detail["filters"] == {"type": "domain", "encoding": "utf-8"}


def _fill(author, community, incidents: int, per_incident: int):
    for number in range(incidents):
        share(author, community, TLP.GREEN, f"bulk {number}", [
            {"type": "domain", "value": f"host{n}.bulk{number}.example"}
            for n in range(per_incident)])


def test_queries_are_fixed_whatever_the_number_of_rows(cast, community, client_for,
                                                       django_assert_max_num_queries):
    client = client_for(cast["bob"])
    _fill(cast["alice"], community, 1, 3)
    client.get(API)  # warm caches of the session and the content types
    with CaptureQueriesContext(connection) as few:
        assert len(read_csv(body(client.get(API)))) == 3
    _fill(cast["alice"], community, 10, 30)
    with CaptureQueriesContext(connection) as many:
        assert len(read_csv(body(client.get(API)))) == 303
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few) + 1):
        body(client.get(API, {"encoding": "shift_jis"}))  # one more pass, one more query


def test_stream_hands_over_chunks_not_one_block(cast, community):
    _fill(cast["alice"], community, 2, 400)
    export = csv_io.indicators_for_export(user=cast["bob"], params={})
    chunks = list(csv_io.indicators_csv_stream(export))
    assert len(chunks) > 1
    assert max(len(chunk) for chunk in chunks) < 2 * 64 * 1024

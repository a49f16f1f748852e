"""Indicators as CSV, in: only the incident's editors, every row checked first with its row
number, all or nothing, UTF-8 and Shift_JIS, duplicates reported, victim data held for
confirmation, and an export read back into another incident gives the same indicators."""

import base64
import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.incidents.models import Indicator
from apps.interop import csv_io
from apps.sharing.exposure import ExposureFound
from apps.sharing.tlp import TLP
from tests.interop.csv_world import share

pytestmark = pytest.mark.django_db

API = "/api/v1/csv/indicators/import/"
HEADER = "type,value,first_seen,last_seen,note\r\n"


@pytest.fixture
def incident(cast, community, org_b):
    """Alice's AMBER incident for orgs A and B: alice and sec may change it, bob only reads."""
    return share(cast["alice"], community, TLP.AMBER, "Target", [
        {"type": "domain", "value": "already.example"}], organizations=[org_b])


@pytest.fixture
def other(cast, community):
    return share(cast["alice"], community, TLP.GREEN, "Other", [])


def page(incident):
    return reverse("interop:indicators_csv_import", args=[incident.community.slug, incident.pk])


def values(incident):
    return set(Indicator.objects.filter(incident=incident).values_list("type", "value"))


def post_api(client, incident, content: bytes, **options):
    return client.post(API, {"incident": str(incident.pk),
                             "content_base64": base64.b64encode(content).decode(), **options},
                       content_type="application/json")


# --- reading ------------------------------------------------------------------------------


def test_types_are_detected_and_defanged_values_refanged(incident):
    content = (HEADER + ",hxxp://evil[.]example/a,,,\r\n,198.51.100[.]7,,,\r\n"
               "IPv4 address,203.0.113.5,2025/5/1 10:00,2025-05-02,\r\n"
               "sha-256," + "A" * 64 + ",,,\r\nip-dst,2001:db8::1,,,\r\n").encode()
    result = csv_io.indicators_csv_read(incident=incident, data=content)
    assert result.ok, result.errors
    assert [(row.type, row.value, row.type_detected) for row in result.to_add] == [
        ("url", "http://evil.example/a", True), ("ipv4", "198.51.100.7", True),
        ("ipv4", "203.0.113.5", False), ("sha256", "a" * 64, False),
        ("ipv6", "2001:db8::1", False)]
    assert result.to_add[2].first_seen == datetime.datetime(2025, 5, 1, 1, 0,
                                                            tzinfo=datetime.UTC)


def test_each_bad_row_is_reported_with_its_row_number_and_nothing_is_saved(incident, cast):
    content = (HEADER + "domain,good.example,,,\r\n"          # row 2: fine
               "ipv4,999.1.1.1,,,\r\n"                        # row 3: not an address
               "colour,red,,,\r\n"                            # row 4: unknown type
               "\r\n"                                         # row 5: blank, skipped
               ",,,,a note without a value\r\n"               # row 6: no value
               "domain,dated.example,yesterday,,\r\n"         # row 7: not a date
               "domain,late.example,2025-05-02,2025-05-01,\r\n"  # row 8: last before first
               "domain,GOOD.example,,,\r\n"                   # row 9: same as row 2
               "domain,already.example,,,\r\n").encode()      # row 10: on the incident
    result = csv_io.indicators_csv_read(incident=incident, data=content)
    errors = dict(result.errors)
    assert sorted(errors) == [3, 4, 6, 7, 8, 9, 10]
    assert "999.1.1.1" in errors[3][0]
    assert "colour" in errors[4][0]
    assert errors[6] == ["No value."]
    assert "yesterday" in errors[7][0]
    assert "Last seen cannot be before first seen." in errors[8]
    assert errors[9] == ["The same indicator as row 2."]
    assert "Already on this incident" in errors[10][0]
    before = values(incident)
    with pytest.raises(csv_io.CsvRejected) as refused:
        csv_io.indicators_csv_import(incident=incident, actor=cast["alice"], data=content)
    assert "row 3: " in refused.value.messages[0]
    assert values(incident) == before


def test_existing_indicators_can_be_skipped_instead(incident, cast):
    content = (HEADER + "domain,already.example,,,\r\ndomain,new.example,,,\r\n").encode()
    result = csv_io.indicators_csv_import(incident=incident, actor=cast["alice"], data=content,
                                          skip_existing=True)
    assert [row.row for row in result.skipped] == [2]
    assert [i.value for i in result.added] == ["new.example"]


def test_file_level_refusals_are_clear(incident):
    def refusal(data, **options):
        result = csv_io.indicators_csv_read(incident=incident, data=data, **options)
        assert not result.ok and not result.rows
        return " ".join(result.file_errors)

    assert "at least “value”" in refusal(b"a,b\r\n1,2\r\n")
    assert "no indicators" in refusal(HEADER.encode())
    assert "larger than 1024 KB" in refusal(b"x" * (csv_io.MAX_BYTES + 1))
    assert "UTF-16" in refusal("value\r\n1.2.3.4\r\n".encode("utf-16"))
    assert "not in UTF-8" in refusal("value,note\r\n1.2.3.4,メモ\r\n".encode("cp932"),
                                     encoding="utf-8")
    many = HEADER + "".join(f"domain,h{n}.example,,,\r\n" for n in range(csv_io.MAX_ROWS + 1))
    result = csv_io.indicators_csv_read(incident=incident, data=many.encode())
    assert "at most 5000" in " ".join(result.file_errors) and not result.ok


def test_shift_jis_with_japanese_notes_and_headers_is_detected_or_chosen(incident, cast):
    content = ("種別,値,初回観測,最終観測,メモ\r\n"
               "domain,c2.example.jp,2025/04/01,,攻撃者のC2サーバ（①）\r\n"
               ",198.51.100.9,,,フィッシングサイト\r\n").encode("cp932")
    for encoding in (csv_io.AUTO, "shift_jis"):
        result = csv_io.indicators_csv_read(incident=incident, data=content, encoding=encoding)
        assert result.ok and result.encoding == "shift_jis"
    result = csv_io.indicators_csv_import(incident=incident, actor=cast["alice"], data=content)
    notes = {indicator.value: indicator.note for indicator in result.added}
    assert notes == {"c2.example.jp": "攻撃者のC2サーバ（①）", "198.51.100.9": "フィッシングサイト"}


def test_utf8_with_and_without_bom(incident):
    for prefix in (b"\xef\xbb\xbf", b""):
        result = csv_io.indicators_csv_read(
            incident=incident, data=prefix + "value,note\nexample.org,日本語\n".encode())
        assert result.ok and result.encoding == "utf-8"
        assert result.to_add[0].note == "日本語"


# --- victim data --------------------------------------------------------------------------


def test_victim_data_is_held_until_confirmed(incident, cast):
    content = (HEADER + "ipv4,10.1.2.3,,,\r\ndomain,ok.example,,,contact taro@victim.co.jp\r\n"
               ).encode()
    result = csv_io.indicators_csv_read(incident=incident, data=content)
    assert result.ok
    assert {finding.match for finding in result.findings()} == {"10.1.2.3",
                                                                "taro@victim.co.jp"}
    before = values(incident)
    with pytest.raises(ExposureFound):
        csv_io.indicators_csv_import(incident=incident, actor=cast["alice"], data=content,
                                     confirmed_exposures=["10.1.2.3"])
    assert values(incident) == before
    csv_io.indicators_csv_import(incident=incident, actor=cast["alice"], data=content,
                                 confirmed_exposures=["10.1.2.3", "taro@victim.co.jp"])
    assert ("ipv4", "10.1.2.3") in values(incident)
    incident.refresh_from_db()
    assert {"10.1.2.3", "taro@victim.co.jp"} <= set(incident.confirmed_exposures)


# --- who may import -----------------------------------------------------------------------


def test_only_the_author_or_secretariat_may_import(incident, cast, client_for):
    content = (HEADER + "domain,x.example,,,\r\n").encode()
    assert client_for(cast["bob"]).get(page(incident)).status_code == 403
    assert client_for(cast["olive"]).get(page(incident)).status_code == 403
    assert client_for(cast["carol"]).get(page(incident)).status_code == 404  # not in audience
    assert client_for(cast["outsider"]).get(page(incident)).status_code == 404
    assert client_for(cast["alice"]).get(page(incident)).status_code == 200
    assert client_for(cast["sec"]).get(page(incident)).status_code == 200
    assert post_api(client_for(cast["bob"]), incident, content).status_code == 403
    assert post_api(client_for(cast["carol"]), incident, content).status_code == 404
    assert post_api(client_for(cast["outsider"]), incident, content).status_code == 404
    assert values(incident) == {("domain", "already.example")}


def test_import_link_shows_for_editors_only(incident, cast, client_for):
    detail = reverse("incidents:detail", args=[incident.community.slug, incident.pk])
    assert page(incident) in client_for(cast["alice"]).get(detail).content.decode()
    bob = client_for(cast["bob"]).get(detail).content.decode()
    assert page(incident) not in bob
    assert "indicators.csv?incident=" in bob


# --- the web flow and the API --------------------------------------------------------------


def test_web_upload_previews_then_saves(incident, cast, client_for):
    client = client_for(cast["alice"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (HEADER + ",evil[.]example,,,メモ\r\nipv4,10.9.8.7,,,\r\n").encode("cp932")
    upload = SimpleUploadedFile("iocs.csv", content, content_type="text/csv")
    preview = client.post(page(incident), {"file": upload, "encoding": "auto"})
    text = preview.content.decode()
    assert preview.status_code == 200 and "evil[.]example" in text and "10.9.8[.]7" in text
    assert values(incident) == {("domain", "already.example")}  # nothing saved yet
    form = {"content": base64.b64encode(content).decode(), "read_as": "shift_jis",
            "encoding": "auto", "save": "1"}
    refused = client.post(page(incident), form)
    assert refused.status_code == 400 and "Nothing was saved" in refused.content.decode()
    saved = client.post(page(incident), {**form, "confirmed": ["10.9.8.7"]})
    assert saved.status_code == 302
    assert {("domain", "evil.example"), ("ipv4", "10.9.8.7")} <= values(incident)
    assert Indicator.objects.get(incident=incident, value="evil.example").note == "メモ"


def test_web_preview_lists_errors_and_offers_no_save(incident, cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("iocs.csv", (HEADER + "ipv4,nope,,,\r\n").encode())
    response = client_for(cast["alice"]).post(page(incident), {"file": upload})
    text = response.content.decode()
    assert response.status_code == 400 and "“nope” is not a valid IPv4 address." in text
    assert 'name="save"' not in text


def test_template_downloads_and_is_importable(incident, cast, client_for):
    url = reverse("interop:indicators_csv_template", args=[incident.community.slug])
    for encoding in ("utf-8", "shift_jis"):
        response = client_for(cast["alice"]).get(url, {"encoding": encoding})
        assert response.status_code == 200
        result = csv_io.indicators_csv_read(incident=incident, data=response.content)
        assert result.ok and len(result.to_add) == 3, result.errors


def test_api_dry_run_then_import(incident, cast, client_for):
    client = client_for(cast["alice"])
    content = (HEADER + ",evil[.]example,,,\r\nipv4,10.0.0.1,,,\r\n").encode()
    dry = post_api(client, incident, content, dry_run=True)
    assert dry.status_code == 200 and dry.json()["ok"] and not dry.json()["saved"]
    assert [e["match"] for e in dry.json()["exposures"]] == ["10.0.0.1"]
    refused = post_api(client, incident, content)
    assert refused.status_code == 400 and "identify the victim" in refused.json()["detail"]
    done = post_api(client, incident, content, confirmed=["10.0.0.1"])
    assert done.status_code == 201 and done.json()["added"] == 2
    again = post_api(client, incident, content, confirmed=["10.0.0.1"])
    assert again.status_code == 400
    assert [error["row"] for error in again.json()["errors"]] == [2, 3]
    as_text = client.post(API, {"incident": str(incident.pk), "content": content.decode(),
                                "skip_existing": True}, content_type="application/json")
    assert as_text.status_code == 201, as_text.json()
    assert as_text.json()["added"] == 0 and len(as_text.json()["skipped"]) == 2
    sjis = "value,note\r\n203.0.113.99,日本語のメモ\r\n".encode("cp932")
    read = post_api(client, incident, sjis, encoding="shift_jis")
    assert read.status_code == 201 and read.json()["encoding"] == "shift_jis"
    assert read.json()["indicators"][0]["note"] == "日本語のメモ"
    both = client.post(API, {"incident": str(incident.pk), "content": "value\n1.2.3.4",
                             "content_base64": "eA=="}, content_type="application/json")
    assert both.status_code == 400 and "content" in both.json()


# --- round trip ---------------------------------------------------------------------------


def _exported(user, incident, encoding):
    export = csv_io.indicators_for_export(user=user, params={"incident": str(incident.pk)})
    return b"".join(csv_io.indicators_csv_stream(export, encoding=encoding))


def _kept(incident):
    return sorted(Indicator.objects.filter(incident=incident).values_list(
        "type", "value", "first_seen", "last_seen", "note"))


@pytest.mark.parametrize("encoding", ["utf-8", "shift_jis"])
def test_export_then_import_into_another_incident_gives_the_same_values(
        encoding, cast, community, other):
    source = share(cast["alice"], community, TLP.GREEN, "Source", [
        {"type": "domain", "value": "c2.example.jp", "note": "=SUM(A1) 攻撃者",
         "first_seen": datetime.datetime(2025, 5, 1, 1, 2, 3, tzinfo=datetime.UTC)},
        {"type": "filename", "value": "-rf.exe", "note": "+改行\n二行目",
         "last_seen": datetime.datetime(2025, 5, 2, tzinfo=datetime.UTC)},
        {"type": "url", "value": "http://evil.example/@x", "note": "@mention\ttab"},
        {"type": "sha1", "value": "a" * 40}])
    content = _exported(cast["alice"], source, encoding)
    csv_io.indicators_csv_import(incident=other, actor=cast["alice"], data=content)
    assert _kept(other) == _kept(source)


NOTE = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
               max_size=40).filter(lambda text: text.strip() == text)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=NOTE, start=st.sampled_from(["", "'", "'=", "''-", *csv_io.FORMULA_STARTS[:4]]))
def test_round_trip_keeps_any_note(note, start, cast, community):
    note = (start + note).strip()
    source = share(cast["alice"], community, TLP.GREEN, "S", [
        {"type": "domain", "value": "round.example", "note": note}])
    target = share(cast["alice"], community, TLP.GREEN, "T", [])
    content = _exported(cast["alice"], source, "utf-8")
    csv_io.indicators_csv_import(incident=target, actor=cast["alice"], data=content)
    assert _kept(target) == _kept(source)


def test_a_text_that_looks_neutralised_already_survives_the_round_trip():
    for text in ("'=x", "''+y", "'-", "'@a"):
        assert csv_io._unneutralise(csv_io._neutralise(text)) == text
    for text in ("=x", "+y", "-", "@a", "\tz", "\rw", "plain", "'plain", ""):
        assert csv_io._unneutralise(csv_io._neutralise(text)) == text

"""Victim-betraying data is listed before sharing; the author confirms each item or redacts."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.incidents.models import Incident
from apps.incidents.services import incident_update, indicator_add
from apps.sharing.exposure import ExposureKind, find_exposures

REPORT = (
    "経理部の担当者 taro.yamada@victim-bank.co.jp 宛に請求書を装ったメールが届き、"
    "添付ファイルを開いたPC-1234が感染しました。マルウェアは C:\\Users\\taro\\AppData\\"
    "Local\\Temp\\inv.exe に保存され、10.20.30.40から fs01.victim.local へ横展開、"
    "VICTIM\\yamada の資格情報が使われました。C2は hxxp://185.220.101[.]4/gate.php と "
    "update-check[.]xyz です。"
)


def kinds(findings):
    return {(finding.kind, finding.match) for finding in findings}


def test_a_japanese_report_lists_every_identifying_item_and_no_attacker_data():
    found = kinds(find_exposures({"summary": REPORT}))
    assert found == {
        (ExposureKind.EMAIL, "taro.yamada@victim-bank.co.jp"),
        (ExposureKind.INTERNAL_HOST, "PC-1234"),
        (ExposureKind.USER_NAME, "taro"),
        (ExposureKind.PRIVATE_IP, "10.20.30.40"),
        (ExposureKind.INTERNAL_HOST, "fs01.victim.local"),
        (ExposureKind.USER_NAME, "VICTIM\\yamada"),
    }


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("侵入元は192.168.10.5でした", ExposureKind.PRIVATE_IP, "192.168.10.5"),
        ("内部セグメント172.16.0.0/12を横断", ExposureKind.PRIVATE_IP, "172.16.0.0/12"),
        ("CGNAT配下の100.64.12.7から", ExposureKind.PRIVATE_IP, "100.64.12.7"),
        ("ループバック127.0.0.1に待受", ExposureKind.PRIVATE_IP, "127.0.0.1"),
        ("リンクローカル169.254.10.1", ExposureKind.PRIVATE_IP, "169.254.10.1"),
        ("ULA fd12:3456:789a::1 で通信", ExposureKind.PRIVATE_IP, "fd12:3456:789a::1"),
        ("fe80::1ff:fe23:4567:890aへ", ExposureKind.PRIVATE_IP, "fe80::1ff:fe23:4567:890a"),
        ("defanged 10[.]1[.]2[.]3 も", ExposureKind.PRIVATE_IP, "10.1.2.3"),
        ("DC01 が停止", ExposureKind.INTERNAL_HOST, "DC01"),
        ("dc01.example.co.jp に不審なログオン", ExposureKind.INTERNAL_HOST, "dc01.example.co.jp"),
        ("srv-file02.corp の共有", ExposureKind.INTERNAL_HOST, "srv-file02.corp"),
        ("wiki.intranet を閲覧", ExposureKind.INTERNAL_HOST, "wiki.intranet"),
        ("DESKTOP-7H3K2LQ で実行", ExposureKind.INTERNAL_HOST, "DESKTOP-7H3K2LQ"),
        ("nas.lan に暗号化", ExposureKind.INTERNAL_HOST, "nas.lan"),
        ("ssh admin@fs02 で侵入", ExposureKind.USER_NAME, "admin@fs02"),
        ("/home/hanako/.ssh を窃取", ExposureKind.USER_NAME, "hanako"),
        ("CORP\\suzuki が実行", ExposureKind.USER_NAME, "CORP\\suzuki"),
        (
            "窃取された jiro[@]victim-corp[.]jp の認証情報",
            ExposureKind.EMAIL,
            "jiro@victim-corp.jp",
        ),
    ],
)
def test_each_kind_is_found_inside_japanese_text_and_defanged_forms(text, kind, match):
    assert (kind, match) in kinds(find_exposures({"summary": text}))


@pytest.mark.parametrize(
    "text",
    [
        "C2サーバ 185.220.101.4 と 45.77.12.9 に通信",
        "攻撃者のドメイン login.microsoftonline-secure.com と update-check.xyz",
        "ドキュメント用 2001:db8::1 と公開DNS 8.8.8.8",
        "C:\\Windows\\System32\\cmd.exe と HKLM\\Software\\Microsoft\\Run",
        "NT AUTHORITY\\SYSTEM 権限で実行、C:\\Users\\Public\\a.dll",
        "hxxps://cdn-update[.]top/x.ps1 をダウンロード",
        "CVE-2023-4966 を悪用、バージョン 1.2.3.4a",
        "PCR検査ではなく、PCの話",
    ],
)
def test_public_attacker_data_and_system_paths_are_not_flagged(text):
    assert find_exposures({"summary": text}) == []


def test_indicator_values_are_checked_too():
    found = find_exposures({}, ["192[.]168[.]0[.]5", "evil.example.com", "mail.corp"])
    assert kinds(found) == {
        (ExposureKind.PRIVATE_IP, "192.168.0.5"),
        (ExposureKind.INTERNAL_HOST, "mail.corp"),
    }
    assert {finding.where for finding in found} == {"indicators"}


@pytest.mark.django_db
def test_sharing_is_refused_until_each_finding_is_confirmed(incident_for, alice):
    with pytest.raises(ValidationError) as error:
        incident_for(alice, "GREEN", summary=REPORT)
    message = error.value.message_dict["exposures"][0]
    assert "taro.yamada@victim-bank.co.jp" in message and "10.20.30.40" in message
    assert not Incident.objects.exists()

    with pytest.raises(ValidationError):  # one finding left unconfirmed
        incident_for(alice, "GREEN", summary=REPORT, confirmed_exposures=["PC-1234"])

    confirmed = [
        "taro.yamada@victim-bank.co.jp",
        "PC-1234",
        "taro",
        "10.20.30.40",
        "fs01.victim.local",
        "VICTIM\\yamada",
    ]
    incident = incident_for(alice, "GREEN", summary=REPORT, confirmed_exposures=confirmed)
    assert set(incident.confirmed_exposures) == set(confirmed)


@pytest.mark.django_db
def test_redacting_is_the_other_way_to_share(incident_for, alice):
    incident = incident_for(alice, "AMBER", summary="感染端末 [REDACTED] から C2 185.220.101.4 へ")
    assert incident.confirmed_exposures == []


@pytest.mark.django_db
def test_indicators_given_at_creation_are_checked(incident_for, alice):
    with pytest.raises(ValidationError) as error:
        incident_for(alice, "GREEN", indicators=[{"type": "ipv4", "value": "10.0.0.8"}])
    assert "10.0.0.8" in error.value.message_dict["exposures"][0]
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_the_refusal_speaks_the_authors_language(incident_for, alice):
    with translation.override("ja"), pytest.raises(ValidationError) as error:
        incident_for(alice, "GREEN", summary="192.168.1.20 が感染")
    message = error.value.message_dict["exposures"][0]
    assert "192.168.1.20" in message
    # Built from translated parts: the field name comes in Japanese (the sentence itself
    # follows once the catalogues carry it).
    assert "概要" in message


@pytest.mark.django_db
def test_an_update_rechecks_but_keeps_what_was_confirmed(incident_for, alice):
    incident = incident_for(
        alice, "GREEN", summary="PC-1234 が感染", confirmed_exposures=["pc-1234"]
    )
    incident_update(incident=incident, actor=alice, title="更新: PC-1234 が感染")
    with pytest.raises(ValidationError):
        incident_update(incident=incident, actor=alice, summary="PC-1234 と 10.9.9.9 が感染")
    incident.refresh_from_db()
    assert incident.summary == "PC-1234 が感染"
    incident_update(
        incident=incident,
        actor=alice,
        summary="PC-1234 と 10.9.9.9 が感染",
        confirmed_exposures=["10.9.9.9"],
    )
    with pytest.raises(ValidationError):
        indicator_add(incident=incident, actor=alice, type="domain", value="dc01.corp")
    indicator_add(
        incident=incident,
        actor=alice,
        type="domain",
        value="dc01[.]corp",
        confirmed_exposures=["dc01.corp"],
    )

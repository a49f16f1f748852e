"""Indicators are validated and normalised, so the same value written differently is one."""

import pytest
from django.core.exceptions import ValidationError

from apps.incidents.indicators import indicator_candidates, indicator_normalize
from apps.sharing.exposure import refang


@pytest.mark.parametrize(
    ("kind", "written", "normal"),
    [
        ("ipv4", "185.220.101[.]4", "185.220.101.4"),
        ("ipv4", " 45.77.12.9 ", "45.77.12.9"),
        ("ipv6", "2001:DB8:0:0::1", "2001:db8::1"),
        ("ipv6", "2a01:4f8[:]c17:b8f::2", "2a01:4f8:c17:b8f::2"),
        ("domain", "Update-Check[.]XYZ", "update-check.xyz"),
        ("domain", "login.microsoftonline-secure(.)com.", "login.microsoftonline-secure.com"),
        ("domain", "例え.jp", "xn--r8jz45g.jp"),
        ("url", "hxxp://evil-cdn[.]com/Payload.EXE?id=Ab", "http://evil-cdn.com/Payload.EXE?id=Ab"),
        (
            "url",
            "hXXps[:]//LOGIN.Example-Bank(.)co[.]jp:8443/Login",
            "https://login.example-bank.co.jp:8443/Login",
        ),
        ("email", "Invoice[@]Mail-Secure[.]Top", "invoice@mail-secure.top"),
        ("filename", "請求書_2024.pdf.exe", "請求書_2024.pdf.exe"),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        (
            "sha1",
            "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        ),
        (
            "sha256",
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        ("cve", "cve-2023-4966", "CVE-2023-4966"),
        ("cve", "CVE-2021-44228", "CVE-2021-44228"),
    ],
)
def test_values_are_refanged_and_normalised(kind, written, normal):
    assert indicator_normalize(kind, written) == normal


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("ipv4", "256.1.1.1"),
        ("ipv4", "2001:db8::1"),
        ("ipv6", "10.0.0.1"),
        ("domain", "localhost"),
        ("domain", "-bad-.example.com"),
        ("domain", "1.2.3.4"),
        ("url", "evil.com/path"),
        ("url", "javascript:alert(1)"),
        ("email", "no-at-sign.example.jp"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427"),
        ("sha256", "not-a-hash"),
        ("cve", "CVE-23-1"),
        ("filename", "C:\\Users\\taro\\a.exe"),
    ],
)
def test_invalid_values_are_refused_with_a_message(kind, value):
    with pytest.raises(ValidationError) as error:
        indicator_normalize(kind, value)
    assert value in error.value.messages[0]


def test_refang_undoes_the_usual_defanging():
    assert refang("hxxp://a[.]b(.)c{.}d/x") == "http://a.b.c.d/x"
    assert refang("taro[@]example[.]jp fe80[:]:1 hxxps[:]//x[dot]jp") == (
        "taro@example.jp fe80::1 https://x.jp"
    )


def test_a_value_without_type_is_read_as_every_type_it_can_be():
    kinds = dict(indicator_candidates("Evil[.]Example[.]com"))
    assert kinds["domain"] == "evil.example.com"
    assert "ipv4" not in kinds
    assert dict(indicator_candidates("8.8.8[.]8"))["ipv4"] == "8.8.8.8"

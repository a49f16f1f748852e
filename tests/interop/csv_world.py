"""A small ISAC world for the CSV tests: an incident under each label, each with indicators,
and helpers to read a CSV answer."""

import csv
import io

from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP


def share(author, community, tlp, title, indicators, **choice):
    return incident_create(author=author, community=community, title=title,
                           category="ransomware", summary="", tlp=tlp,
                           indicators=indicators, **choice)


def build_world(cast, community, org_b):
    """alice (org A) shares RED to bob, AMBER to org B only (org C excluded), GREEN and CLEAR;
    carol (org C) shares an anonymous GREEN item."""
    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    return {
        "red": share(alice, community, TLP.RED, "赤の事案", [
            {"type": "domain", "value": "red-c2.example"}], users=[bob]),
        "amber": share(alice, community, TLP.AMBER, "Amber for A and B", [
            {"type": "ipv4", "value": "203.0.113.10", "note": "=HYPERLINK(\"http://x\")"},
            {"type": "filename", "value": "-invoice.exe"}], organizations=[org_b]),
        "green": share(alice, community, TLP.GREEN, "Green phishing", [
            {"type": "url", "value": "hxxp://phish[.]example/login", "note": "フィッシング"}]),
        "anonymous": share(carol, community, TLP.GREEN, "Anonymous ransomware", [
            {"type": "domain", "value": "update-check.xyz", "note": "+81 電話"}],
            anonymous=True),
        "clear": share(alice, community, TLP.CLEAR, "Public notice", [
            {"type": "cve", "value": "cve-2024-3400"}]),
    }


def read_csv(content: bytes, encoding: str = "utf-8-sig") -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode(encoding), newline="")))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content

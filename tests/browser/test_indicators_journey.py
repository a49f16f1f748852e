"""Indicators, safely, in a real browser: the author pastes five indicators on her incident's
page (defanged forms among them, one an internal address); the victim-data check holds the
paste — nothing saved — until she confirms it; the table is swapped in place, shows every
value defanged and never as a link, and its copy button copies the real value. A member of
another organisation then sights one of her indicators and sees "seen by 1 organisation" on
it. A screenshot of every step lands in var/screenshots/."""

import re

import pytest

from apps.incidents.models import Indicator, Sighting
from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP
from tests.browser.conftest import sign_in, wait_for

pytestmark = pytest.mark.browser

PASTE = "\n".join([
    "hxxp://evil-update[.]example/update.exe",
    "198.51.100[.]7",
    "evil-update[.]example",
    "44d88612fea8a8f36de82e1278abb02f",
    "10.0.0.5",
])


def test_author_pastes_five_indicators_and_another_member_sights_one(
    new_page, screenshot, community, alice, bob
):
    incident = incident_create(author=alice, community=community, title="Fake update site",
                               category="ransomware", tlp=TLP.GREEN)
    detail = f"/c/{community.slug}/incidents/{incident.pk}/"

    # 1. Alice pastes five lines into "Add indicators" on the incident page.
    author = new_page("en-US")
    sign_in(author, alice.email)
    author.goto(detail)
    author.click("#indicators summary")
    author.fill("#indicators textarea[name=indicators]", PASTE)
    screenshot(author, "five-indicators-pasted")
    author.click("#indicators .indicator-paste button[type=submit]")

    # 2. The internal address is held back: the question replaces the table, nothing saved.
    author.wait_for_selector("#indicators input[name=confirmed][value='10.0.0.5']")
    assert author.url.endswith(detail)  # htmx: the page was not left
    assert "10.0.0[.]5" in author.inner_text("#indicators .exposures")
    assert not Indicator.objects.filter(incident=incident).exists()
    screenshot(author, "internal-address-held")

    # 3. She confirms it: five indicators, typed, shown defanged, none a link.
    author.check("#indicators input[name=confirmed][value='10.0.0.5']")
    author.click("#indicators .indicator-paste button[type=submit]")
    author.wait_for_selector("#indicators table.indicators")
    wait_for(lambda: Indicator.objects.filter(incident=incident).count() == 5,
             what="five indicators saved")
    table = author.inner_text("#indicators table")
    for shown in ("hxxp://evil-update[.]example/update[.]exe", "198.51.100[.]7",
                  "evil-update[.]example", "10.0.0[.]5"):
        assert shown in table
    assert not author.query_selector_all("main a[href^='http']")
    types = dict(Indicator.objects.filter(incident=incident).values_list("value", "type"))
    assert types["http://evil-update.example/update.exe"] == "url"
    assert types["44d88612fea8a8f36de82e1278abb02f"] == "md5"
    screenshot(author, "five-indicators-added")

    # 4. The copy button copies the real value.
    author.context.grant_permissions(["clipboard-read", "clipboard-write"])
    row = author.locator("#indicators tr", has_text="198.51.100[.]7")
    row.locator("button.copy-value").click()
    wait_for(lambda: "Copied" in author.inner_text("#indicators .copy-status"), what="copied")
    assert author.evaluate("navigator.clipboard.readText()") == "198.51.100.7"

    # 5. Bob (another organisation) says his organisation saw the IP address.
    member = new_page("en-US")
    sign_in(member, bob.email)
    member.goto(detail)
    member.click("text=We saw this too")
    member.check("label:has-text('198.51.100[.]7') input[name=indicators]")
    screenshot(member, "sighting-one-indicator")
    member.click("form[action$='/sighting/'] button[type=submit]")
    member.wait_for_url(re.compile(re.escape(detail) + "$"))
    assert Sighting.objects.get().indicator.value == "198.51.100.7"
    seen = member.locator("#indicators tr", has_text="198.51.100[.]7")
    assert "seen by 1 organisation" in seen.inner_text()
    assert "Seen by 1 organisation" in member.inner_text("header.incident-head")
    screenshot(member, "seen-by-one-organisation")

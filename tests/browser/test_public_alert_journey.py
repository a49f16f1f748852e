"""A visitor, signed out, finds a public alert from the portal's home: the home lists the
TLP:CLEAR items (and nothing else), the visitor opens one and reads it. Then the incident
list at 390 px wide: the page does not scroll sideways (tables scroll inside it), and Japanese
titles are not broken one character per line. Screenshots in var/screenshots/."""

import pytest

from apps.incidents.services import incident_create
from apps.sharing.tlp import TLP
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PUBLIC = "ランサムウェア攻撃に関する注意喚起（公開）"
GREEN = "会員限定のフィッシング情報"


def test_visitor_finds_a_public_alert_from_the_home_page(new_page, screenshot, community,
                                                         alice, bob):
    incident_create(author=bob, community=community, title=PUBLIC, category="ransomware",
                    summary="VPN 機器の脆弱性を悪用した侵入が続いています。", tlp=TLP.CLEAR)
    incident_create(author=bob, community=community, title=GREEN, category="phishing",
                    summary="会員のみ。", tlp=TLP.GREEN)
    page = new_page("ja-JP")
    page.goto("/")
    alerts = page.locator("#public-alerts")
    assert PUBLIC in alerts.inner_text()
    assert GREEN not in page.inner_text("body")
    screenshot(page, "home-public-alerts")

    page.click(f"#public-alerts a:has-text('{PUBLIC}')")
    page.wait_for_url(f"**/c/{community.slug}/incidents/**")
    assert PUBLIC in page.inner_text("main h1")
    assert "TLP:CLEAR" in page.inner_text("main")
    screenshot(page, "public-alert-opened")


def test_incident_list_fits_a_390_px_screen(new_page, screenshot, community, alice, bob,
                                            org_a):
    for n in range(6):
        incident_create(author=bob, community=community,
                        title=f"金融機関を狙った標的型攻撃メールの継続的な観測 第{n + 1}報",
                        category="targeted_attack", summary="本文", tlp=TLP.AMBER,
                        organizations=[org_a])
    page = new_page("ja-JP")
    sign_in(page, alice.email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/c/{community.slug}/incidents/")
    assert page.locator("table").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "incident-list-390px")
    assert width <= 390, f"the page is {width} px wide at a 390 px screen"
    # A header stays on one line (no word broken one character per line).
    heights = page.evaluate("Array.from(document.querySelectorAll('table th'))"
                            ".map(th => th.getBoundingClientRect().height)")
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('table th')).lineHeight) || 24")
    assert max(heights) < 2.5 * line

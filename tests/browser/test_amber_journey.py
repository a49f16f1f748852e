"""An AMBER incident in a real browser: a member shares it with two of the community's three
organisations through the form (unticking the third in the recipient picker, whose live count
drops); a member of the third organisation cannot find it by list, search or URL; a member of
a recipient organisation records "we saw this too"; the author sees the view and the sighting
on "what my sharing achieved". A screenshot of every step lands in var/screenshots/."""

import re

import pytest

from apps.incidents.models import Incident, Sighting
from tests.browser.conftest import sign_in, wait_for

pytestmark = pytest.mark.browser

TITLE = "Phishing kit aimed at online banking portals"
SUMMARY = "Since Monday a phishing kit imitates the login page; 認証情報の窃取を狙うフィッシング。"


def _count(page) -> str:
    return page.get_attribute("#audience-count", "data-count") or ""


def test_amber_incident_reaches_exactly_the_chosen_organisations(
    new_page, screenshot, community, org_a, org_b, org_c, alice, bob, carol, sec, olive
):
    slug = community.slug

    # 1. Alice (organisation A) opens the form and picks TLP:AMBER: by default every member
    #    organisation receives it.
    author = new_page("en-US")
    sign_in(author, alice.email)
    author.goto(f"/c/{slug}/incidents/new/")
    author.fill("input[name=title]", TITLE)
    author.fill("textarea[name=summary]", SUMMARY)
    author.select_option("select[name=category]", "phishing")
    author.check("input[name=tlp][value=RED]")  # first only the author: 1 person
    wait_for(lambda: _count(author) == "1", what="the count for TLP:RED")
    author.check("input[name=tlp][value=AMBER]")
    everyone = 5  # alice, sec (A), bob, olive (B), carol (C)
    wait_for(lambda: _count(author) == str(everyone), what="the count for TLP:AMBER")
    screenshot(author, "amber-to-every-organisation")

    # 2. … unticks organisation C: the live count drops before anything is saved.
    author.uncheck(f"input[name=organizations][value='{org_c.pk}']")
    wait_for(lambda: _count(author) == str(everyone - 1), what="the count without C")
    assert "4 people" in author.inner_text("#audience-count")
    assert not Incident.objects.exists()
    screenshot(author, "organisation-c-unticked")

    # 3. … and shares it.
    author.click("#incident-form button[type=submit]")
    author.wait_for_url(re.compile(rf"/c/{slug}/incidents/[0-9a-f-]{{36}}/$"))
    incident = Incident.objects.get(title=TITLE)
    assert incident.tlp == "AMBER"
    assert set(incident.recipient_organizations.values_list("pk", flat=True)) == {
        org_a.pk,
        org_b.pk,
    }
    assert "TLP:AMBER" in author.inner_text("main")
    screenshot(author, "incident-shared")
    detail = f"/c/{slug}/incidents/{incident.pk}/"

    # 4. Carol (organisation C) cannot find it: not in the list, not by search, 404 by URL.
    outsider = new_page("en-US")
    sign_in(outsider, carol.email)
    outsider.goto(f"/c/{slug}/incidents/")
    assert TITLE not in outsider.inner_text("main")
    screenshot(outsider, "org-c-list-without-it")
    outsider.fill("input[name=q]", "phishing kit")
    outsider.press("input[name=q]", "Enter")
    outsider.wait_for_url(re.compile(r"\?q="))
    assert TITLE not in outsider.inner_text("main")
    screenshot(outsider, "org-c-search-without-it")
    assert outsider.goto(detail).status == 404
    screenshot(outsider, "org-c-url-404")

    # 5. Bob (organisation B) finds it by search, opens it and records "we saw this too".
    recipient = new_page("en-US")
    sign_in(recipient, bob.email)
    recipient.goto(f"/c/{slug}/incidents/?q=phishing+kit")
    recipient.click(f"a[href='{detail}']")
    recipient.wait_for_url(re.compile(re.escape(detail) + "$"))
    recipient.click("details.subform summary >> nth=0")
    recipient.fill("form[action$='/sighting/'] textarea[name=note]", "Same kit on our portal.")
    screenshot(recipient, "org-b-records-sighting")
    recipient.click("form[action$='/sighting/'] button[type=submit]")
    recipient.wait_for_load_state()
    assert Sighting.objects.filter(incident=incident, organization=org_b).exists()
    assert "Same kit on our portal." in recipient.inner_text("main")
    screenshot(recipient, "org-b-sighting-recorded")

    # 6. Alice opens "what my sharing achieved": one organisation viewed it, one saw it too.
    author.goto(f"/c/{slug}/incidents/achieved/")
    row = author.locator("table.achieved tbody tr", has_text=TITLE)
    cells = row.locator("td.num")
    assert cells.nth(0).inner_text().strip() == "1"  # viewed by organisation B
    assert cells.nth(1).inner_text().strip() == "1"  # seen by organisation B
    screenshot(author, "what-my-sharing-achieved")

"""A secretariat member invites members from a CSV file in a real browser: the preview shows
what will happen to each row, one row is refused and nothing is sent; the corrected file is
uploaded again and the invitations go out. Screenshots land in var/screenshots/."""

import re

import pytest
from django.core import mail

from apps.communities.models import Invitation
from tests.browser.conftest import give_second_factor, totp_device, wait_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

HEADER = "email,name,organization,role,language\n"
GOOD_ROW = "ichiro.sato@beta.example.jp,佐藤 一郎,org-b,member,ja\n"
BAD_ROW = "jiro.suzuki@gamma,鈴木 次郎,org-c,member,ja\n"
FIXED_ROW = "jiro.suzuki@gamma.example.jp,鈴木 次郎,org-c,member,ja\n"


def _upload(page, text: str, name: str) -> None:
    page.set_input_files("input[name=file]", files=[{
        "name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    page.click("main form button[type=submit]:not([name=confirm])")
    page.wait_for_load_state()


def test_secretariat_previews_fixes_and_sends_a_csv_import(
    new_page, screenshot, task_runner, community, org_a, org_b, org_c, sec
):
    slug = community.slug
    phone = totp_device(sec)
    page = new_page("en-US")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", sec.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    give_second_factor(page, phone)

    # 1. The import page offers the template to download.
    page.goto(f"/c/{slug}/manage/import/")
    with page.expect_download() as download:
        page.click("a[href$='/manage/import/template.csv']")
    assert download.value.suggested_filename == "members-template.csv"
    screenshot(page, "import-page")

    # 2. A file with one bad address: the preview shows it refused, nothing is sent.
    _upload(page, HEADER + GOOD_ROW + BAD_ROW, "members.csv")
    preview = page.locator("section.import-preview")
    assert "nothing has been sent yet" in preview.inner_text()
    assert page.locator("tr.outcome-invite").count() == 1
    refused = page.locator("tr.outcome-refused")
    assert refused.count() == 1
    assert "not a valid e-mail address" in refused.inner_text()
    assert page.locator("button[name=confirm]").count() == 0
    screenshot(page, "preview-with-an-error")
    assert not Invitation.objects.exists()
    assert mail.outbox == []

    # 3. The corrected file: two to invite, the button sends them.
    _upload(page, HEADER + GOOD_ROW + FIXED_ROW, "members-fixed.csv")
    assert page.locator("tr.outcome-invite").count() == 2
    assert page.locator("tr.outcome-refused").count() == 0
    screenshot(page, "preview-ready")
    page.click("button[name=confirm]")
    page.wait_for_url(re.compile(rf"/c/{slug}/manage/invitations/$"))
    body = page.inner_text("main")
    assert "ichiro.sato@beta.example.jp" in body and "jiro.suzuki@gamma.example.jp" in body
    screenshot(page, "invitations-sent")

    sent = wait_for(lambda: len(mail.outbox) >= 2 and mail.outbox, what="two invitations")
    assert sorted(m.to[0] for m in sent) == ["ichiro.sato@beta.example.jp",
                                             "jiro.suzuki@gamma.example.jp"]

"""The onboarding journey in a real browser: the secretariat invites, the invitee joins
through the e-mailed link, accepts the agreement and the TLP briefing, and loses access at
once when suspended. A screenshot of every step lands in var/screenshots/."""

import re

import pytest
from django.core import mail

from apps.communities.models import AgreementAcceptance, Membership, MembershipStatus
from tests.browser.conftest import give_second_factor, totp_device, wait_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

INVITEE = "hanako.arai@beta.example.jp"
INVITEE_PASSWORD = "Sakura-Fubuki-2026!"


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def test_secretariat_onboards_a_member_who_loses_access_when_suspended(
    new_page, screenshot, task_runner, community, org_a, org_b, sec
):
    slug = community.slug

    # 1. The secretariat signs in, with the password and the code of their authenticator app.
    phone = totp_device(sec)
    secretariat = new_page("ja-JP")
    secretariat.goto("/accounts/login/")
    secretariat.fill("input[name=username]", sec.email)
    secretariat.fill("input[name=password]", PASSWORD)
    screenshot(secretariat, "secretariat-sign-in")
    secretariat.click("form.form button[type=submit]")
    give_second_factor(secretariat, phone)
    secretariat.wait_for_url(re.compile(r"/c/$"))
    screenshot(secretariat, "secretariat-communities")

    # 2. … and invites a new member of organisation B, e-mail in English.
    secretariat.goto(f"/c/{slug}/manage/invite/")
    secretariat.fill("input[name=email]", INVITEE)
    secretariat.fill("input[name=name]", "Hanako Arai")
    secretariat.select_option("select[name=organization]", str(org_b.pk))
    secretariat.select_option("select[name=role]", "member")
    secretariat.select_option("select[name=language]", "en")
    screenshot(secretariat, "invite-form")
    secretariat.click("main form button[type=submit]")
    secretariat.wait_for_url(re.compile(rf"/c/{slug}/manage/invitations/$"))
    assert INVITEE in secretariat.inner_text("main")
    screenshot(secretariat, "invitation-sent")

    # 3. The invitation e-mail carries a single-use link.
    message = wait_for(
        lambda: next((m for m in mail.outbox if INVITEE in m.to), None),
        what="the invitation e-mail",
    )
    match = re.search(r"(/invite/[^/\s]+/)", message.body)
    assert match, message.body
    link = match.group(1)

    # 4. The invitee opens it in their own browser and chooses a name and a password.
    invitee = new_page("en-US")
    response = invitee.goto(link)
    assert response.status == 200
    invitee.fill("input[name=display_name]", "Hanako Arai")
    invitee.select_option("select[name=language]", "en")
    invitee.fill("input[name=password1]", INVITEE_PASSWORD)
    invitee.fill("input[name=password2]", INVITEE_PASSWORD)
    screenshot(invitee, "invitee-sets-password")
    invitee.click("main form button[type=submit]")

    # 5. … is sent to the agreement and the TLP briefing, and accepts both.
    invitee.wait_for_url(re.compile(rf"/c/{slug}/agreement/$"))
    screenshot(invitee, "agreement-and-tlp-briefing")
    invitee.check("input[name=accept_agreement]")
    invitee.check("input[name=acknowledge_briefing]")
    invitee.click("main form button[type=submit]")

    # 6. … and lands on the community home as an active member.
    invitee.wait_for_url(re.compile(rf"/c/{slug}/$"))
    screenshot(invitee, "community-home")
    membership = Membership.objects.select_related("user").get(
        community=community, user__email=INVITEE
    )
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.organization_id == org_b.pk
    assert membership.briefing_acknowledged_at is not None
    assert AgreementAcceptance.objects.filter(
        agreement=community.current_agreement, user=membership.user
    ).exists()
    assert invitee.goto(f"/c/{slug}/members/").status == 200

    # 7. The secretariat suspends the new member.
    secretariat.goto(f"/c/{slug}/manage/")
    row = secretariat.locator(f"tr#member-{membership.pk}")
    row.locator("button[data-action=suspend]").click()
    # Suspending asks for confirmation and a reason, which the member is told by e-mail.
    secretariat.fill("textarea[name=reason]", "規約違反の疑いがあるため一時停止します。")
    screenshot(secretariat, "suspension-confirm")
    secretariat.click("button[data-confirm=suspend]")
    secretariat.wait_for_load_state()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.SUSPENDED
    screenshot(secretariat, "member-suspended")

    # 8. The invitee's very next request is refused, without signing them out first.
    response = invitee.goto(f"/c/{slug}/")
    assert response.status == 403
    assert invitee.locator("main .error").is_visible()
    screenshot(invitee, "suspended-member-refused")
    assert invitee.goto(f"/c/{slug}/members/").status == 403

    # The link was single-use: opening it again changes nothing.
    assert invitee.goto(link).status == 400

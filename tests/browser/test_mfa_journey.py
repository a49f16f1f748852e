"""Second factor and Content-Security-Policy in a real browser.

A secretariat member signs in with the password and is made to set up an authenticator app
(the QR code and key are drawn by the server) before anything else; the recovery codes are
shown once. A second, fresh browser with only the password is refused every page, the admin and
the API until it gives a code computed, as a phone would, from the device's key. Then a member
opens the incident form (htmx recipient picker), the profile (passkey script) and the API docs
(Swagger UI, Redoc) with the console watched: no Content-Security-Policy violation (Redoc's
off-site logo aside, which the policy is right to block).
Screenshots land in var/screenshots/.
"""

import re
import time

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import give_second_factor, totp_code, wait_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

VERIFY = re.compile(r"/accounts/mfa/verify/")


def _password_only(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def test_secretariat_needs_password_and_totp_code_in_every_session(
    new_page, screenshot, live_server, community, sec
):
    slug = community.slug

    # 1. First sign-in: the password is right, and the only way on is to set up an app.
    first = new_page("en-US")
    _password_only(first, sec.email)
    first.wait_for_url(re.compile(r"/accounts/mfa/setup/"))
    assert first.locator("svg.qr path").count() == 1  # the QR code, drawn as inline SVG
    secret = first.inner_text("#totp-secret").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    first.goto(f"/c/{slug}/")
    assert "/accounts/mfa/setup/" in first.url
    screenshot(first, "setup-required")

    # 2. The phone scans the key; the code it shows confirms the app.
    phone = TOTPDevice.objects.get(user=sec, confirmed=False)
    first.goto("/accounts/mfa/setup/")
    first.fill("input[name=code]", totp_code(phone))
    first.click("#totp-setup button[type=submit]")
    first.wait_for_selector("#recovery-codes")
    codes = [c.strip() for c in first.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=sec).values_list("token", flat=True)) == (
        set(codes))
    screenshot(first, "recovery-codes-shown-once")
    first.click("main a.button")
    first.wait_for_url(re.compile(r"/c/$"))
    assert first.goto(f"/c/{slug}/").status == 200
    phone.refresh_from_db()
    assert phone.confirmed

    # 3. A second, fresh browser with only the password is refused everything …
    second = new_page("en-US")
    _password_only(second, sec.email)
    second.wait_for_url(VERIFY)
    screenshot(second, "second-session-asked-for-code")
    for path in (f"/c/{slug}/", f"/c/{slug}/incidents/", f"/c/{slug}/manage/",
                 "/accounts/profile/", "/admin/"):
        second.goto(path)
        assert VERIFY.search(second.url), f"{path} opened without the second factor"
        assert "Confirm it is you" in second.inner_text("main")
    api = second.request.get(f"{live_server.url}/api/v1/me/")
    assert api.status == 403
    assert sec.email not in api.text()

    # … a wrong code changes nothing …
    second.fill("input[name=code]", "000000" if totp_code(phone) != "000000" else "111111")
    second.click("#mfa-verify-form button[type=submit]")
    second.wait_for_url(VERIFY)
    assert "not correct" in second.inner_text("main")
    screenshot(second, "wrong-code-refused")

    # … until it gives the code its phone shows, and goes where it was going (after the short
    # wait django-otp imposes after a wrong code: one second after the first).
    time.sleep(1.5)
    second.goto(f"/c/{slug}/incidents/")
    give_second_factor(second, phone)
    second.wait_for_url(re.compile(rf"/c/{slug}/incidents/$"))
    assert second.request.get(f"{live_server.url}/api/v1/me/").status == 200
    screenshot(second, "second-session-verified")


def _watch_csp(page) -> list[str]:
    """Every CSP violation the page reports, from the DOM event and from the console."""
    violations: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None)
    return violations


def test_htmx_passkeys_and_api_docs_work_under_the_content_security_policy(
    new_page, screenshot, community, alice, bob, carol
):
    slug = community.slug
    page = new_page("en-US")
    violations = _watch_csp(page)

    response = page.goto("/accounts/login/")
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    _password_only(page, alice.email)
    page.wait_for_url(re.compile(r"/c/$"))

    # The recipient picker's live count is htmx: it must still answer under the policy.
    page.goto(f"/c/{slug}/incidents/new/")
    page.check("input[name=tlp][value=RED]")
    wait_for(lambda: page.get_attribute("#audience-count", "data-count") == "1",
             what="the htmx count for TLP:RED")
    page.check("input[name=tlp][value=GREEN]")
    wait_for(lambda: page.get_attribute("#audience-count", "data-count") == "3",
             what="the htmx count for TLP:GREEN")
    screenshot(page, "htmx-picker-under-csp")

    # The profile loads django-otp-webauthn's passkey script (a module) and its JSON config.
    page.goto("/accounts/profile/")
    page.wait_for_selector("#passkey-register-button, #passkey-registration-placeholder")
    screenshot(page, "profile-under-csp")

    # Swagger UI renders from our own static files, its init script served as a file.
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")
    screenshot(page, "swagger-ui-under-csp")
    assert violations == []

    # Redoc: its run-time styles and search worker are allowed on its page only; the one thing
    # still refused is an image it would fetch off-site (the Redocly logo), which is the point.
    page.goto("/api/redoc/")
    page.get_by_role("heading", name="Renkei API").first.wait_for(timeout=30_000)
    screenshot(page, "redoc-under-csp")
    assert all("img-src" in text and "https://" in text for text in violations), violations

"""Headers and sessions (issue 7, finding 10): a Content-Security-Policy without inline
scripts on every page (and no inline script or handler left in the templates), sessions that
end after 12 hours and when the browser closes."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/docs/", "/api/redoc/",
                                 "/api/schema/", "/accounts/password/reset/"])
def test_every_page_has_a_policy_without_inline_scripts(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert not any(src.startswith(("http:", "https:", "*")) for srcs in policy.values()
                   for src in srcs), "nothing may load off-site"


def test_inline_styles_are_allowed_on_the_redoc_page_only(client):
    assert "'unsafe-inline'" in _policy(client.get("/api/redoc/"))["style-src"]
    for url in ("/", "/api/docs/", "/accounts/login/"):
        assert _policy(client.get(url))["style-src"] == ["'self'"], url


def test_signed_in_pages_have_the_policy_too(alice, client_for):
    client = client_for(alice)
    for url in ("/c/", reverse("accounts:profile"), f"/c/{'fin-isac'}/incidents/new/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _policy(response)["script-src"] == ["'self'"], url


def _inline_script_tags(html: str) -> list[str]:
    """<script> elements that would execute without a src (JSON data blocks are inert)."""
    found = []
    for attrs in re.findall(r"<script\b([^>]*)>", html, re.IGNORECASE):
        if "src=" in attrs:
            continue
        if re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attrs):
            continue
        found.append(attrs)
    return found


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        # E-mail HTML is read by mail programs, not under the site's CSP: most of them keep
        # only inline styles. Scripts and handlers are refused there too.
        e_mail = bool({"email", "digest"} & set(path.relative_to(TEMPLATES).parts[:-1]))
        if _inline_script_tags(text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"<[^>]*\son[a-z]+\s*=", text, re.IGNORECASE):
            offenders.append(f"{path}: on…= handler")
        if re.search(r"<style\b", text, re.IGNORECASE):
            offenders.append(f"{path}: inline <style>")
        if not e_mail and re.search(r"""\sstyle\s*=\s*["']""", text):
            offenders.append(f"{path}: style attribute")
        if re.search(r"""(?:href|src)\s*=\s*["']javascript:""", text, re.IGNORECASE):
            offenders.append(f"{path}: javascript: URL")
    assert offenders == []


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/", "/accounts/login/"])
def test_rendered_pages_have_no_inline_script(client, url):
    assert _inline_script_tags(client.get(url).content.decode()) == []


def test_swagger_ui_gets_its_init_script_as_a_file(client):
    page = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', page).group(1)
    response = client.get(script.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(alice, client_for):
    body = client_for(alice).get("/c/fin-isac/incidents/new/").content.decode()
    config = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", body).group(1)
    assert '"includeIndicatorStyles":false' in config
    assert '"allowEval":false' in config


# --- sessions ----------------------------------------------------------------------------------


def test_sessions_last_twelve_hours_and_end_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_the_session_cookie_is_a_browser_session_cookie(alice, password, client):
    response = client.post(reverse("accounts:login"),
                           {"username": alice.email, "password": password})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    session = client.session
    assert 0 < session.get_expiry_age() <= 12 * 3600

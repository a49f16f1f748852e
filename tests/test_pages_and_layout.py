"""What every page shares: the portal's own 404 and 403 pages in the reader's language (also
under `make run`, which serves with DEBUG off), a favicon, a skip link; and `make run`
giving e-mail links the address it serves at (SITE_URL from HOST and PORT)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import path

from portal import urls as portal_urls

ROOT = Path(__file__).resolve().parent.parent


def _forbidden(request):
    raise PermissionDenied


# This module is also the URL conf of the 403 tests: the portal's URLs and one view that refuses.
urlpatterns = [path("test-forbidden/", _forbidden), *portal_urls.urlpatterns]
handler404 = portal_urls.handler404


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title", "text"), [
    ("ja", "見つかりません", "ここには何もないか、閲覧できる情報がありません。"),
    ("en", "Not found", "There is nothing here, or nothing you may see."),
])
def test_404_is_the_portals_own_page_in_the_readers_language(client, language, title, text):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in body
    assert f"<h1>{title}</h1>" in body and text in body
    assert 'class="topbar"' in body and 'class="skip-link"' in body


@pytest.mark.django_db
@pytest.mark.urls("tests.test_pages_and_layout")
@pytest.mark.parametrize(("language", "title"), [("ja", "許可されていません"),
                                                 ("en", "Not allowed")])
def test_403_is_the_portals_own_page_in_the_readers_language(client, language, title):
    response = client.get("/test-forbidden/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in body and f"<h1>{title}</h1>" in body
    assert 'class="topbar"' in body


@pytest.mark.django_db
def test_every_page_links_the_favicon_and_a_skip_link_to_the_content(client):
    body = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body
    skip = body.index('<a class="skip-link" href="#content">Skip to content</a>')
    assert skip < body.index('<header class="topbar">')
    assert '<main id="content"' in body
    # The policy allows no inline script or style: none in the layout either.
    assert "<style" not in body and "style=" not in body
    assert "<script>" not in body


def test_favicon_is_a_local_svg():
    favicon = (ROOT / "static" / "favicon.svg").read_text()
    assert favicon.lstrip().startswith("<svg") and "http://www.w3.org/2000/svg" in favicon
    assert "href=" not in favicon  # nothing fetched from the network


def test_stylesheet_has_a_focus_style_and_keeps_japanese_words_whole():
    css = (ROOT / "static" / "css" / "renkei.css").read_text()
    assert ":focus-visible" in css and ".skip-link:focus" in css
    assert "word-break:keep-all" in css
    assert "@media (max-width: 720px)" in css


def _make_run(**env):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    environ = {k: v for k, v in os.environ.items()
               if k not in ("SITE_URL", "DJANGO_DEBUG", "HOST", "PORT")}
    environ.update(env)
    args = ["make", "-n", "run", *(f"{k}={v}" for k, v in env.items() if k in ("HOST", "PORT"))]
    out = subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True,
                         check=True).stdout
    return next(line for line in out.splitlines() if "runserver" in line)


def test_make_run_gives_site_url_from_host_and_port():
    line = _make_run(PORT="9123")
    assert 'SITE_URL="http://127.0.0.1:9123"' in line
    assert line.endswith("runserver 127.0.0.1:9123")
    line = _make_run(HOST="localhost", PORT="8080")
    assert 'SITE_URL="http://localhost:8080"' in line


def test_make_run_keeps_a_site_url_from_the_environment():
    line = _make_run(PORT="9123", SITE_URL="https://renkei.example.jp")
    assert 'SITE_URL="https://renkei.example.jp"' in line


def test_make_run_serves_with_debug_off_unless_asked():
    assert 'DJANGO_DEBUG="0"' in _make_run()
    assert 'DJANGO_DEBUG="1"' in _make_run(DJANGO_DEBUG="1")


def test_settings_read_site_url_and_debug_as_make_run_passes_them(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SITE_URL, s.DEBUG, s.WHITENOISE_USE_FINDERS)")
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(DJANGO_SETTINGS_MODULE="portal.settings.dev", SITE_URL="http://127.0.0.1:9123",
                   DJANGO_DEBUG="0", RENKEI_VAR_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["http://127.0.0.1:9123", "False", "True"]


@pytest.mark.django_db(transaction=True)
def test_e_mail_links_use_the_address_the_site_is_served_at(community, org_a, settings):
    from django.core import mail

    from apps.communities.services import invitation_create

    settings.SITE_URL = "http://127.0.0.1:9123"
    invitation_create(community=community, email="new@alpha.example.jp", organization=org_a,
                      role="member", language="en")
    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:9123/invite/" in mail.outbox[0].body

"""One-click unsubscribe (RFC 8058): every digest carries List-Unsubscribe and
List-Unsubscribe-Post; the mail program's POST to that address turns the digest off without a
session (the signed token is the credential); a GET only asks; a token that is not ours, or
one changed to name someone else, is refused; the frequency is changed on the profile."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.digests.digests import digests_send, unsubscribe_token
from apps.sharing.tlp import TLP
from tests.digests.test_digest_content import daily, make_meeting, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def digest(community, alice, sec, org_a, settings):
    settings.SITE_URL = "https://renkei.example"
    daily(alice)
    meeting = make_meeting(community, days_ahead=-1)
    share("incident", TLP.GREEN, author=sec, organiser=sec, meeting=meeting, to_org=org_a,
          to_user=alice)
    digests_send(frequency="daily")
    (message,) = [m for m in mail.outbox if m.to == [alice.email]]
    return message


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    match = re.fullmatch(r"<https://renkei\.example(/digests/unsubscribe/[^/]+/)>", header)
    assert match, header
    return match.group(1)


def test_every_digest_carries_the_one_click_headers_and_links(digest, alice):
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(digest)
    assert path == reverse("digests:unsubscribe", args=[unsubscribe_token(alice)])
    html, _mimetype = digest.alternatives[0]
    profile = "https://renkei.example" + reverse("accounts:profile") + "#id_digest_frequency"
    for part in (digest.body, html):
        assert "https://renkei.example" + path in part
        assert profile in part
    # The e-mail is the message: the headers are in what the mail server receives.
    raw = digest.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_the_one_click_post_turns_the_digest_off_without_a_session(digest, alice):
    path = unsubscribe_path(digest)
    # As a mail program posts it: no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.digest_frequency == "off"
    assert digests_send(frequency="daily").sent == 0


def test_a_get_only_asks(digest, alice):
    response = Client().get(unsubscribe_path(digest))
    assert response.status_code == 200
    page = response.content.decode()
    assert alice.email in page and '<form method="post"' in page
    assert reverse("accounts:profile") in page
    alice.refresh_from_db()
    assert alice.digest_frequency == "daily"


def test_the_page_speaks_the_members_language(digest, alice):
    type(alice).objects.filter(pk=alice.pk).update(language="ja")
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(unsubscribe_path(digest)).content.decode()
    assert '<html lang="ja">' in page and "ダイジェストメール" in page


@pytest.mark.parametrize("token", ["nonsense", "1:forged-signature"])
def test_a_token_that_is_not_ours_is_refused(digest, alice, token):
    path = reverse("digests:unsubscribe", args=[token])
    assert Client().post(path).status_code == 404
    assert Client().get(path).status_code == 404
    alice.refresh_from_db()
    assert alice.digest_frequency == "daily"


def test_a_token_cannot_be_turned_into_someone_elses(digest, alice, bob):
    daily(bob)
    _pk, signature = unsubscribe_token(alice).split(":", 1)
    forged = f"{bob.pk}:{signature}"
    assert Client().post(reverse("digests:unsubscribe", args=[forged])).status_code == 404
    bob.refresh_from_db()
    assert bob.digest_frequency == "daily"


def test_the_secretariat_signed_in_without_its_second_factor_still_reaches_the_page(sec):
    """The token is the credential: a half-finished sign-in (password given, second factor
    not yet) must not turn the link in the e-mail into the verification page."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(sec)  # no second factor given in this session
    path = reverse("digests:unsubscribe", args=[unsubscribe_token(sec)])
    assert client.get(reverse("communities:mine")).status_code == 302  # the rest is closed
    response = client.get(path)
    assert response.status_code == 200
    assert client.post(path).status_code == 200
    sec.refresh_from_db()
    assert sec.digest_frequency == "off"

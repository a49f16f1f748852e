"""Sign-in lockout and API throttles (issue 7, finding 9): 40 wrong passwords then the right
one does not sign in; the lockout holds one (e-mail, IP address) pair for a short cool-off and
says so in the reader's language; the API limits callers per IP address and per user."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from apps.accounts.services import token_issue
from apps.accounts.throttling import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def attempt(email: str, password: str, ip: str = "203.0.113.7", language: str = "en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": email, "password": password})
    return client, response


def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(alice):
    for _n in range(40):
        _client, response = attempt(alice.email, "guess-123456")
        assert response.status_code in (200, 429)
    client, response = attempt(alice.email, PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("communities:mine")).status_code == 302  # not signed in


def test_the_lockout_starts_after_five_failures_and_says_when_to_retry(alice):
    for _n in range(4):
        assert attempt(alice.email, "guess-123456")[1].status_code == 200
    _client, fifth = attempt(alice.email, "guess-123456")
    assert fifth.status_code == 429
    body = fifth.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "15 minutes" in body and "try again after" in body
    assert 'id="locked-out"' in body


def test_the_lockout_speaks_the_readers_language(alice):
    for _n in range(5):
        _client, response = attempt(alice.email, "guess-123456", language="ja")
    assert response.status_code == 429
    assert 'lang="ja"' in response.content.decode()
    # The Japanese wording arrives with the lead's catalogue merge (i18n-new/accounts.json).


def test_a_locked_out_pair_does_not_lock_the_victim_out_elsewhere(alice):
    for _n in range(10):
        attempt(alice.email, "guess-123456", ip="203.0.113.7")
    assert attempt(alice.email, PASSWORD, ip="203.0.113.7")[1].status_code == 429
    _client, elsewhere = attempt(alice.email, PASSWORD, ip="198.51.100.20")
    assert elsewhere.status_code == 302
    assert elsewhere.wsgi_request.user == alice


def test_the_lockout_ends_after_the_cool_off(alice):
    for _n in range(5):
        attempt(alice.email, "guess-123456")
    assert attempt(alice.email, PASSWORD)[1].status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))
    _client, response = attempt(alice.email, PASSWORD)
    assert response.status_code == 302


def test_changing_the_case_of_the_address_gives_no_new_attempts(alice):
    for variant in ("ALICE@alpha.example.jp", "Alice@Alpha.example.jp", "alice@ALPHA.example.jp",
                    "aLiCe@alpha.example.jp", "alice@alpha.EXAMPLE.jp"):
        attempt(variant, "guess-123456")
    assert attempt(alice.email, PASSWORD)[1].status_code == 429


def test_password_confirmations_count_as_attempts_too(alice, client_for):
    from apps.accounts.services import recovery_codes_generate
    from tests.accounts.test_mfa import phone_for

    phone_for(alice)
    recovery_codes_generate(user=alice)
    client = client_for(alice)
    for _n in range(6):
        client.post(reverse("accounts:mfa_recovery_codes"), {"password": "guess-123456"})
    assert AccessAttempt.objects.filter(username=alice.email).get().failures_since_start >= 5


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    """DRF reads the rates into the throttle classes at import: lower them there."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": None})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"anon": None, "user": "5/minute"})
    cache.clear()
    yield
    cache.clear()


# What anonymous callers can reach (the docs and the schema) is throttled; elsewhere they are
# refused before any throttle counts (and a guessed 256-bit token is no threat).
ANON_URL = "/api/docs/"


def test_anonymous_api_callers_are_throttled_by_ip_address(db, low_rates):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(ANON_URL).status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert APIClient(REMOTE_ADDR="198.51.100.1").get(ANON_URL).status_code == 200


def test_signed_in_api_callers_are_throttled_per_user(alice, low_rates):
    _token, key = token_issue(user=alice, name="SIEM")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    statuses = [client.get("/api/v1/me/").status_code for _n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert "Retry-After" in client.get("/api/v1/me/")


def test_a_forged_forwarded_for_header_does_not_dodge_the_anonymous_throttle(db, low_rates):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(ANON_URL, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
                for n in range(4)]
    assert statuses[-1] == 429


# --- the client's address ----------------------------------------------------------------------


def test_client_ip_is_remote_addr_unless_proxies_are_trusted():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")
    assert client_ip(request) == "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "203.0.113.50"  # the client cannot forge the last hop
    with override_settings(TRUSTED_PROXY_COUNT=3):
        assert client_ip(request) == "10.0.0.2"  # fewer hops than proxies: not trusted

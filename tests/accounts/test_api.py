"""The API's own door: hashed, revocable tokens, the caller's profile, and the schema and its
offline viewers."""

import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, hash_token
from apps.accounts.services import token_issue, token_revoke

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
TOKENS = "/api/v1/tokens/"


def token_client(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def alice_key(alice):
    _token, key = token_issue(user=alice, name="SIEM")
    return key


# --- tokens as credentials -------------------------------------------------------------


def test_a_token_signs_the_client_in(alice, alice_key):
    response = token_client(alice_key).get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == alice.email


def test_using_a_token_records_when_it_was_last_used(alice, alice_key):
    token_client(alice_key).get(ME)
    assert ApiToken.objects.get(user=alice).last_used_at is not None


def test_no_credentials_is_401_with_a_token_challenge(db):
    response = APIClient().get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_401(alice):
    response = token_client("rk_not-a-real-key").get(ME)
    assert response.status_code == 401


def test_a_revoked_token_is_401_on_the_next_request(alice):
    token, key = token_issue(user=alice, name="SIEM")
    client = token_client(key)
    assert client.get(ME).status_code == 200
    token_revoke(token=token)
    assert client.get(ME).status_code == 401


def test_a_deactivated_users_token_is_401(alice, alice_key):
    alice.is_active = False
    alice.save()
    assert token_client(alice_key).get(ME).status_code == 401


def test_session_sign_in_works_too(alice, client_for):
    response = client_for(alice).get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == alice.email


def test_errors_speak_the_token_owners_language(alice):
    alice.language = "ja"
    alice.save()
    _token, key = token_issue(user=alice, name="SIEM")
    response = token_client(key).get(ME)  # the client's browser prefers English
    assert response["Content-Language"] == "ja"


# --- creating, listing and revoking tokens --------------------------------------------


def test_the_clear_key_is_returned_once_on_creation_and_never_again(alice, client_for):
    client = client_for(alice)
    created = client.post(TOKENS, {"name": "MISP sync"}, content_type="application/json")
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("rk_")
    assert created.json()["prefix"] == key[:10]

    listed = client.get(TOKENS)
    assert listed.status_code == 200
    assert key not in listed.content.decode()
    assert all("key" not in row for row in listed.json()["results"])
    assert token_client(key).get(ME).status_code == 200


def test_a_token_is_stored_hashed(alice, client_for):
    key = client_for(alice).post(TOKENS, {"name": "MISP sync"},
                                 content_type="application/json").json()["key"]
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == hash_token(key)
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert key not in stored


def test_a_token_needs_a_name(alice, client_for):
    response = client_for(alice).post(TOKENS, {}, content_type="application/json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert not ApiToken.objects.exists()


def test_a_person_lists_only_their_own_tokens(alice, bob, client_for):
    token_issue(user=alice, name="alice's")
    token_issue(user=bob, name="bob's")
    names = [row["name"] for row in client_for(alice).get(TOKENS).json()["results"]]
    assert names == ["alice's"]


def test_revoking_a_token_stops_it_and_keeps_it_listed(alice, alice_key, client_for):
    client = client_for(alice)
    token = ApiToken.objects.get(user=alice)
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 204
    assert token_client(alice_key).get(ME).status_code == 401
    [row] = client.get(TOKENS).json()["results"]
    assert row["is_active"] is False
    assert row["revoked_at"] is not None
    # Revoking again changes nothing.
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 204


def test_someone_elses_token_is_404_and_stays_valid(alice, bob, client_for):
    token, key = token_issue(user=bob, name="bob's")
    assert client_for(alice).delete(f"{TOKENS}{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_client(key).get(ME).status_code == 200


def test_a_token_cannot_be_read_back_one_by_one(alice, alice_key, client_for):
    token = ApiToken.objects.get(user=alice)
    assert client_for(alice).get(f"{TOKENS}{token.pk}/").status_code == 405


@pytest.mark.parametrize("count", [3, 30])
def test_listing_tokens_runs_a_fixed_number_of_queries(alice, alice_key, count, client_for,
                                                       django_assert_max_num_queries):
    for n in range(count):
        token_issue(user=alice, name=f"token {n}")
    client = client_for(alice)
    with django_assert_max_num_queries(4):
        response = client.get(TOKENS)
    assert response.json()["count"] == count + 1


# --- profile --------------------------------------------------------------------------


def test_me_shows_the_profile(alice, client_for):
    data = client_for(alice).get(ME).json()
    assert set(data) == {"id", "email", "display_name", "language", "time_zone",
                         "digest_frequency", "calendar_url"}


def test_me_changes_the_profile_but_not_the_email(alice, client_for):
    response = client_for(alice).patch(ME, {
        "email": "mallory@evil.example", "display_name": "Alice A.", "language": "ja",
        "time_zone": "Europe/Paris", "digest_frequency": "daily",
    }, content_type="application/json")
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@alpha.example.jp"
    assert (alice.display_name, alice.language, alice.time_zone, alice.digest_frequency) == (
        "Alice A.", "ja", "Europe/Paris", "daily")
    assert response.json()["email"] == "alice@alpha.example.jp"


@pytest.mark.parametrize("field,value", [
    ("time_zone", "Mars/Olympus_Mons"),
    ("language", "fr"),
    ("digest_frequency", "hourly"),
])
def test_me_refuses_bad_values(alice, client_for, field, value):
    response = client_for(alice).patch(ME, {field: value}, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    alice.refresh_from_db()
    assert getattr(alice, field) != value


def test_me_cannot_be_replaced_wholesale(alice, client_for):
    response = client_for(alice).put(ME, {"display_name": "x"}, content_type="application/json")
    assert response.status_code == 405


def test_signed_out_visitors_have_no_profile(client):
    assert client.get(ME).status_code == 401


# --- the schema and its viewers ------------------------------------------------------


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file",
                 str(tmp_path / "schema.yml"))


def test_the_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/memberships/{id}/suspend/" in body
    assert "tokenAuth" in body


def _off_site_references(html: str) -> list[str]:
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    return [ref for ref in refs if re.match(r"^(?:[a-z]+:)?//", ref, re.IGNORECASE)]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_nothing_off_site(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert _off_site_references(html) == []
    # A CDN's host name, not the letters "cdn" anywhere: a random CSRF token or CSP nonce
    # in the page would contain them now and then.
    assert not re.search(r"\bcdn[\w-]*\.|jsdelivr|unpkg|googleapis", html, re.IGNORECASE)
    assert "/static/drf_spectacular_sidecar/" in html



def test_the_answer_to_a_language_change_speaks_the_new_language(alice, client_for):
    alice.language = "en"
    alice.save()
    response = client_for(alice).patch(ME, {"language": "ja"}, content_type="application/json")
    assert response.status_code == 200
    assert response["Content-Language"] == "ja"

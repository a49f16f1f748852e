"""API tokens (issue 7, finding 8): shown once on the page that answers the creation, never in
a cookie or the session; never minted, listed or revoked with a token; refused once their owner
has no active membership left; expiring; last use recorded at most once a minute."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.accounts.services import token_issue
from apps.communities.models import Membership, MembershipStatus

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
TOKENS = "/api/v1/tokens/"


def token_client(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- shown once, never in a cookie or the session -------------------------------------------


def test_new_token_is_shown_on_the_answer_and_never_in_a_cookie_or_the_session(
    alice, client_for
):
    client = client_for(alice)
    response = client.post(reverse("accounts:token_create"), {"name": "SIEM", "days": "30"})
    assert response.status_code == 201  # rendered, not a redirect carrying it
    token = ApiToken.objects.get(user=alice)
    body = response.content.decode()
    key = body.split('id="new-token-key">', 1)[1].split("<", 1)[0]
    assert key.startswith("rk_") and token.prefix == key[:10]
    for morsel in response.cookies.values():
        assert key not in morsel.value, f"the key is in the {morsel.key} cookie"
    assert all(key not in str(value) for value in client.session.values())
    assert "no-store" in response["Cache-Control"]
    assert key not in client.get(reverse("accounts:profile")).content.decode()


def test_profile_shows_each_tokens_expiry_and_last_use(alice, client_for):
    token, _key = token_issue(user=alice, name="SIEM", days=30)
    used = timezone.now() - datetime.timedelta(days=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used)
    body = client_for(alice).get(reverse("accounts:profile")).content.decode()
    local = timezone.localtime(token.expires_at, timezone.get_default_timezone())
    assert local.strftime("%Y-%m-%d") in body
    assert timezone.localtime(used, timezone.get_default_timezone()).strftime("%Y-%m-%d") in body
    assert "Expires" in body


# --- a token cannot manage tokens -----------------------------------------------------------


def test_a_token_cannot_create_a_token_on_the_api(alice):
    _token, key = token_issue(user=alice, name="SIEM")
    response = token_client(key).post(TOKENS, {"name": "minted"}, format="json")
    assert response.status_code == 403
    assert "signed in on the website" in response.json()["detail"]
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["SIEM"]


@pytest.mark.parametrize("method", ["get", "delete"])
def test_a_token_cannot_list_or_revoke_tokens_on_the_api(alice, method):
    _token, key = token_issue(user=alice, name="SIEM")
    other, _other_key = token_issue(user=alice, name="other")
    url = TOKENS if method == "get" else f"{TOKENS}{other.pk}/"
    response = getattr(token_client(key), method)(url)
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_token_cannot_create_a_token_on_the_website(alice):
    _token, key = token_issue(user=alice, name="SIEM")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("accounts:token_create"), {"name": "minted"},
                           HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert ApiToken.objects.count() == 1


def test_a_session_still_manages_tokens_on_the_api(alice, client_for):
    created = client_for(alice).post(TOKENS, {"name": "MISP", "days": 7},
                                     content_type="application/json")
    assert created.status_code == 201
    expires = datetime.datetime.fromisoformat(created.json()["expires_at"])
    assert datetime.timedelta(days=6, hours=23) < expires - timezone.now() <= (
        datetime.timedelta(days=7))


# --- refused once the owner has no active membership left -----------------------------------


def _suspend(membership):
    membership.status = MembershipStatus.SUSPENDED
    membership.save()


def _leave(membership):
    membership.status = MembershipStatus.LEFT
    membership.save()


def _remove(membership):
    membership.delete()


def _bulk_delete(membership):
    Membership.objects.filter(pk=membership.pk).delete()


def _bulk_update(membership):
    Membership.objects.filter(pk=membership.pk).update(status=MembershipStatus.SUSPENDED)


@pytest.mark.parametrize("change", [_suspend, _leave, _remove, _bulk_delete, _bulk_update],
                         ids=["suspended", "left", "removed", "bulk-deleted", "bulk-updated"])
def test_tokens_of_someone_with_no_active_membership_left_are_refused(alice, community, change):
    _token, key = token_issue(user=alice, name="SIEM")
    client = token_client(key)
    assert client.get(ME).status_code == 200
    change(Membership.objects.get(user=alice, community=community))
    response = client.get(ME)
    assert response.status_code == 401
    assert "no active membership" in response.json()["detail"]


def test_one_active_membership_left_keeps_the_tokens_working(alice, other_community, org_a):
    Membership.objects.create(user=alice, community=other_community, organization=org_a,
                              status=MembershipStatus.SUSPENDED)
    _token, key = token_issue(user=alice, name="SIEM")
    assert token_client(key).get(ME).status_code == 200


def test_a_token_works_again_when_the_membership_is_reactivated(alice, community):
    _token, key = token_issue(user=alice, name="SIEM")
    membership = Membership.objects.get(user=alice, community=community)
    _suspend(membership)
    assert token_client(key).get(ME).status_code == 401
    membership.status = MembershipStatus.ACTIVE
    membership.save()
    assert token_client(key).get(ME).status_code == 200


# --- expiry -----------------------------------------------------------------------------------


def test_an_expired_token_is_refused(alice):
    token, key = token_issue(user=alice, name="SIEM", days=1)
    client = token_client(key)
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(ME)
    assert response.status_code == 401
    token.refresh_from_db()
    assert not token.is_active


def test_tokens_expire_after_90_days_by_default_and_a_year_at_most(alice, client_for,
                                                                   settings):
    token, _key = token_issue(user=alice, name="default")
    lifetime = token.expires_at - token.created_at
    assert datetime.timedelta(days=89, hours=23) < lifetime <= datetime.timedelta(days=90)
    client = client_for(alice)
    too_long = client.post(TOKENS, {"name": "forever", "days": 366},
                           content_type="application/json")
    assert too_long.status_code == 400 and "days" in too_long.json()
    web = client.post(reverse("accounts:token_create"), {"name": "forever", "days": "3650"})
    assert web.status_code == 400
    assert ApiToken.objects.filter(user=alice).count() == 1


# --- last use --------------------------------------------------------------------------------


def _updates(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("UPDATE"))


def test_last_use_is_written_at_most_once_a_minute(alice):
    token, key = token_issue(user=alice, name="SIEM")
    client = token_client(key)
    with CaptureQueriesContext(connection) as first:
        client.get(ME)
    assert _updates(first.captured_queries) == 1
    with CaptureQueriesContext(connection) as again:
        for _n in range(3):
            client.get(ME)
    assert _updates(again.captured_queries) == 0
    a_while_ago = timezone.now() - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=a_while_ago)
    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at > a_while_ago

"""Sign-in, password reset, profile and language: the person's own screens."""

import re

import pytest
from django.urls import reverse

from apps.accounts.models import ApiToken, hash_token
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password(alice, password, client):
    response = client.post(reverse("accounts:login"),
                           {"username": alice.email, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("communities:mine")
    assert response.wsgi_request.user == alice


def test_wrong_password_is_refused_with_message(alice, client):
    response = client.post(reverse("accounts:login"),
                           {"username": alice.email, "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_sign_out_needs_post(alice, client_for):
    client = client_for(alice)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("communities:mine")).status_code == 302


def test_my_communities_lists_memberships(alice, community, client_for):
    body = client_for(alice).get(reverse("communities:mine")).content.decode()
    assert "Financial ISAC" in body  # alice reads English: the English name is shown
    alice.language = "ja"
    alice.save()
    assert "金融ISAC" in client_for(alice).get(reverse("communities:mine")).content.decode()


def test_password_reset_by_email(alice, client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/\S+/\S+/", mailoutbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    post_url = form_page.redirect_chain[-1][0]
    done = client.post(post_url, {"new_password1": "brand-New-secret-77",
                                  "new_password2": "brand-New-secret-77"})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("brand-New-secret-77")


def test_password_reset_for_unknown_address_says_nothing_more(client, mailoutbox, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_profile_update_changes_language_and_time_zone(alice, client_for):
    client = client_for(alice)
    response = client.post(reverse("accounts:profile"), {
        "display_name": "Alice", "language": "en", "time_zone": "Europe/London",
        "digest_frequency": "daily"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.language, alice.time_zone, alice.digest_frequency) == (
        "en", "Europe/London", "daily")
    page = client.get(reverse("accounts:profile"))
    assert page.wsgi_request.LANGUAGE_CODE == "en"


def test_profile_refuses_unknown_time_zone(alice, client_for):
    response = client_for(alice).post(reverse("accounts:profile"), {
        "display_name": "Alice", "language": "ja", "time_zone": "Mars/Olympus",
        "digest_frequency": "daily"})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"


def test_language_switch_is_kept_on_the_profile(alice, client_for):
    client = client_for(alice)
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/c/"})
    assert response.status_code == 302 and response["Location"] == "/c/"
    alice.refresh_from_db()
    assert alice.language == "en"


def test_language_switch_refuses_offsite_next(client, db):
    response = client.post(reverse("accounts:set_language"),
                           {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_token_created_on_profile_is_shown_once_and_stored_hashed(alice, client_for):
    client = client_for(alice)
    response = client.post(reverse("accounts:token_create"), {"name": "SIEM"}, follow=True)
    key = re.search(r"(rk_[A-Za-z0-9_\-]+)", response.content.decode()).group(1)
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == hash_token(key)
    assert key not in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(alice, bob, client_for):
    from apps.accounts.services import token_issue

    token, _key = token_issue(user=bob, name="bob's")
    response = client_for(alice).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_admin_lists_every_model_for_superuser(client, db, community, alice):
    from apps.accounts.models import User

    admin = User.objects.create_superuser("root@renkei.example", "x")
    verified_login(client, admin)
    for url in ["/admin/", "/admin/accounts/user/", "/admin/communities/community/",
                "/admin/communities/membership/", "/admin/communities/organization/",
                "/admin/communities/invitation/", "/admin/communities/federation/",
                "/admin/communities/agreement/"]:
        assert client.get(url).status_code == 200, url


def test_pages_use_the_users_time_zone(alice, client_for):
    import datetime

    from apps.accounts.services import token_issue

    token, _key = token_issue(user=alice, name="clock")
    stamp = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.UTC)
    ApiToken.objects.filter(pk=token.pk).update(created_at=stamp)
    client = client_for(alice)
    assert "2026-01-01 09:00" in client.get(reverse("accounts:profile")).content.decode()
    alice.time_zone = "America/New_York"
    alice.save()
    assert "2025-12-31 19:00" in client.get(reverse("accounts:profile")).content.decode()

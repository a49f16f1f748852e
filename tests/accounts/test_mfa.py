"""Second factor (issue 7, "Accounts"): required for the secretariat and superusers, optional
for members; TOTP with a server-drawn QR code, passkeys, single-use recovery codes; nothing
else opens before it is given (the admin and the session API included); API tokens are not
concerned."""

import base64
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.accounts.services import recovery_codes_generate, token_issue
from apps.communities.models import Membership, Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")


def password_only(user) -> Client:
    """A browser that has given the right password and nothing more."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("accounts:login"),
                           {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in itself failed"
    return client


def code_for(device: TOTPDevice) -> str:
    """What the phone shows: the current step, or the next if the current one was used."""
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    clock.time += max(0, device.last_t + 1 - clock.t()) * device.step
    return f"{clock.token():06d}"


def phone_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@renkei.example", PASSWORD)


# --- who must give a second factor -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/c/", "/c/fin-isac/", "/accounts/profile/", "/admin/"])
def test_secretariat_without_second_factor_must_set_one_up_before_any_page(sec, path):
    response = password_only(sec).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_superuser_without_second_factor_must_set_one_up_before_the_admin(root):
    client = password_only(root)
    for path in ("/admin/", "/admin/accounts/user/", "/c/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(SETUP), path


@pytest.mark.parametrize("who", ["sec", "root", "alice"])
def test_anyone_with_a_second_factor_must_give_it_before_any_page(who, sec, root, alice):
    user = {"sec": sec, "root": root, "alice": alice}[who]
    phone_for(user)
    client = password_only(user)
    for path in ("/c/", "/accounts/profile/", "/admin/", reverse("accounts:password_change")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{VERIFY}?next={path.replace('/', '%2F')}"
    assert client.get(VERIFY).status_code == 200


def test_a_member_without_second_factor_is_not_asked_for_one(alice):
    client = password_only(alice)
    assert client.get("/c/").status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_someone_made_secretariat_must_set_up_a_second_factor_on_the_next_request(alice,
                                                                                  community):
    client = password_only(alice)
    assert client.get("/c/").status_code == 200
    Membership.objects.filter(user=alice, community=community).update(role=Role.SECRETARIAT)
    response = client.get("/c/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_the_session_api_refuses_an_unverified_session_but_a_token_is_its_own_credential(sec):
    phone_for(sec)
    client = password_only(sec)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert sec.email not in response.content.decode()
    _token, key = token_issue(user=sec, name="SIEM")
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_made_up_token_header_does_not_open_anything_to_an_unverified_session(sec):
    phone_for(sec)
    client = password_only(sec)
    bogus = {"HTTP_AUTHORIZATION": "Token rk_made-up"}
    page = client.get("/c/", **bogus)
    assert page.status_code == 302 and page["Location"].startswith(VERIFY)
    assert client.get("/api/v1/me/", **bogus).status_code == 401
    assert client.get("/api/v1/tokens/", **bogus).status_code == 401


def test_a_second_factor_does_not_add_queries_to_a_members_page(alice, client_for,
                                                                django_assert_max_num_queries):
    client = client_for(alice)
    client.get("/c/")
    with django_assert_max_num_queries(6):
        assert client.get("/c/").status_code == 200


# --- verifying ---------------------------------------------------------------------------------


def test_the_code_from_the_phone_opens_the_session_and_goes_where_it_was_going(sec):
    phone = phone_for(sec)
    client = password_only(sec)
    old_key = client.session.session_key
    response = client.post(VERIFY, {"code": code_for(phone), "next": "/c/fin-isac/"})
    assert response.status_code == 302 and response["Location"] == "/c/fin-isac/"
    assert client.session.session_key != old_key
    assert client.get("/c/fin-isac/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_a_wrong_code_is_refused_and_throttled(sec):
    phone = phone_for(sec)
    client = password_only(sec)
    wrong = "000000" if code_for(phone) != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "not correct" in response.content.decode()
    assert client.get("/c/").status_code == 302
    # django-otp now makes the device wait before it checks any code, even the right one.
    response = client.post(VERIFY, {"code": code_for(phone)})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()


def test_a_used_code_cannot_open_a_second_session(sec):
    phone = phone_for(sec)
    code = code_for(phone)
    first = password_only(sec)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second = password_only(sec)
    assert second.post(VERIFY, {"code": code}).status_code == 400
    assert second.get("/c/").status_code == 302


def test_verification_never_redirects_off_site(sec):
    phone = phone_for(sec)
    response = password_only(sec).post(
        VERIFY, {"code": code_for(phone), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_a_recovery_code_opens_one_session_only(sec):
    phone_for(sec)
    codes = recovery_codes_generate(user=sec)
    assert len(codes) == 10 and len(set(codes)) == 10
    first = password_only(sec)
    assert first.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert first.get("/c/").status_code == 200
    second = password_only(sec)
    assert second.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=sec).count() == 9


# --- enrolling ---------------------------------------------------------------------------------


def test_setting_up_an_app_shows_an_inline_qr_code_then_ten_recovery_codes_once(sec):
    client = password_only(sec)
    page = client.get(SETUP)
    body = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="qr"' in body
    assert not re.search(r"""(?:src|href)=["']https?://""", body)  # nothing off-site
    device = TOTPDevice.objects.get(user=sec, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    assert base64.b32decode(secret) == device.bin_key

    wrong = client.post(SETUP, {"device": device.pk, "code": "123456"
                                if code_for(device) != "123456" else "654321"})
    assert wrong.status_code == 400
    assert client.get("/c/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait a second after a wrong code

    done = client.post(SETUP, {"device": device.pk, "code": code_for(device), "next": "/c/"})
    assert done.status_code == 201
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=sec).values_list("token", flat=True))
    assert "no-store" in done["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/c/").status_code == 200  # the session that enrolled is verified
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert not any(code in profile for code in codes)  # shown once
    assert "10 unused recovery codes left" in profile


def test_someone_with_a_second_factor_cannot_add_another_before_giving_it(alice):
    phone_for(alice)
    client = password_only(alice)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=alice, confirmed=False).exists()


def test_a_member_may_enrol_from_the_profile_and_is_then_asked_at_every_sign_in(alice,
                                                                               client_for):
    client = client_for(alice)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert SETUP in profile and "passkey-registration-placeholder" in profile
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert client.post(SETUP, {"device": device.pk, "code": code_for(device)}).status_code == 201
    later = password_only(alice)
    assert later.get("/c/")["Location"].startswith(VERIFY)


def test_passkey_registration_needs_a_verified_session_once_enrolled(alice):
    phone_for(alice)
    client = password_only(alice)
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code in (302, 403)
    assert "otp_webauthn_register_state" not in client.session


def test_passkeys_are_a_second_factor_only_never_a_password(db, client):
    response = client.post(reverse("otp_webauthn:credential-authentication-begin"))
    assert response.status_code == 403


# --- removing and replacing --------------------------------------------------------------------


def test_removing_a_second_factor_needs_the_password_and_takes_the_recovery_codes_along(
    alice, client_for
):
    phone = phone_for(alice)
    recovery_codes_generate(user=alice)
    client = client_for(alice)
    url = reverse("accounts:mfa_remove", args=["totp", phone.pk])
    client.post(url, {"password": "not-my-password"})
    assert TOTPDevice.objects.filter(pk=phone.pk).exists()
    client.post(url, {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(pk=phone.pk).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()


def test_someone_elses_second_factor_cannot_be_removed(alice, bob, client_for):
    phone_for(alice)
    bobs = phone_for(bob)
    response = client_for(alice).post(reverse("accounts:mfa_remove", args=["totp", bobs.pk]),
                                      {"password": PASSWORD})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=bobs.pk).exists()


def test_replacing_recovery_codes_needs_the_password(alice, client_for):
    phone_for(alice)
    old = set(recovery_codes_generate(user=alice))
    client = client_for(alice)
    url = reverse("accounts:mfa_recovery_codes")
    assert client.post(url, {"password": "wrong"}).status_code == 302
    assert set(StaticToken.objects.filter(device__user=alice)
               .values_list("token", flat=True)) == old
    fresh = client.post(url, {"password": PASSWORD})
    assert fresh.status_code == 201
    new = set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(new) == 10 and not new & old


# --- passwords ---------------------------------------------------------------------------------


def test_password_change_is_linked_from_the_profile_and_signs_out_other_sessions(alice,
                                                                                 client_for):
    client = client_for(alice)
    other = client_for(alice)
    url = reverse("accounts:password_change")
    assert url in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(url, {"old_password": PASSWORD, "new_password1": "Kaede-Momiji-2026",
                                 "new_password2": "Kaede-Momiji-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    alice.refresh_from_db()
    assert alice.check_password("Kaede-Momiji-2026")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert other.get(reverse("accounts:profile")).status_code == 302  # signed out


def test_a_password_reset_does_not_skip_the_second_factor(sec, client, mailoutbox):
    phone_for(sec)
    client.post(reverse("accounts:password_reset"), {"email": sec.email})
    link = re.search(r"http://\S+(/accounts/password/reset/\S+/\S+/)", mailoutbox[0].body)
    form = client.get(link.group(1), follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Kaede-Momiji-2026",
                                                    "new_password2": "Kaede-Momiji-2026"})
    assert done.status_code == 302
    assert client.get("/c/").status_code == 302  # not signed in by the reset
    signed_in = Client()
    signed_in.post(reverse("accounts:login"),
                   {"username": sec.email, "password": "Kaede-Momiji-2026"})
    assert signed_in.get("/c/")["Location"].startswith(VERIFY)

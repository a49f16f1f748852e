"""The profile: changing one's password inside the portal, a time-zone picker that offers
the common zones (Asia/Tokyo first) and accepts only real ones, and API-token help that says
how to send a token, that it expires and that it is shown once."""

import pytest
from django.urls import reverse

from apps.accounts.forms import COMMON_TIME_ZONES, ProfileForm

pytestmark = pytest.mark.django_db


def profile_data(user, **changes):
    data = {"display_name": user.display_name, "language": user.language,
            "time_zone": user.time_zone, "digest_frequency": user.digest_frequency,
            "notices_by_email": "on" if user.notices_by_email else ""}
    data.update(changes)
    return data


def test_password_change_in_the_portal_layout(client_for, alice, password):
    client = client_for(alice)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="topbar"' in body and 'name="old_password"' in body
    response = client.post(reverse("accounts:password_change"), {
        "old_password": password, "new_password1": "a-long-new-passphrase-42",
        "new_password2": "a-long-new-passphrase-42"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    alice.refresh_from_db()
    assert alice.check_password("a-long-new-passphrase-42")
    # Still signed in afterwards (the session follows the new password).
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_refuses_a_wrong_current_password(client_for, alice, password):
    response = client_for(alice).post(reverse("accounts:password_change"), {
        "old_password": "wrong", "new_password1": "a-long-new-passphrase-42",
        "new_password2": "a-long-new-passphrase-42"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_password_change_needs_a_signed_in_person(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_time_zone_picker_offers_common_zones_tokyo_first(client_for, alice):
    body = client_for(alice).get(reverse("accounts:profile")).content.decode()
    assert '<select name="time_zone"' in body
    first = body.index('value="Asia/Tokyo"')
    assert first < body.index('value="UTC"') < body.index('value="Europe/London"')
    assert "Asia/Tokyo (UTC+09:00)" in body


def test_time_zone_picker_saves_a_listed_zone(client_for, alice):
    response = client_for(alice).post(reverse("accounts:profile"),
                                      profile_data(alice, time_zone="Europe/Paris"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Paris"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "asia/tokyo", "JST+9"])
def test_time_zone_picker_refuses_unknown_zones(client_for, alice, zone):
    response = client_for(alice).post(reverse("accounts:profile"),
                                      profile_data(alice, time_zone=zone))
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"


def test_a_real_zone_outside_the_list_is_kept_and_offered(alice):
    alice.time_zone = "Africa/Nairobi"
    alice.save()
    form = ProfileForm(instance=alice)
    values = [value for value, _label in form.fields["time_zone"].choices]
    assert values[0] == "Asia/Tokyo" and "Africa/Nairobi" in values
    assert ProfileForm(profile_data(alice), instance=alice).is_valid()


def test_every_listed_zone_is_known_to_zoneinfo():
    import zoneinfo

    assert set(COMMON_TIME_ZONES) <= zoneinfo.available_timezones()
    assert COMMON_TIME_ZONES[0] == "Asia/Tokyo"


def test_token_help_says_how_to_send_it_that_it_expires_and_is_shown_once(client_for, alice):
    body = client_for(alice).get(reverse("accounts:profile")).content.decode()
    assert "Authorization: Token &lt;key&gt;" in body
    assert 'curl -H "Authorization: Token &lt;key&gt;" http://testserver/api/v1/incidents/' in body
    assert "shown once" in body
    assert "expires after the period you choose (at most 365 days)" in body
    assert "Only its first characters are kept visible" not in body


def test_token_help_in_japanese(client_for, alice):
    client = client_for(alice)
    body = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Authorization: Token" in body

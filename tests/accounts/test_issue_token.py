"""`manage.py issue_token EMAIL [--name NAME]` prints a working key and nothing else."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db


def issue(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_only_a_key_that_works(alice):
    out, _err = issue(alice.email)
    key = out.strip()
    assert out == key + "\n"
    assert key.startswith("rk_") and " " not in key
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == hash_token(key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == alice.email


def test_names_the_token(alice):
    issue(alice.email, "--name", "SOAR playbook")
    assert ApiToken.objects.get(user=alice).name == "SOAR playbook"


def test_the_email_is_matched_whatever_its_case(alice):
    issue(alice.email.upper())
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_each_run_gives_a_new_key(alice):
    first, _ = issue(alice.email)
    second, _ = issue(alice.email)
    assert first != second
    assert ApiToken.objects.filter(user=alice).count() == 2


def test_an_unknown_email_is_a_clear_error(db):
    with pytest.raises(CommandError, match=re.escape("nobody@example.jp")):
        issue("nobody@example.jp")
    assert not ApiToken.objects.exists()


def test_a_deactivated_account_gets_no_token(alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(CommandError, match=re.escape("alice@alpha.example.jp")):
        issue(alice.email)
    assert not ApiToken.objects.exists()


def test_the_token_expires_after_90_days_unless_days_says_otherwise(alice):
    import datetime

    issue(alice.email)
    issue(alice.email, "--name", "short", "--days", "7")
    default, short = (ApiToken.objects.get(user=alice, name=n) for n in ("issue_token", "short"))
    assert (default.expires_at - default.created_at).days in (89, 90)
    assert datetime.timedelta(days=6) < short.expires_at - short.created_at <= (
        datetime.timedelta(days=7))


@pytest.mark.parametrize("days", ["0", "366"])
def test_a_lifetime_outside_one_day_to_a_year_is_refused(alice, days):
    with pytest.raises(CommandError, match="1 to 365 days"):
        issue(alice.email, "--days", days)
    assert not ApiToken.objects.exists()

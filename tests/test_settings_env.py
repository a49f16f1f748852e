"""Settings come from the environment, and a malformed value stops the start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import email_settings, env_bool

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("RENKEI_FLAG", raw)
    assert env_bool("RENKEI_FLAG") is expected


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("RENKEI_FLAG", raising=False)
    assert env_bool("RENKEI_FLAG", True) is True
    assert env_bool("RENKEI_FLAG", False) is False


@pytest.mark.parametrize("raw", ["ture", "2", "enabled", "y e s"])
def test_env_bool_refuses_a_malformed_value(monkeypatch, raw):
    monkeypatch.setenv("RENKEI_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="RENKEI_FLAG"):
        env_bool("RENKEI_FLAG")


def test_email_without_url_writes_eml_files(tmp_path):
    settings = email_settings("", str(tmp_path))
    assert settings == {
        "EMAIL_BACKEND": "portal.mail.EmlFileBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }


def test_email_smtp_url_gives_plain_smtp():
    settings = email_settings("smtp://127.0.0.1:1025", "unused")
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["EMAIL_HOST"] == "127.0.0.1"
    assert settings["EMAIL_PORT"] == 1025
    assert settings["EMAIL_USE_TLS"] is False
    assert settings["EMAIL_USE_SSL"] is False
    assert settings["EMAIL_HOST_USER"] == ""


def test_email_smtp_tls_url_uses_starttls_and_decodes_credentials():
    settings = email_settings(
        "smtp+tls://mailer%40renkei:p%40ss%2Fword@mail.example.jp:587", "unused"
    )
    assert settings["EMAIL_HOST"] == "mail.example.jp"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_USE_TLS"] is True
    assert settings["EMAIL_USE_SSL"] is False
    assert settings["EMAIL_HOST_USER"] == "mailer@renkei"
    assert settings["EMAIL_HOST_PASSWORD"] == "p@ss/word"


def test_email_smtps_url_uses_implicit_tls_on_port_465_by_default():
    settings = email_settings("smtps://mail.example.jp", "unused")
    assert settings["EMAIL_PORT"] == 465
    assert settings["EMAIL_USE_SSL"] is True
    assert settings["EMAIL_USE_TLS"] is False


@pytest.mark.parametrize("url", ["imap://mail.example.jp", "http://mail.example.jp:25"])
def test_email_refuses_an_unknown_scheme(url):
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        email_settings(url, "unused")


def test_email_refuses_a_url_without_host():
    with pytest.raises(ImproperlyConfigured, match="host"):
        email_settings("smtp://", "unused")


def _import_production_settings(secret_key: str | None) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter, as a server would at start-up."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    env["ALLOWED_HOSTS"] = "renkei.example"
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "short-but-secret", "insecure-dev-key-change-me-in-production-0123456789"],
    ids=["unset", "empty", "too-short", "the-dev-default"],
)
def test_production_refuses_a_weak_secret_key(secret_key):
    result = _import_production_settings(secret_key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_strong_secret_key():
    result = _import_production_settings("k" * 20 + "Vq3-9xZ_2wLp8rT5yN0bC7mJ4hF6dS1aG")
    assert result.returncode == 0, result.stderr


# --- sessions, sign-in lockout, API throttles, second factor: all from the environment -------


def _settings_values(names: list[str], **env: str) -> dict:
    """Import the dev settings in a fresh interpreter with ``env`` and read some values."""
    import json

    environ = {k: v for k, v in os.environ.items() if not k.startswith(
        ("SESSION_", "LOGIN_", "API_", "WEBAUTHN_", "SITE_URL", "TRUSTED_PROXY"))}
    environ.update(env, DJANGO_SETTINGS_MODULE="portal.settings.dev")
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: str(getattr(s, n)) for n in {names!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=environ,
                            capture_output=True, text=True, timeout=60, check=False)
    if result.returncode:
        return {"error": result.stderr}
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_session_and_lockout_settings_come_from_the_environment():
    values = _settings_values(
        ["SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "AXES_FAILURE_LIMIT",
         "AXES_COOLOFF_TIME", "REST_FRAMEWORK", "API_TOKEN_DEFAULT_DAYS"],
        SESSION_COOKIE_AGE="3600", SESSION_EXPIRE_AT_BROWSER_CLOSE="0", LOGIN_FAILURE_LIMIT="8",
        LOGIN_LOCKOUT_MINUTES="30", API_THROTTLE_ANON="10/minute", API_THROTTLE_USER="99/hour",
        API_TOKEN_DEFAULT_DAYS="30",
    )
    assert values["SESSION_COOKIE_AGE"] == "3600"
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] == "False"
    assert values["AXES_FAILURE_LIMIT"] == "8"
    assert values["AXES_COOLOFF_TIME"] == "0:30:00"
    assert "'anon': '10/minute'" in values["REST_FRAMEWORK"]
    assert "'user': '99/hour'" in values["REST_FRAMEWORK"]
    assert values["API_TOKEN_DEFAULT_DAYS"] == "30"


def test_the_defaults_are_twelve_hours_five_attempts_and_fifteen_minutes():
    values = _settings_values(["SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE",
                               "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME",
                               "OTP_WEBAUTHN_RP_ID", "OTP_WEBAUTHN_ALLOWED_ORIGINS"])
    assert values == {
        "SESSION_COOKIE_AGE": "43200", "SESSION_EXPIRE_AT_BROWSER_CLOSE": "True",
        "AXES_FAILURE_LIMIT": "5", "AXES_COOLOFF_TIME": "0:15:00",
        # Passkeys need https or localhost: the default SITE_URL is http://127.0.0.1:8000.
        "OTP_WEBAUTHN_RP_ID": "localhost",
        "OTP_WEBAUTHN_ALLOWED_ORIGINS": "['http://localhost:8000']",
    }


def test_passkeys_follow_an_https_site_url():
    values = _settings_values(["OTP_WEBAUTHN_RP_ID", "OTP_WEBAUTHN_ALLOWED_ORIGINS"],
                              SITE_URL="https://renkei.example.jp")
    assert values == {"OTP_WEBAUTHN_RP_ID": "renkei.example.jp",
                      "OTP_WEBAUTHN_ALLOWED_ORIGINS": "['https://renkei.example.jp']"}


@pytest.mark.parametrize(("name", "value"), [
    ("SESSION_COOKIE_AGE", "twelve hours"), ("SESSION_COOKIE_AGE", "0"),
    ("LOGIN_FAILURE_LIMIT", "0"), ("API_THROTTLE_ANON", "lots"),
    ("API_THROTTLE_USER", "10/fortnight"), ("API_TOKEN_DEFAULT_DAYS", "400"),
    ("SESSION_EXPIRE_AT_BROWSER_CLOSE", "maybe"),
])
def test_a_malformed_security_setting_stops_the_start_up(name, value):
    values = _settings_values(["SESSION_COOKIE_AGE"], **{name: value})
    assert "ImproperlyConfigured" in values.get("error", "")
    assert name in values["error"]


def test_env_int_and_env_rate(monkeypatch):
    from portal.env import env_int, env_rate

    monkeypatch.setenv("RENKEI_N", " 42 ")
    assert env_int("RENKEI_N", 1) == 42
    monkeypatch.delenv("RENKEI_N")
    assert env_int("RENKEI_N", 7) == 7
    monkeypatch.setenv("RENKEI_RATE", "120/hour")
    assert env_rate("RENKEI_RATE", "1/s") == "120/hour"


def test_production_settings_pass_the_deployment_checks():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL",
                                                            "DJANGO_DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.production",
               SECRET_KEY="k" * 20 + "Vq3-9xZ_2wLp8rT5yN0bC7mJ4hF6dS1aG", ALLOWED_HOSTS="r.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

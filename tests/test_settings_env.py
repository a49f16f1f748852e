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

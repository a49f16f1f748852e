"""The test suite: fast hashing, local cache; DATABASE_URL / REDIS_URL still honoured."""

import tempfile
from pathlib import Path

from portal.env import email_settings, env_str
from portal.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A real worker process started by a test (tests/digests/test_digest_real_stack.py) hands its
# e-mails to the test's SMTP server: RENKEI_TEST_EMAIL_URL (EMAIL_URL's format). Unset: the
# in-memory outbox above, whatever EMAIL_URL says.
if env_str("RENKEI_TEST_EMAIL_URL"):
    globals().update(email_settings(env_str("RENKEI_TEST_EMAIL_URL"), ""))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The suite signs in and calls the API far more often than a person: throttles stay on but
# high; tests of throttling lower them with override_settings.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}
# Uploaded materials go to a directory of each test process, removed with /tmp.
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="renkei-materials-"))

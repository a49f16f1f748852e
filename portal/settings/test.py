"""The test suite: fast hashing, local cache; DATABASE_URL / REDIS_URL still honoured."""

import tempfile
from pathlib import Path

from portal.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
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

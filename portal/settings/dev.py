"""Local development: `make run` (which passes DJANGO_DEBUG=0 unless told otherwise, and
SITE_URL from its HOST and PORT) and `manage.py runserver` (debug on unless DJANGO_DEBUG says
otherwise)."""

from portal.env import env_bool
from portal.settings.base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
# Debug off or on, runserver serves the static files through whitenoise, straight from
# static/ and the apps: no collectstatic on a fresh machine.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

"""Local development: `make run`. Debug on unless DJANGO_DEBUG says otherwise."""

from portal.env import env_bool
from portal.settings.base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)

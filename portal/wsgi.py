import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_wsgi_application()
# What is loaded by now (Django, the apps, the URL map) lives as long as the process: moved out
# of the collector's sight, a full collection no longer walks it in the middle of a request
# (~140 ms of a list's p95 in bench/scale.py).
gc.freeze()

"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from portal.env import email_settings, env_bool, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("RENKEI_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "insecure-dev-key-change-me-in-production-0123456789")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "csp",
    "portal",
    "apps.accounts",
    "apps.audit",
    "apps.communities",
    "apps.sharing",
    "apps.incidents",
    "apps.discussions",
    "apps.meetings",
    "apps.digests",
    "apps.interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.sharing.middleware.ReachPerRequestMiddleware",
    "apps.audit.context.AuditContextMiddleware",
    "apps.accounts.middleware.UserPreferencesMiddleware",
    # After the password, the secretariat, superusers and anyone enrolled give a second factor
    # before any other page (the admin included); API tokens are not concerned.
    "apps.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.digests.context_processors.notices",  # unread notices in the navigation
                # pending approvals in a community's navigation, for its secretariat
                "apps.communities.context_processors.pending_approvals",
            ],
        },
    },
]

if not env_str("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite lives in var/
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'renkei.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The list queries are many small index walks whose estimated cost crosses PostgreSQL's
    # JIT threshold: compiling them costs 20-500 ms and saves nothing; a parallel worker
    # costs ~8 ms to start for a walk that stops after a page; and with the default
    # random_page_cost (4, a spinning disk) the planner reads a million incidents rather than
    # fetch the few thousand a search matched by key — on SSD or from memory, a key lookup
    # costs about what a sequential read does (bench/scale.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The audience index carries extra columns (INCLUDE) on PostgreSQL so that its probes read no
# table; SQLite (make run, make test) has no such thing and simply indexes the key.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt while the (e-mail, IP address) pair is locked out.
    "apps.accounts.backends.SignInLockoutBackend",
    # Django's ModelBackend that also reads, in the same query, whether a second factor is due.
    "apps.accounts.backends.AccountBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Sessions end after SESSION_COOKIE_AGE seconds (default 12 hours) and, by default, when the
# browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_REDIRECT_URL = "communities:mine"
LOGOUT_REDIRECT_URL = "home"

# Japanese first; every user chooses.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
# Meeting materials: outside the static and media roots, never served by a web server — only
# by the view that asks `sharing` (apps.meetings.views.MaterialDownloadView).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
MATERIAL_MAX_BYTES = env_int("MATERIAL_MAX_MB", 50, minimum=1) * 1024 * 1024

# E-mail: EMAIL_URL, or .eml files in var/mail/.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Renkei <noreply@renkei.example>")
globals().update(email_settings(env_str("EMAIL_URL"), str(VAR_DIR / "mail")))

# Celery: REDIS_URL, or run every task eagerly in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Redis redelivers a task not acknowledged within this time: longer than the longest job
# (a daily digest run at ISAC scale takes minutes), or a slow job would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600, minimum=1)}
# A digest or summary e-mail claimed longer ago than this by a worker that never marked it
# (killed, lost) is due again: at least once, rather than lost. Longer than one e-mail's
# hand-over can take (EMAIL_TIMEOUT for each exchange with the server).
MAIL_CLAIM_STALE_SECONDS = env_int("MAIL_CLAIM_STALE_SECONDS", 1800, minimum=1)
# The schedules live in the database (django-celery-beat, editable in the admin); their
# defaults are written by apps/digests/migrations/0002_default_schedules.py.

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Per client: signed-out callers by IP address, signed-in ones by user (token or session).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
        "user": env_rate("API_THROTTLE_USER", "600/minute"),
    },
    # 0: the client is REMOTE_ADDR (DRF's default None would trust any X-Forwarded-For).
    "NUM_PROXIES": env_int("TRUSTED_PROXY_COUNT", 0, minimum=0),
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",  # documents refusals too
    # Services refuse with Django exceptions; one handler answers them (no try per view).
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Renkei API",
    "DESCRIPTION": _("Meeting records and TLP-governed sharing for security communities."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for a choice set used by several fields (user language, community default).
    # Stable enum names in the schema, so adding a model never renames another's enum.
    # The API reads form bodies too, but its writes take nested JSON (lists, objects, null)
    # that a form cannot carry: the schema promises JSON only.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENFORCE_NON_BLANK_FIELDS": True,  # minLength 1 where DRF refuses ""
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "apps.accounts.models.Language",
        "MembershipStatusEnum": "apps.communities.models.MembershipStatus",
        "IncidentStatusEnum": "apps.incidents.models.Status",
        "SectorEnum": "apps.communities.models.Sector",
        "TlpEnum": "apps.sharing.tlp.TLP",
        "TlpSpellingEnum": "apps.discussions.api.serializers.TLP_SPELLINGS",
    },
}

# Onboarding
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
INVITATION_VALID_DAYS = int(env_str("INVITATION_VALID_DAYS", "14"))

# Audit: how long records are kept (pruned nightly), and whether X-Forwarded-For names the
# client (only behind a proxy that sets it; otherwise anyone could forge their address).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730, minimum=1)
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# --- Sign-in throttling (django-axes) -------------------------------------------------------
# A lockout is keyed by the (e-mail address, IP address) pair: an attacker elsewhere can only
# lock themselves out, and only for LOGIN_LOCKOUT_MINUTES. The e-mail address is compared in
# lower case, so changing its case does not give new attempts.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "apps.accounts.throttling.attempted_username"
AXES_CLIENT_IP_CALLABLE = "apps.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # only failures are kept, and only until their cool-off ends
AXES_VERBOSE = False  # no banner on every start; lockouts are still logged
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
# Behind N reverse proxies, the client is the Nth address from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- Second factor (django-otp: TOTP and recovery codes; django-otp-webauthn: passkeys) -----
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Renkei")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP key or a recovery code
OTP_WEBAUTHN_RP_NAME = "Renkei"
# Passkeys are bound to a domain name and need https (browsers make an exception for
# http://localhost only): by default the domain and origin of an https SITE_URL, else localhost
# on SITE_URL's port.
_site = urlsplit(SITE_URL)
_site_is_https = _site.scheme == "https"
OTP_WEBAUTHN_RP_ID = env_str(
    "WEBAUTHN_RP_ID", (_site.hostname if _site_is_https else None) or "localhost"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ORIGINS",
    f"https://{_site.netloc}" if _site_is_https
    else "http://localhost" + (f":{_site.port}" if _site.port else ""),
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is a second factor after the password
RECOVERY_CODE_COUNT = 10

# --- API tokens ---------------------------------------------------------------------------
API_TOKEN_MAX_DAYS = 365
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90, minimum=1,
                                 maximum=API_TOKEN_MAX_DAYS)

# --- Content-Security-Policy (django-csp): no inline script anywhere, nothing off-site -----
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # signed-out visitors get CLEAR content by rule, not by grants


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

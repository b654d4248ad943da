"""CoachHub settings: one module, every deploy-specific value read from the environment.

The variables are documented in README.md ("Configuration").
"""

import base64
import hashlib
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _setting(parse, name: str, **kwargs):
    """Read one variable; a malformed value stops start-up with a message naming it."""
    try:
        return parse(name, **kwargs)
    except (ValueError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"Environment variable {name}={os.environ.get(name)!r} is not valid: {error}") from None


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not valid: use true or false.")
    return raw in {"1", "true", "yes", "on"}


# Secure by default: a deployment that forgets DEBUG runs in production mode, and one that forgets
# its secrets does not start (a default would be a key everyone can read here). `make run`,
# `make test` and the test settings turn DEBUG on, where development stand-ins are used.
DEBUG = _flag("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=true for development."
        )
    SECRET_KEY = "django-insecure-development-only"
# Private coach notes are encrypted with these Fernet keys (comma-separated, urlsafe base64):
# the first encrypts, every one decrypts, so a new key is rotated in at the front. Empty is allowed
# only with DEBUG on, where a key derived from SECRET_KEY is used.
FIELD_ENCRYPTION_KEYS = [key.strip() for key in env.str("FIELD_ENCRYPTION_KEYS", default="").split(",") if key.strip()]
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: private coach notes cannot be stored. Set one Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'), "
            "or DEBUG=true for development."
        )
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(b"field-encryption:" + SECRET_KEY.encode()).digest()).decode()
    ]
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost").lower()
# The web server's port, which links in emails carry in development. Never read from PORT: in
# `make run` honcho gives each process its own PORT (web 8000, worker 8100, beat 8200), and most
# emails are built by the worker, so the Makefile sets WEB_PORT once for every process.
WEB_PORT = _setting(env.int, "WEB_PORT", default=8000)

# Hosts are checked by the tenancy middleware: a practice subdomain, a custom domain mapped to a
# practice, or the bare domain. Anything else is a 404 there, so Django's own list stays open.
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "coachhub.tenancy",
    "coachhub.accounts",
    "coachhub.roster",
    "engagements",
    "sessions.apps.CoachingSessionsConfig",
    "measurement",
    "reminders",
    "demo",
    "records",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "coachhub.tenancy.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and the practice: a NUL byte must not reach a query (a 500).
    "coachhub.tenancy.bad_input.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside sessions and messages: the request's transaction commits (and its on-commit
    # work, e.g. a success message, runs) before they save.
    "coachhub.tenancy.middleware.PracticeMiddleware",
    "coachhub.tenancy.middleware.MembershipMiddleware",
    "coachhub.accounts.middleware.AuditAddressMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Practice hosts use ROOT_URLCONF; the bare domain is switched to the platform's urlconf.
ROOT_URLCONF = "coachhub.urls"
PLATFORM_URLCONF = "coachhub.urls_platform"
WSGI_APPLICATION = "coachhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coachhub.tenancy.context_processors.practice",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# The web app and workers connect as DATABASE_URL's role: not a superuser, no BYPASSRLS, so
# Row-Level Security applies to every query. Migrations run as DATABASE_OWNER_URL's role, which
# owns the tables (`migrate` uses the "owner" alias by default; see tenancy/management).
_DEFAULT_DB = "postgres://coachhub_app@127.0.0.1:5432/coachhub"
DATABASES = {
    "default": _setting(env.db_url, "DATABASE_URL", default=_DEFAULT_DB),
    "owner": _setting(env.db_url, "DATABASE_OWNER_URL", default="postgres://coachhub@127.0.0.1:5432/coachhub"),
}
for _variable, _alias in zip(("DATABASE_URL", "DATABASE_OWNER_URL"), DATABASES.values()):
    if "postgresql" not in _alias.get("ENGINE", "") or not _alias.get("USER") or not _alias.get("NAME"):
        raise ImproperlyConfigured(f"{_variable} must look like postgres://user[:password]@host:5432/database.")
    # Persistent connections: a new authenticated connection per request costs ~7x throughput.
    # The tenancy middleware sets the practice per transaction, so nothing carries over.
    _alias.setdefault("CONN_MAX_AGE", _setting(env.int, "CONN_MAX_AGE", default=60))
    _alias["CONN_HEALTH_CHECKS"] = True
    _alias.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
# The role RLS binds; `migrate` grants it DML on every table (tenancy.database).
APPLICATION_DATABASE_ROLE = DATABASES["default"]["USER"]
# Used by `setup_database` to create the roles and the database when they are missing.
DATABASE_ADMIN_URL = env.str("DATABASE_ADMIN_URL", default="postgres://postgres@127.0.0.1:5432/postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and the cache ------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "coachhub.tenancy.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the current practice, so no cache entry is shared between tenants.
        "KEY_FUNCTION": "coachhub.tenancy.context.practice_cache_key",
        "KEY_PREFIX": "coachhub",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}
# Sessions, the person, their roles and the practice for a host are read from PostgreSQL on every
# request (one indexed query each): a change made by any path — a command, psql, another
# process — is seen by the next request, with nothing to keep fresh.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this; longer than any task we run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = _flag("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE: dict = {
    # Reminders: each minute, a dispatch task per active practice with something due (exactly once:
    # rows are claimed with SELECT … FOR UPDATE SKIP LOCKED).
    "reminders-dispatch": {"task": "reminders.tasks.enqueue_due_reminders", "schedule": 60.0},
    # Stakeholder nominees' invitations and reminders, the same way (reminders/stakeholders.py).
    "stakeholder-dispatch": {"task": "reminders.tasks.enqueue_nominee_messages", "schedule": 60.0},
    # Measurement points due on a date fall due (hourly, so each practice's midnight is met within the hour).
    "measurement-points-due": {"task": "measurement.tasks.mark_points_due_everywhere", "schedule": 3600.0},
    # Coaches' own calendars: every connection synced every 5 minutes (one task per practice).
    "calendars-sync": {"task": "coachhub.roster.tasks.sync_calendars_everywhere", "schedule": 300.0},
    # The retention purge (records/retention): records past the terms the practice keeps them for, daily.
    "records-retention-purge": {"task": "records.tasks.enqueue_retention_purge", "schedule": 24 * 3600.0},
    # Data exports are kept 7 days: older ZIPs (and private-notes PDFs) are deleted daily.
    "records-purge-old-exports": {"task": "records.tasks.purge_old_exports_everywhere", "schedule": 24 * 3600.0},
}
# Coaches' own calendars (CalDAV, iCalendar subscriptions) are fetched server-side: addresses that resolve
# to loopback, private, link-local or metadata ranges are refused unless this is true (a closed network,
# the tests and the demo). Responses are limited in size and time.
CALENDAR_ALLOW_PRIVATE_HOSTS = _flag("CALENDAR_ALLOW_PRIVATE_HOSTS", default=False)
CALENDAR_MAX_BYTES = _setting(env.int, "CALENDAR_MAX_BYTES", default=10 * 1024 * 1024)
CALENDAR_TIMEOUT_SECONDS = _setting(env.float, "CALENDAR_TIMEOUT_SECONDS", default=10.0)
CALENDAR_SYNC_MINUTES = 5
REMINDERS_BATCH_SIZE = _setting(env.int, "REMINDERS_BATCH_SIZE", default=500)

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "coachhub.accounts.adapter.PracticeAccountAdapter"
ACCOUNT_FORMS = {"login": "coachhub.accounts.forms.PracticeLoginForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Tell people by email when their password, email or two-factor settings change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("HTTP_PROTOCOL", default="http" if DEBUG else "https")
# allauth's defaults, stated so they are visible: failed logins per IP and per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
}
# Anonymous chemistry-call bookings through the API: per client address and per email ("N/h").
BOOKING_RATE_LIMIT_PER_IP = env.str("BOOKING_RATE_LIMIT_PER_IP", default="10/h")
BOOKING_RATE_LIMIT_PER_EMAIL = env.str("BOOKING_RATE_LIMIT_PER_EMAIL", default="5/h")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CoachHub"

# --- Email -------------------------------------------------------------------------------------
# EMAIL_URL: smtp://user:pass@host:25, smtp+tls://…:587, smtp+ssl://…:465, consolemail://, or
# filemail://<dir> (the default, filemail://var/mail): one readable .eml file per message, the
# directory relative to the project unless absolute (filemail:///srv/mail).
EMAIL_URL = env.str("EMAIL_URL", default="filemail://var/mail")
if EMAIL_URL.startswith("filemail://"):
    EMAIL_BACKEND = "coachhub.tenancy.mail.EmlFileBackend"
    EMAIL_FILE_PATH = BASE_DIR / (EMAIL_URL.removeprefix("filemail://") or "var/mail")
else:
    globals().update(_setting(lambda name, **_: environ.Env.email_url_config(os.environ[name]), "EMAIL_URL"))
# Seconds one SMTP exchange may wait; the reminder outbox's lease on the rows it sends is ten of these.
EMAIL_TIMEOUT = _setting(env.int, "EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"CoachHub <no-reply@{BASE_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "coachhub.tenancy.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts, styles, images, fonts and fetches from the site itself only: no inline script or
# style anywhere (the brand colours come from a per-practice stylesheet), never framed, forms
# post to the site itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _setting(env.int, "SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # weasyprint.progress logs every step of every PDF at INFO; its warnings (e.g. a refused fetch)
    # come from the "weasyprint" logger and still show.
    # The CalDAV client logs whole requests (the Authorization header too) at DEBUG: never let them out.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"},
                "caldav": {"level": "WARNING"}, "niquests": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
}

"""PatientCare settings: everything comes from environment variables (12-factor).

With no environment at all you get the embedded default a newcomer needs: a SQLite file in var/,
an in-memory channel layer and Celery running tasks inline. ``DJANGO_ENV=production`` refuses to
start without a real ``SECRET_KEY`` and ``ALLOWED_HOSTS`` and turns on every HTTPS and cookie
protection that ``manage.py check --deploy`` asks for. docs/operations/configuration.md lists every
variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from patientcare.env import env_bool, env_int, env_list
from patientcare.redis_tls import broker_ssl_options
from patientcare.settings_headers import *  # noqa: F403 - CSP, Permissions-Policy, framing

BASE_DIR = Path(__file__).resolve().parent.parent


DJANGO_ENV = os.environ.get("DJANGO_ENV", "local").strip().lower()
if DJANGO_ENV not in {"local", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'local' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

# --- secrets and hosts -------------------------------------------------------------------------
_INSECURE_LOCAL_KEY = "local-only-not-a-secret-patientcare-embedded-default-key-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The previous key(s) while rotating (comma-separated): sessions and signatures made with them
# stay valid until they are removed (docs/operations/security.md, "Keys and secrets").
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
if PRODUCTION:
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == _INSECURE_LOCAL_KEY:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY: at least 50 random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs ALLOWED_HOSTS (comma-separated host names)."
        )
else:
    SECRET_KEY = SECRET_KEY or _INSECURE_LOCAL_KEY
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

DEBUG = False if PRODUCTION else env_bool("DEBUG", True)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",  # ASGI runserver: HTTP and WebSocket in one process
    "patientcare.apps.PatientCareAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # partner API tokens (hashed, expiring); the token model is partners.ServiceToken
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our static files, no CDN
    "csp",  # Content-Security-Policy with nonces (settings_headers.py)
    "phonenumber_field",
    "guardian",
    "simple_history",  # row versions of patients, cases and details
    "axes",  # login lockout by account and by address (patientcare/settings_login.py)
    "django_otp",  # the second factor (patientcare/settings_mfa.py, mfa/)
    "mfa.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp: authenticator apps (TOTP)
    "django_otp.plugins.otp_static",  # single-use recovery codes
    "django_otp_webauthn",  # passkeys, a second factor only (settings_mfa.py, mfa/passkeys.py)
    # The audit kernel before every app whose models it audits: each app registers them in its
    # own ready(), after the kernel has connected the PCI boundary (docs/architecture/audit.md).
    "auditlog",
    "compliance",
    "accounts",
    "cases",
    # support categories: each registers its kind with cases.registry in AppConfig.ready()
    "billing_inquiries",
    "insurance_coverage",
    "prescription_refills",
    "portal_support",
    "care_navigation",
    "general_information",
    "complaints",
    "partners",  # partner organisations, their service accounts and API tokens
    "oversight",  # the compliance officers' pages, break-the-glass and its review
    "api",
    # Before webhooks: its case hook (red flags raise the priority) runs before the outbox's.
    "escalations",  # clinical escalation pathways, SBAR handoffs, red flags, timers
    "webhooks",
    "console",  # the agents' live queue pages and WebSocket consumer
    "mfa",  # the second factor's pages, policy and audit (settings_mfa.py)
    "fixtures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    *HEADERS_MIDDLEWARE,  # noqa: F405 - CSP, Permissions-Policy, no-store (settings_headers.py)
    "compliance.middleware.CardDataEchoMiddleware",  # no card number echoed in errors and forms
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.idle.IdleTimeoutMiddleware",  # the idle timeout's expiry, refreshed once a minute
    "django.middleware.common.CommonMiddleware",
    "api.middleware.ApiErrorMiddleware",  # /api/: the error format for Django's own errors, 413
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "patientcare.outage.DatabaseOutageMiddleware",  # database unreachable: 503 + Retry-After
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "mfa.middleware.SecondFactorMiddleware",  # no page before the second factor (settings_mfa)
    "simple_history.middleware.HistoryRequestMiddleware",
    "compliance.middleware.AuditMiddleware",  # request user, address and correlation id on entries
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: a locked-out login answers 429 (settings_login)
]

# Static files: whitenoise in production (after collectstatic); runserver serves them locally.
if PRODUCTION:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "patientcare.urls"
WSGI_APPLICATION = "patientcare.wsgi.application"
ASGI_APPLICATION = "patientcare.asgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no database row for anonymous users

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database ----------------------------------------------------------------------------------
_SQLITE_DEFAULT = f"sqlite:///{BASE_DIR / 'var' / 'patientcare.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "") or _SQLITE_DEFAULT
if DATABASE_URL == _SQLITE_DEFAULT:
    (BASE_DIR / "var").mkdir(exist_ok=True)
if PRODUCTION and DATABASE_URL.startswith("sqlite"):
    raise ImproperlyConfigured("DJANGO_ENV=production needs DATABASE_URL pointing at PostgreSQL.")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for the writer (no "database is locked"); take the write lock at BEGIN.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
):
    raise ImproperlyConfigured("DATABASE_URL must name PostgreSQL or SQLite.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_RETRY_AFTER_SECONDS = env_int("DATABASE_RETRY_AFTER_SECONDS", 10)  # outage: 503

# --- the live queue (docs/architecture/live-queue.md) --------------------------------------------
LIVE_QUEUE_HEARTBEAT_SECONDS = env_int("LIVE_QUEUE_HEARTBEAT_SECONDS", 20)
LIVE_QUEUE_ACCESS_CACHE_SECONDS = env_int("LIVE_QUEUE_ACCESS_CACHE_SECONDS", 15)
LIVE_QUEUE_PRESENCE_SECONDS = env_int("LIVE_QUEUE_PRESENCE_SECONDS", 1)
LIVE_QUEUE_SNAPSHOT_LIMIT = env_int("LIVE_QUEUE_SNAPSHOT_LIMIT", 1000)
# Seconds without live updates before the console says so in a banner (live.js).
LIVE_QUEUE_GRACE_SECONDS = env_int("LIVE_QUEUE_GRACE_SECONDS", 10)
CONSOLE_SLA_WARNING_MINUTES = env_int("CONSOLE_SLA_WARNING_MINUTES", 30)

# --- Redis: channel layer and Celery broker ----------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("DJANGO_ENV=production needs REDIS_URL (channel layer and Celery).")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A dict, not the bare URL, to set redis-py's timeouts (issue 17). Every socket
                # waits for its next message with a blocking pop of 5 s (channels-redis'
                # RedisChannelLayer.brpop_timeout, not a CONFIG option); redis-py's default read
                # timeout (socket_timeout) is 5 s too, so an idle socket's read timed out
                # ("Timeout reading from ...") and the server closed it with 1011 every ~6 s.
                # The read timeout must stay above the pop (tests/patientcare/test_settings.py);
                # connecting keeps a short timeout. Options in REDIS_URL's query string win.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,  # s: three pops; a hung Redis still shows
                        "socket_connect_timeout": 5,
                    }
                ],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "patientcare"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache: API throttling counters (shared by every worker: Redis in production). Seconds a
# connection to the cache's Redis, or one command on it, may take before it counts as down.
CACHE_REDIS_TIMEOUT = float(os.environ.get("CACHE_REDIS_TIMEOUT", "0.25") or 0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("CACHE_REDIS_URL", REDIS_URL),
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "patientcare"),
            # Fail fast: redis-py's connection pool gets these, so an unreachable Redis costs a
            # request a fraction of a second; throttling then lets it through (api/throttling.py).
            "OPTIONS": {
                "socket_connect_timeout": CACHE_REDIS_TIMEOUT,
                "socket_timeout": CACHE_REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# rediss://: the certificate checks redis-py makes for the layer and the cache (redis_tls.py).
CELERY_BROKER_USE_SSL = broker_ssl_options(REDIS_URL, production=PRODUCTION) or False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# The audit trail's sealer and anchors (docs/architecture/audit.md; docs/operations/).
AUDIT_SEAL_SECONDS = float(os.environ.get("AUDIT_SEAL_SECONDS", "1") or 1)
AUDIT_ANCHOR_SECONDS = float(os.environ.get("AUDIT_ANCHOR_SECONDS", "300") or 300)
# Anchors: an Ed25519 private key (PEM) that signs them, and where they are kept — a file that is
# appended to (put it on storage the database's administrators cannot rewrite) and/or a syslog
# target (host:port over UDP, or a socket path such as /dev/log). The embedded default keeps both
# in var/ and makes its own key; production must name them.
AUDIT_ANCHOR_KEY_FILE = os.environ.get("AUDIT_ANCHOR_KEY_FILE", "") or (
    "" if PRODUCTION else str(BASE_DIR / "var" / "audit-anchor-key.pem")
)
AUDIT_ANCHOR_CREATE_KEY = not PRODUCTION and not os.environ.get("AUDIT_ANCHOR_KEY_FILE")
AUDIT_ANCHOR_PUBLIC_KEY_FILE = os.environ.get("AUDIT_ANCHOR_PUBLIC_KEY_FILE", "")
AUDIT_ANCHOR_FILE = os.environ.get("AUDIT_ANCHOR_FILE", "") or (
    "" if PRODUCTION else str(BASE_DIR / "var" / "audit-anchors.jsonl")
)
AUDIT_ANCHOR_SYSLOG = os.environ.get("AUDIT_ANCHOR_SYSLOG", "")
# Periodic tasks (celery beat): the daily audit chain verification, at a quiet hour, and the
# every-minute sweeps. In the embedded default (no beat) `manage.py run_timers` runs the
# interval entries in-process (`run.py demo` starts it with the server).
CELERY_BEAT_SCHEDULE = {
    "verify-audit-chain": {
        "task": "compliance.verify_audit_chain",
        "schedule": crontab(hour=env_int("AUDIT_VERIFY_HOUR_UTC", 7), minute=15),
    },
    # Every second: the sealer chains the audit entries committed since its last run
    # (compliance.sealer; docs/architecture/audit.md). A run still queued when the next is sent
    # is dropped, and a run that finds another sealer at work returns at once.
    "seal-audit-entries": {
        "task": "compliance.seal_audit_entries",
        "schedule": AUDIT_SEAL_SECONDS,
        "options": {"expires": AUDIT_SEAL_SECONDS},
    },
    # Every AUDIT_ANCHOR_SECONDS: the chain's head, signed, kept outside the database.
    "anchor-audit-chain": {
        "task": "compliance.anchor_audit_chain",
        "schedule": AUDIT_ANCHOR_SECONDS,
        "options": {"expires": AUDIT_ANCHOR_SECONDS},
    },
    "purge-idempotency-keys": {  # hourly: expired Idempotency-Key records (api.tasks)
        "task": "api.purge_idempotency_keys",
        "schedule": crontab(minute=35),
    },
    "webhooks-sweep": {  # every minute: due webhook retries and what Redis lost (webhooks.tasks)
        "task": "webhooks.sweep",
        "schedule": 60.0,
    },
    # Every minute: unacknowledged escalations past their target go to the fallback pathway
    # (escalations.timers). A run still queued when the next is sent is dropped (expires).
    "escalations-sweep-timers": {
        "task": "escalations.sweep_timers",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Every minute: SLA warnings (CONSOLE_SLA_WARNING_MINUTES before a due time) and breaches
    # are marked on cases and announced to the live queue (cases.timers.sweep).
    "cases-sweep-sla": {
        "task": "cases.sweep_sla",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Every minute: grievance acknowledgements and responses past their deadline are marked
    # overdue once, on the timeline, and the complaints (or privacy) queue is alerted live
    # (complaints.timers).
    "complaints-sweep-overdue": {
        "task": "complaints.sweep_overdue",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# --- authentication and sessions (HIPAA: automatic logoff when idle) ---------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Repeats, keyboard and number sequences, season/month + year, the product's or the
    # organisation's name + digits, common passwords with substitutions (accounts/passwords.py).
    {
        "NAME": "accounts.passwords.PredictablePasswordValidator",
        "OPTIONS": {"words": env_list("PASSWORD_BLOCKED_WORDS", [])},
    },
]
# Argon2id first: new passwords are hashed with it, and a password stored by an older hasher
# still verifies and is re-hashed with Argon2 at its next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 15 * 60)
# An idle timeout, counted from the last request: accounts.idle.IdleTimeoutMiddleware pushes the
# expiry on at most once per SESSION_IDLE_REFRESH_SECONDS (not a session write per request), so
# an idle session ends between AGE - REFRESH and AGE after its last request, never later.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_IDLE_REFRESH_SECONDS = min(env_int("SESSION_IDLE_REFRESH_SECONDS", 60), SESSION_COOKIE_AGE)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "admin:login"
# Login lockout (django-axes): failure limit, cool-off, the address, the 429 page.
from patientcare.settings_login import *  # noqa: E402, F403

# The second factor (django-otp): who must, the issuer, throttling, recovery codes.
from patientcare.settings_mfa import *  # noqa: E402, F403

OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(  # noqa: F405
    ALLOWED_HOSTS, production=PRODUCTION
)
MFA_PASSKEYS = bool(OTP_WEBAUTHN_RP_ID)  # False: no host name to bind passkeys to

# --- internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONENUMBER_DEFAULT_REGION", "US")

# --- static files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- REST API and partner API tokens: patientcare/settings_api.py -----------------------------
from patientcare.settings_api import *  # noqa: E402, F403

# --- HTTPS (production); the browser headers are in settings_headers.py -----------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True

# --- logging: never PHI (services log ids and codes only) --------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- PatientCare -------------------------------------------------------------------------------
# Break-the-glass: duration, who may, and how often (patientcare/settings_break_glass.py).
from patientcare.settings_break_glass import *  # noqa: E402, F403

# Outbound webhooks (webhooks/): plain http only to loopback and only when allowed; how long a
# rotated-out signing secret keeps signing; delivery attempts before a message is failed.
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)
WEBHOOKS_SECRET_OVERLAP_HOURS = env_int("WEBHOOKS_SECRET_OVERLAP_HOURS", 24)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 12)
# Idempotency-Key records of the API are kept this many hours (never under 24: api/idempotency.py).
IDEMPOTENCY_KEY_HOURS = max(env_int("IDEMPOTENCY_KEY_HOURS", 24), 24)
# Case references look like PC-2026-000123 (prefix, year of opening, a number never reused).
CASE_REFERENCE_PREFIX = os.environ.get("CASE_REFERENCE_PREFIX", "PC")
# Audit trail (docs/architecture/audit.md): a hash-chained, append-only log entry model, and how
# long entries are kept before compliance.audit.purge_before may remove them (never under 6 years).
AUDITLOG_LOGENTRY_MODEL = "compliance.AuditEntry"
# auditlog's own LogEntry is swapped out: no migrations, so no unused auditlog_logentry table (its
# foreign key to content types would also block the test database flush on PostgreSQL).
# knox's own AuthToken is swapped for partners.ServiceToken (KNOX_TOKEN_MODEL): no migrations,
# so no unused knox_authtoken table (its foreign key to users would also block the test flush).
MIGRATION_MODULES = {"auditlog": None, "knox": None}
# The correlation id of a request's entries is made by compliance.middleware, never taken from a
# client's header.
AUDITLOG_CID_HEADER = None
# Reverse proxies in front of the application that append to X-Forwarded-For (the audit trail's
# client address is the one the outermost of them saw); 0: the socket's peer address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AUDIT_RETENTION_DAYS = max(env_int("AUDIT_RETENTION_DAYS", 6 * 365), 6 * 365)

# Red flags' learned second opinion (escalations/redflags/learned.py): asked only when no rule
# fired; trained when a server or worker starts (a background thread), not on a patient's message.
RED_FLAG_MODEL = env_bool("RED_FLAG_MODEL", True)
RED_FLAG_MODEL_WARM_UP = env_bool("RED_FLAG_MODEL_WARM_UP", True)

"""Settings come from the environment: the embedded default, the PostgreSQL/Redis switches and the
production guard rails.

Each scenario starts a fresh interpreter (settings are read once, at import) with a controlled
environment. The scenarios are independent, so they all start at once when the module's first
test asks for one; each test then waits for its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import time_machine
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.contrib.sessions.models import Session

from tests.factories import UserFactory

BASE_DIR = str(settings.BASE_DIR)
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_dev"
REDIS_URL = "redis://127.0.0.1:6379/0"
GOOD_KEY = secrets.token_urlsafe(48)  # 64 random characters
assert len(GOOD_KEY) == 64
OLD_KEY, OLDER_KEY = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
LOCAL_KEY = "local-only-not-a-secret-patientcare-embedded-default-key-0123456789"

# Everything the settings module reads that could leak in from the developer's or CI's shell.
CONTROLLED = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "CACHE_REDIS_TIMEOUT",
    "DEBUG",
    "CELERY_TASK_ALWAYS_EAGER",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_IDLE_TIMEOUT_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "ADMIN_URL",
    "LOGIN_USUAL_HOURS",
    "SECRET_KEY_FALLBACKS",
    "LOGIN_REVIEW_FAILURES",
    "LOGIN_REVIEW_ADDRESSES",
}

# Prints the settings the tests look at, as JSON on the last line of stdout.
PRINT_SETTINGS = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
layer = s.CHANNEL_LAYERS["default"]
print(json.dumps({
    "PRODUCTION": s.PRODUCTION,
    "DEBUG": s.DEBUG,
    "ENGINE": db["ENGINE"],
    "DB_NAME": str(db["NAME"]),
    "DB_HOST": db.get("HOST", ""),
    "CHANNEL_BACKEND": layer["BACKEND"],
    "CHANNEL_HOSTS": layer.get("CONFIG", {}).get("hosts"),
    "CACHE_BACKEND": s.CACHES["default"]["BACKEND"],
    "CACHE_OPTIONS": s.CACHES["default"].get("OPTIONS", {}),
    "CELERY_TASK_ALWAYS_EAGER": s.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "SECRET_KEY_LENGTH": len(s.SECRET_KEY),
    "SECRET_KEY_FALLBACKS": s.SECRET_KEY_FALLBACKS,
    "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE,
    "SESSION_SAVE_EVERY_REQUEST": s.SESSION_SAVE_EVERY_REQUEST,
    "SESSION_IDLE_REFRESH_SECONDS": s.SESSION_IDLE_REFRESH_SECONDS,
    "IDLE_MIDDLEWARE": s.MIDDLEWARE.index("accounts.idle.IdleTimeoutMiddleware")
    - s.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
}))
"""
# Only imports the settings (what every entry point does first).
IMPORT_SETTINGS = "from django.conf import settings; settings.INSTALLED_APPS"

PRODUCTION_OK = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "support.example.org",
    "DATABASE_URL": POSTGRES_URL,
    "REDIS_URL": REDIS_URL,
    "ADMIN_URL": "staff-7f3k/",
}

# TLS to PostgreSQL and Redis: what each client library is given (docs/operations/security.md).
TLS_DATABASE_URL = (
    "postgresql://app@db.example.org:5432/patientcare"
    "?sslmode=verify-full&sslrootcert=/etc/patientcare/pg-ca.pem"
)
TLS_REDIS_URL = (
    "rediss://:secret@redis.example.org:6380/0?ssl_ca_certs=/etc/patientcare/redis-ca.pem"
)
PRINT_TLS = """
import json
import ssl
import django
django.setup()
import redis
from channels_redis.utils import create_pool
from django.conf import settings
from patientcare.celery import app
host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
layer = create_pool(host)
cache = settings.CACHES["default"]
cache_pool = redis.ConnectionPool.from_url(cache["LOCATION"], **cache["OPTIONS"])
broker = app.connection_for_write()
print(json.dumps({
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "layer_class": layer.connection_class.__name__,
    "layer_ca": layer.connection_kwargs.get("ssl_ca_certs"),
    "cache_class": cache_pool.connection_class.__name__,
    "cache_ca": cache_pool.connection_kwargs.get("ssl_ca_certs"),
    "broker_ssl": {k: (int(v) if isinstance(v, ssl.VerifyMode) else v)
                   for k, v in (broker.ssl or {}).items()},
    "CERT_REQUIRED": int(ssl.CERT_REQUIRED),
}))
"""

# Where the URL map puts the admin, and what answers at the old place (ADMIN_URL).
PRINT_ADMIN_URLS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import reverse
client = Client()
print(json.dumps({
    "ADMIN_URL": settings.ADMIN_URL,
    "index": reverse("admin:index"),
    "login": reverse("admin:login"),
    "root": client.get("/")["Location"],
    "old_status": client.get("/admin/login/").status_code,
    "new_status": client.get(reverse("admin:login")).status_code,
}))
"""


def _without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in names}


@dataclass(frozen=True)
class Scenario:
    env: dict[str, str]
    code: str | None = None  # python -c CODE; None: manage.py ARGS
    args: tuple[str, ...] = ()


SCENARIOS: dict[str, Scenario] = {
    "default": Scenario({}, PRINT_SETTINGS),
    "postgres": Scenario({"DATABASE_URL": POSTGRES_URL}, PRINT_SETTINGS),
    "redis": Scenario({"REDIS_URL": REDIS_URL}, PRINT_SETTINGS),
    "debug-false": Scenario({"DEBUG": "off"}, PRINT_SETTINGS),
    "debug-maybe": Scenario({"DEBUG": "maybe"}, IMPORT_SETTINGS),
    "staging": Scenario({"DJANGO_ENV": "staging"}, IMPORT_SETTINGS),
    # manage.py itself, not just the import: the command must exit non-zero.
    "prod-no-key": Scenario(_without(PRODUCTION_OK, "SECRET_KEY"), args=("check",)),
    "prod-short-key": Scenario({**PRODUCTION_OK, "SECRET_KEY": "too-short-0123"}, IMPORT_SETTINGS),
    "prod-repetitive-key": Scenario({**PRODUCTION_OK, "SECRET_KEY": "ab" * 40}, IMPORT_SETTINGS),
    "prod-local-key": Scenario({**PRODUCTION_OK, "SECRET_KEY": LOCAL_KEY}, IMPORT_SETTINGS),
    "prod-no-hosts": Scenario(_without(PRODUCTION_OK, "ALLOWED_HOSTS"), IMPORT_SETTINGS),
    "prod-sqlite": Scenario(
        {**PRODUCTION_OK, "DATABASE_URL": "sqlite:////tmp/patientcare-prod.sqlite3"},
        IMPORT_SETTINGS,
    ),
    "prod-no-database": Scenario(_without(PRODUCTION_OK, "DATABASE_URL"), IMPORT_SETTINGS),
    "prod-no-redis": Scenario(_without(PRODUCTION_OK, "REDIS_URL"), IMPORT_SETTINGS),
    # DEBUG=true must not switch debugging on in production.
    "prod-settings": Scenario({**PRODUCTION_OK, "DEBUG": "true"}, PRINT_SETTINGS),
    "prod-rotating-key": Scenario(
        {**PRODUCTION_OK, "SECRET_KEY_FALLBACKS": f"{OLD_KEY}, {OLDER_KEY}"}, PRINT_SETTINGS
    ),
    "prod-check-deploy": Scenario(
        PRODUCTION_OK, args=("check", "--deploy", "--fail-level", "WARNING")
    ),
    "prod-check-deploy-default-admin": Scenario(
        _without(PRODUCTION_OK, "ADMIN_URL"), args=("check", "--deploy", "--fail-level", "WARNING")
    ),
    "admin-url-default": Scenario({}, PRINT_ADMIN_URLS),
    "admin-url-moved": Scenario({"ADMIN_URL": "staff-7f3k/"}, PRINT_ADMIN_URLS),
    "admin-url-leading-slash": Scenario({"ADMIN_URL": "/staff/"}, IMPORT_SETTINGS),
    "admin-url-no-trailing-slash": Scenario({"ADMIN_URL": "staff"}, IMPORT_SETTINGS),
    "admin-url-query": Scenario({"ADMIN_URL": "staff?x=1/"}, IMPORT_SETTINGS),
    "tls": Scenario({"DATABASE_URL": TLS_DATABASE_URL, "REDIS_URL": TLS_REDIS_URL}, PRINT_TLS),
    "prod-check-deploy-plain-network": Scenario(
        {
            **PRODUCTION_OK,
            "DATABASE_URL": "postgresql://app@db.example.org:5432/patientcare",
            "REDIS_URL": "redis://redis.example.org:6379/0",
        },
        args=("check", "--deploy", "--fail-level", "WARNING"),
    ),
    "prod-check-deploy-tls-network": Scenario(
        {**PRODUCTION_OK, "DATABASE_URL": TLS_DATABASE_URL, "REDIS_URL": TLS_REDIS_URL},
        args=("check", "--deploy", "--fail-level", "WARNING"),
    ),
    "tls-bare": Scenario({"REDIS_URL": "rediss://redis.example.org:6380/0"}, PRINT_TLS),
    "prod-redis-no-cert-check": Scenario(
        {**PRODUCTION_OK, "REDIS_URL": "rediss://redis.example.org:6380/0?ssl_cert_reqs=none"},
        IMPORT_SETTINGS,
    ),
    "usual-hours-bad": Scenario({"LOGIN_USUAL_HOURS": "9 to 5"}, IMPORT_SETTINGS),
    "review-addresses-one": Scenario({"LOGIN_REVIEW_ADDRESSES": "1"}, IMPORT_SETTINGS),
}


def _run(scenario: Scenario) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in CONTROLLED}
    env["DJANGO_SETTINGS_MODULE"] = "patientcare.settings"
    env.update(scenario.env)
    if scenario.code is not None:
        command = [sys.executable, "-c", scenario.code]
    else:
        command = [sys.executable, "manage.py", *scenario.args]
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def runs():
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures: dict[str, Future] = {
            name: pool.submit(_run, scenario) for name, scenario in SCENARIOS.items()
        }
        yield futures


@pytest.fixture
def run(runs):
    def result(name: str) -> subprocess.CompletedProcess[str]:
        return runs[name].result()

    return result


@pytest.fixture
def printed(run):
    def values(name: str) -> dict:
        process = run(name)
        assert process.returncode == 0, process.stderr
        return json.loads(process.stdout.strip().splitlines()[-1])

    return values


def _refusal(process: subprocess.CompletedProcess[str]) -> str:
    """The ImproperlyConfigured message a refused start ends with."""
    assert process.returncode != 0, process.stdout
    last = process.stderr.strip().splitlines()[-1]
    prefix = "django.core.exceptions.ImproperlyConfigured: "
    assert last.startswith(prefix), process.stderr
    return last.removeprefix(prefix)


# --- the embedded default and the PostgreSQL / Redis switches -------------------------------------


def test_embedded_default_needs_no_environment(printed):
    values = printed("default")
    assert values["PRODUCTION"] is False
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DB_NAME"] == str(settings.BASE_DIR / "var" / "patientcare.sqlite3")
    assert values["CHANNEL_BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert "localhost" in values["ALLOWED_HOSTS"]
    assert values["SECRET_KEY_LENGTH"] >= 50
    assert values["SESSION_COOKIE_SECURE"] is False


def test_database_url_switches_to_postgresql(printed):
    values = printed("postgres")
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["DB_NAME"] == "patientcare_dev"
    assert values["DB_HOST"] == "127.0.0.1"
    # Redis is a separate switch: without REDIS_URL the rest stays embedded.
    assert values["CHANNEL_BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_redis_url_switches_channel_layer_and_celery(printed):
    values = printed("redis")
    assert values["CHANNEL_BACKEND"] == "channels_redis.core.RedisChannelLayer"
    [host] = values["CHANNEL_HOSTS"]
    assert host["address"] == REDIS_URL
    # Issue 17: redis-py's read timeout above the layer's blocking pop, or an idle socket's read
    # times out and the socket closes with 1011 (tests/console/test_consumer_idle.py).
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout
    assert host["socket_connect_timeout"] > 0
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == REDIS_URL
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    # The cache fails fast when Redis is unreachable (throttling then fails open).
    assert values["CACHE_BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHE_OPTIONS"] == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}


def test_debug_is_read_as_a_boolean(printed):
    assert printed("debug-false")["DEBUG"] is False


def test_bad_boolean_refuses_with_a_clear_message(run):
    message = _refusal(run("debug-maybe"))
    assert message == "DEBUG must be true or false, not 'maybe'."


def test_unknown_django_env_refuses(run):
    message = _refusal(run("staging"))
    assert "DJANGO_ENV" in message
    assert "'staging'" in message


def test_session_idles_out_after_fifteen_minutes(printed):
    values = printed("default")
    assert values["SESSION_COOKIE_AGE"] == 15 * 60
    # Issue 18: the expiry is pushed on at most once a minute (accounts/idle.py), by the
    # middleware right after the session middleware, not by a save on every request.
    assert values["SESSION_SAVE_EVERY_REQUEST"] is False
    assert values["SESSION_IDLE_REFRESH_SECONDS"] == 60
    assert values["IDLE_MIDDLEWARE"] == 1


# --- production guard rails --------------------------------------------------------------------


def test_production_without_secret_key_refuses_to_start(run):
    process = run("prod-no-key")
    assert "SECRET_KEY" in _refusal(process)
    assert "System check" not in process.stdout


@pytest.mark.parametrize("scenario", ["prod-short-key", "prod-repetitive-key", "prod-local-key"])
def test_production_refuses_a_weak_secret_key(run, scenario):
    assert "SECRET_KEY" in _refusal(run(scenario))


def test_production_without_allowed_hosts_refuses(run):
    message = _refusal(run("prod-no-hosts"))
    assert "ALLOWED_HOSTS" in message
    assert "SECRET_KEY" not in message  # the key was fine; the message names what is missing


@pytest.mark.parametrize("scenario", ["prod-sqlite", "prod-no-database"])
def test_production_refuses_sqlite(run, scenario):
    message = _refusal(run(scenario))
    assert "DATABASE_URL" in message
    assert "PostgreSQL" in message


def test_production_without_redis_refuses(run):
    assert "REDIS_URL" in _refusal(run("prod-no-redis"))


def test_production_settings_are_hardened(printed):
    values = printed("prod-settings")
    assert values["PRODUCTION"] is True
    assert values["DEBUG"] is False  # even with DEBUG=true in the environment
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["CHANNEL_BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["ALLOWED_HOSTS"] == ["support.example.org"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000


def test_previous_secret_keys_stay_valid_while_rotating(printed):
    assert printed("prod-settings")["SECRET_KEY_FALLBACKS"] == []
    assert printed("prod-rotating-key")["SECRET_KEY_FALLBACKS"] == [OLD_KEY, OLDER_KEY]


def test_production_passes_deploy_checks(run):
    process = run("prod-check-deploy")
    assert process.returncode == 0, process.stdout + process.stderr
    assert "System check identified no issues" in process.stdout


def test_deploy_checks_warn_about_the_admin_at_its_default_place(run):
    process = run("prod-check-deploy-default-admin")
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert "patientcare.W001" in output
    assert "ADMIN_URL" in output


def test_tls_settings_reach_every_client_library(printed):
    values = printed("tls")
    # psycopg (libpq) gets sslmode and the CA from DATABASE_URL's query string.
    assert values["db_options"] == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/patientcare/pg-ca.pem",
    }
    # channels-redis and the cache: redis-py's TLS connection, with the CA from REDIS_URL
    # (redis-py requires the certificate and checks the host name by default).
    assert values["layer_class"] == "SSLConnection"
    assert values["layer_ca"] == "/etc/patientcare/redis-ca.pem"
    assert values["cache_class"] == "SSLConnection"
    assert values["cache_ca"] == "/etc/patientcare/redis-ca.pem"
    # Celery's broker (kombu): the URL's ssl_* options, handed to redis-py's SSLConnection,
    # whose defaults require the certificate and check the host name.
    assert values["broker_ssl"]["ssl_ca_certs"] == "/etc/patientcare/redis-ca.pem"
    assert (
        values["broker_ssl"].get("ssl_cert_reqs", values["CERT_REQUIRED"])
        == (values["CERT_REQUIRED"])
    )


def test_celery_checks_certificates_of_a_bare_rediss_url(printed):
    # Without ssl_* options in the URL kombu would connect with CERT_NONE after a warning:
    # broker_use_ssl (patientcare/redis_tls.py) gives it redis-py's checks (system CAs).
    values = printed("tls-bare")
    assert values["layer_class"] == values["cache_class"] == "SSLConnection"
    assert values["broker_ssl"] == {
        "ssl_cert_reqs": values["CERT_REQUIRED"],
        "ssl_check_hostname": True,
    }


def test_deploy_checks_warn_about_plain_connections_over_the_network(run):
    process = run("prod-check-deploy-plain-network")
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert "patientcare.W002" in output and "sslmode=verify-full" in output
    assert "patientcare.W003" in output and "rediss://" in output
    # Loopback (PRODUCTION_OK: 127.0.0.1) needs no TLS: test_production_passes_deploy_checks.


def test_deploy_checks_accept_tls_with_certificate_checks(run):
    process = run("prod-check-deploy-tls-network")
    assert process.returncode == 0, process.stdout + process.stderr
    assert "W002" not in process.stdout and "W003" not in process.stdout


def test_production_refuses_redis_tls_without_certificate_checks(run):
    assert "REDIS_URL must check the Redis server's certificate" in _refusal(
        run("prod-redis-no-cert-check")
    )


def test_a_malformed_usual_hours_window_refuses_to_start(run):
    message = _refusal(run("usual-hours-bad"))
    assert (
        message
        == "LOGIN_USUAL_HOURS must be a window of the day such as 07:00-19:00, not '9 to 5'."
    )


def test_a_review_threshold_that_marks_everyone_refuses_to_start(run):
    assert "LOGIN_REVIEW_ADDRESSES" in _refusal(run("review-addresses-one"))


# --- where the admin sits (ADMIN_URL) ----------------------------------------------------------


def test_admin_stays_at_admin_by_default(printed):
    values = printed("admin-url-default")
    assert values["ADMIN_URL"] == "admin/"
    assert values["index"] == "/admin/"
    assert values["login"] == "/admin/login/"
    assert values["root"] == "/admin/"
    assert values["old_status"] == 200


def test_admin_url_moves_the_admin_and_its_login_page(printed):
    values = printed("admin-url-moved")
    assert values["index"] == "/staff-7f3k/"
    assert values["login"] == "/staff-7f3k/login/"
    assert values["root"] == "/staff-7f3k/"  # the root redirect follows
    assert values["new_status"] == 200
    assert values["old_status"] == 404  # nothing left at the well-known place


@pytest.mark.parametrize(
    "scenario", ["admin-url-leading-slash", "admin-url-no-trailing-slash", "admin-url-query"]
)
def test_a_malformed_admin_url_refuses_to_start(run, scenario):
    message = _refusal(run(scenario))
    assert message.startswith("ADMIN_URL must be a URL path prefix")


# --- the idle timeout, observed through real requests ---------------------------------------------


@pytest.mark.django_db
def test_session_expires_after_fifteen_idle_minutes_not_fifteen_since_login(client):
    user = UserFactory(username="idle-staff", is_staff=True)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(user)
        assert client.get("/admin/").status_code == 200

        # Active every 14 minutes: still logged in 28 minutes after logging in.
        for _ in range(2):
            clock.shift(dt.timedelta(minutes=14))
            assert client.get("/admin/").status_code == 200
        session = Session.objects.get()
        assert session.expire_date == start + dt.timedelta(minutes=28 + 15)

        # Idle for 15 minutes and a second: logged out.
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

"""PostgreSQL unreachable: 503 with ``Retry-After`` (the API's error format under /api/, a plain
page elsewhere) and one warning line per outage, no traceback (patientcare/outage.py).

The errors are real: psycopg's own connection-refused error from a closed port, wrapped by
Django's ``wrap_database_errors`` as every database call wraps it. In-process, the connection's
``ensure_connection`` raises it; ``test_a_server_on_a_closed_port`` runs a Django process whose
DATABASE_URL names a closed port and calls its WSGI and ASGI handlers, nothing patched."""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection
from django.db.backends.signals import connection_created

from patientcare import outage

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Bearer pc_" + "a" * 64


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def refused() -> OperationalError:
    """What Django raises when PostgreSQL refuses the connection."""
    try:
        with connection.wrap_database_errors:
            psycopg.connect(host="127.0.0.1", port=closed_port(), dbname="x", connect_timeout=2)
    except OperationalError as exc:
        return exc
    raise AssertionError("a closed port accepted a connection")


def wrapped(cause: Exception) -> Exception:
    try:
        with connection.wrap_database_errors:
            raise cause
    except Exception as exc:  # whichever Django error wraps it
        return exc
    raise AssertionError("not raised")


@pytest.fixture(autouse=True)
def _no_outage_before_or_after():
    outage.note_connected()
    yield
    outage.note_connected()


@pytest.fixture
def database_down(monkeypatch):
    error = refused()

    def ensure_connection():
        raise error

    monkeypatch.setattr(connection, "ensure_connection", ensure_connection)
    return error


def test_what_counts_as_unreachable():
    assert outage.is_database_unreachable(refused())
    lost = psycopg.OperationalError("consuming input failed: server closed the connection")
    assert outage.is_database_unreachable(wrapped(lost))
    assert outage.is_database_unreachable(wrapped(psycopg.errors.AdminShutdown("terminating")))
    assert outage.is_database_unreachable(wrapped(psycopg.errors.ConnectionFailure("gone")))
    # About the query, not the database's reach: still a 500 with its traceback.
    assert not outage.is_database_unreachable(wrapped(psycopg.errors.QueryCanceled("timeout")))
    assert not outage.is_database_unreachable(wrapped(psycopg.errors.DeadlockDetected("x")))
    assert not outage.is_database_unreachable(wrapped(psycopg.errors.UniqueViolation("dup")))
    assert not outage.is_database_unreachable(wrapped(sqlite3.OperationalError("no such table")))
    assert not outage.is_database_unreachable(OperationalError("no cause"))
    assert not outage.is_database_unreachable(IntegrityError("dup"))
    assert not outage.is_database_unreachable(ValueError())


def assert_api_503(response, settings):
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert "database cannot be reached" in error["message"]
    assert "Retry-After" in error["message"]
    assert error["fields"] == {}


def assert_page_503(response, settings):
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert b"cannot reach its database" in response.content
    assert b"127.0.0.1" not in response.content and b"refused" not in response.content


def test_api_and_pages_answer_503_and_log_one_warning(client, database_down, settings, caplog):
    settings.DATABASE_RETRY_AFTER_SECONDS = 17
    caplog.set_level(logging.INFO)
    # A partner's token: DRF authenticates inside the view, the token lookup fails.
    assert_api_503(client.get("/api/v1/cases/", HTTP_AUTHORIZATION=TOKEN), settings)
    assert_api_503(client.post("/api/v1/cases/", {}, HTTP_AUTHORIZATION=TOKEN), settings)
    # The admin's login: the view's authentication fails.
    assert_page_503(client.post("/admin/login/", {"username": "a", "password": "b"}), settings)
    # A signed-in agent: loading the session's user fails before any view.
    client.cookies["sessionid"] = "s" * 32
    assert_page_503(client.get("/console/"), settings)
    assert_page_503(client.get("/compliance/"), settings)
    assert_api_503(client.get("/api/v1/cases/"), settings)

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["patientcare.outage"], caplog.text
    message = warnings[0].getMessage()
    assert "database unreachable (OperationalError)" in message
    assert "Retry-After 17s" in message
    assert "127.0.0.1" not in message and "refused" not in message  # no exception text
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text


def test_a_new_outage_logs_again(client, database_down, caplog):
    caplog.set_level(logging.INFO, logger="patientcare.outage")
    client.get("/api/v1/cases/", HTTP_AUTHORIZATION=TOKEN)
    client.get("/api/v1/cases/", HTTP_AUTHORIZATION=TOKEN)
    connection_created.send(sender=type(connection), connection=connection)  # back up
    client.get("/api/v1/cases/", HTTP_AUTHORIZATION=TOKEN)
    levels = [(r.levelname, r.getMessage().split(" (")[0]) for r in caplog.records]
    assert [level for level, _ in levels] == ["WARNING", "INFO", "WARNING"], levels
    assert "reachable again" in caplog.records[1].getMessage()


def test_other_database_errors_stay_500(client, monkeypatch):
    def ensure_connection():
        raise wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))

    monkeypatch.setattr(connection, "ensure_connection", ensure_connection)
    client.raise_request_exception = False
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=TOKEN)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


SCRIPT = """
import asyncio, json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "s" * 32
out = []
for path, headers in [
    ("/api/v1/cases/", {"HTTP_AUTHORIZATION": "%s"}),
    ("/api/v1/cases/", {}),
    ("/console/", {}),
    ("/console/mine/", {}),
    ("/readyz", {}),  # a load balancer's probe: no cookie
]:
    response = (Client() if path == "/readyz" else client).get(path, **headers)
    out.append([path, response.status_code, response.get("Retry-After"),
                response.content.decode()[:300]])

async def through_asgi():  # daphne's way in (the demo serves everything on it)
    from django.test import AsyncClient
    asgi = AsyncClient(raise_request_exception=False)
    asgi.cookies["sessionid"] = "s" * 32
    for path in ("/api/v1/cases/", "/console/"):
        response = await asgi.get(path)
        out.append(["asgi " + path, response.status_code, response.get("Retry-After"),
                    response.content.decode()[:300]])

asyncio.run(through_asgi())
print(json.dumps(out))
"""


def test_a_server_on_a_closed_port():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "LOG_LEVEL")
    }
    env |= {
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed_port()}/patientcare",
        "DJANGO_SETTINGS_MODULE": "patientcare.settings",
        "DATABASE_RETRY_AFTER_SECONDS": "12",
        "RED_FLAG_MODEL_WARM_UP": "0",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT % TOKEN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    for path, status, retry_after, body in answers:
        assert (status, retry_after) == (503, "12"), (path, status, body)
    assert json.loads(answers[0][3])["error"]["code"] == "unavailable"
    assert json.loads(answers[1][3])["error"]["code"] == "unavailable"
    assert "cannot reach its database" in answers[2][3]
    assert json.loads(answers[4][3])["status"] == "unavailable"  # /readyz agrees
    assert json.loads(answers[5][3])["error"]["code"] == "unavailable"
    assert "cannot reach its database" in answers[6][3]
    log = [line for line in done.stderr.splitlines() if line.strip()]
    assert len([line for line in log if "WARNING" in line or "ERROR" in line]) == 1, log
    assert "WARNING patientcare.outage database unreachable (OperationalError)" in log[0], log
    assert "Traceback" not in done.stderr

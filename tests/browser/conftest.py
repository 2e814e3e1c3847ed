"""Browser tests: a live ASGI server (daphne, HTTP and WebSocket) on the test database, and
Debian's chromium driven by Playwright for Python.

The live server is daphne in a subprocess, serving ``tests.browser.live_asgi`` (the project's
ASGI application plus static files) on a socket this process opened, so no port is ever
guessed. It runs the project's settings from the same environment as the tests, pointed at the
test database:

* PostgreSQL: pytest-django's test database, by name. Data made by the test is committed
  (``transactional_db``), so the server sees it; Redis (``REDIS_URL``) is shared, so the channel
  layer and the cache (live-queue sequence numbers) are the same for both processes.
* SQLite: pytest-django's test database is in memory, which another process cannot open. The
  fixture copies it (SQLite's backup API) into a file and points this process's connection at
  the file for the test, then back. The in-memory channel layer and cache are then the server's
  own: everything that publishes must happen in the server (through HTTP: the API, the pages).

The browser is ``/usr/bin/chromium`` (Debian's package; .ci/run installs it), never a
downloaded one. Without it the browser tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from playwright import sync_api

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# How long the live server may take to answer its first /healthz (a cold start on a busy
# machine imports Django, every app and the ASGI stack).
STARTUP_SECONDS = 60


@dataclass
class LiveServer:
    host: str
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def origin(self) -> str:
        return self.url

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(
        self, method: str, path: str, *, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict]:
        """A JSON request from outside any browser (a partner system, a probe)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - http to our own loopback server
            self.url + path, data=data, method=method, headers=dict(headers or {})
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def _server_database_url(tmp_path: Path) -> contextlib.AbstractContextManager[str]:
    if connection.vendor == "postgresql":
        return contextlib.nullcontext(_postgresql_url(connection.settings_dict))
    if connection.vendor == "sqlite":
        return _sqlite_on_disk(tmp_path / "live.sqlite3")
    raise NotImplementedError(connection.vendor)


def _postgresql_url(db: dict) -> str:
    user = urllib.parse.quote(db.get("USER") or "", safe="")
    password = db.get("PASSWORD") or ""
    credentials = f"{user}:{urllib.parse.quote(password, safe='')}" if password else user
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgresql://{credentials}@{host}:{port}/{urllib.parse.quote(db['NAME'], safe='')}"


@contextlib.contextmanager
def _sqlite_on_disk(path: Path) -> Iterator[str]:
    """Copy the (in-memory) test database into ``path`` and use the file in this process too,
    until the block ends; then this process is back on the untouched in-memory database, which
    pytest-django flushes as usual."""
    if not connection.is_in_memory_db():
        yield f"sqlite:///{connection.settings_dict['NAME']}"
        return
    connection.ensure_connection()
    in_memory = connection.connection
    with contextlib.closing(sqlite3.connect(path)) as target:
        in_memory.backup(target)
        # Readers never block the writer: the server's requests and consumers, and this test.
        target.execute("PRAGMA journal_mode=WAL")
    name = connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


def _server_environment(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DAPHNE_", "GUNICORN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="patientcare.settings",
        DJANGO_ENV="local",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="0",  # as bin/serve-websockets: no persistent connections
        DEBUG="false",
        # As in the tests (tests/conftest.py): tasks run inline, no worker consumes a queue.
        CELERY_TASK_ALWAYS_EAGER="true",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def _wait_until_healthy(server: LiveServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"live server exited ({process.returncode}):\n{server.log()}")
        try:
            status, _ = server.request("GET", "/healthz")
            if status == 200:
                return
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"live server not healthy after {STARTUP_SECONDS} s:\n{server.log()}"
            )
        time.sleep(0.1)


@contextlib.contextmanager
def run_live_server(
    tmp_path: Path,
    environment: dict[str, str] | Callable[[int], dict[str, str]] | None = None,
) -> Iterator[LiveServer]:
    """daphne serving the project on the test database, on a socket opened here (127.0.0.1,
    a port the kernel chose) and handed to daphne (``--fd``), until the block ends.
    ``environment``: variables of the server's own (e.g. a ``REDIS_URL`` the test can stop), or
    a function of the port that returns them (an origin that names the port)."""
    log_path = tmp_path / "live-server.log"
    with _server_database_url(tmp_path) as database_url, log_path.open("w") as log:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "daphne",
            "--fd",
            str(listener.fileno()),
            "--application-close-timeout",
            "2",
            "tests.browser.live_asgi:application",
        ]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=ROOT,
            env=_server_environment(
                database_url, environment(port) if callable(environment) else environment
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
        listener.close()  # the server holds its own copy
        server = LiveServer(host="127.0.0.1", port=port, log_path=log_path)
        try:
            _wait_until_healthy(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def live_server_environment() -> dict[str, str] | Callable[[int], dict[str, str]]:
    """Environment variables of the live server's own (or a function of its port that returns
    them); a test module overrides this fixture (tests/browser/test_live_unavailable.py: a
    Redis of its own, which it stops; test_mfa_passkey.py: the passkey origin)."""
    return {}


@pytest.fixture
def asgi_server(transactional_db, tmp_path, live_server_environment) -> Iterator[LiveServer]:
    """The live ASGI server of one test. Data the test makes is committed and visible to it.
    A server-side error (an exception, a 500) fails the test even when the page hid it."""
    with run_live_server(tmp_path, live_server_environment) as server:
        yield server
    log = server.log().splitlines()
    errors = [line for line in log if "Traceback" in line or " ERROR " in line]
    assert not errors, f"the live server logged errors:\n{server.log()}"


# --- the browser ---------------------------------------------------------------------------------


def pytest_runtest_setup(item):
    """Skip a browser test before its database and live server are set up when there is no
    browser to drive."""
    if "chromium" not in getattr(item, "fixturenames", ()):
        return
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium; "
            ".ci/run installs it)"
        )


@pytest.fixture
def chromium(asgi_server, monkeypatch):
    """Debian's chromium under Playwright, for one test.

    Playwright's synchronous API runs an asyncio event loop in this thread for as long as it is
    started, and Django refuses ORM calls while a loop runs (SynchronousOnlyOperation) although
    the test's own calls are plain synchronous ones. So the browser lives for one test only,
    after the database and the live server are set up and before they are torn down, and
    ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for exactly that time (never for other tests, whose
    async code the check protects)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    test_connection = connections[DEFAULT_DB_ALIAS]
    with sync_api.sync_playwright() as playwright:
        # With a loop running, Django keeps connections per asyncio context, not per thread:
        # without this the test's ORM calls would open a second connection, left open at the
        # end (and on SQLite not the one the live server's file was swapped into).
        connections[DEFAULT_DB_ALIAS] = test_connection
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
        finally:
            del connections[DEFAULT_DB_ALIAS]


@pytest.fixture
def new_context(chromium, asgi_server):
    """Make browser contexts (one per person: own cookies, own pages) on the live server;
    closed after the test. Timeouts are short: every wait is for a condition that holds within
    a second or two on a working page."""
    contexts = []

    def make(user=None):
        context = chromium.new_context(base_url=asgi_server.url)
        context.set_default_timeout(10_000)
        if user is not None:
            log_in(context, asgi_server, user)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(context, server: LiveServer, user) -> None:
    """Give ``context`` a session of ``user``: made by Django's test client in the shared
    database (as a login does), then set as the browser's session cookie."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )

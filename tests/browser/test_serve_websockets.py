"""bin/serve-websockets: what it refuses, and that the daphne it starts serves the production
configuration — HTTP (``/healthz``), the live-queue socket behind the origin check and session
authentication, and events a *different* process commits, through channels-redis (the way a
gunicorn worker's change reaches the sockets of every daphne on every host)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from tests.browser.conftest import ROOT, LiveServer, _postgresql_url
from tests.browser.websocket import WebSocket, refusal
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case

SCRIPT = ROOT / "bin" / "serve-websockets"
LIVE = "/ws/console/live/"


def script_environment(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DAPHNE_", "DJANGO_ENV", "DATABASE_CONN_MAX_AGE"))
    }
    env.update(overrides)
    return env


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "set DJANGO_ENV=production"),
        ({"DJANGO_ENV": "local"}, "set DJANGO_ENV=production"),
        ({"DJANGO_ENV": "production", "DAPHNE_PORT": "80a"}, "DAPHNE_PORT must be a whole number"),
        ({"DJANGO_ENV": "production", "DAPHNE_PORT": "70000"}, "DAPHNE_PORT must be 1 to 65535"),
        ({"DJANGO_ENV": "production", "DAPHNE_FD": "three"}, "DAPHNE_FD must be a whole number"),
        (
            {"DJANGO_ENV": "production", "DAPHNE_WEBSOCKET_TIMEOUT": "-2"},
            "DAPHNE_WEBSOCKET_TIMEOUT must be a whole number",
        ),
        (
            {"DJANGO_ENV": "production", "DATABASE_CONN_MAX_AGE": "60"},
            "DATABASE_CONN_MAX_AGE must be 0",
        ),
    ],
)
def test_the_script_refuses_what_it_cannot_serve(overrides, message):
    result = subprocess.run(  # noqa: S603 - our own script
        [str(SCRIPT)],
        env=script_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr  # refused by the script, before Python starts


def wait_until_healthy(server: LiveServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    headers = {"X-Forwarded-Proto": "https"}  # what the proxy sends (SECURE_SSL_REDIRECT)
    while True:
        assert process.poll() is None, server.log()
        try:
            if server.request("GET", "/healthz", headers=headers)[0] == 200:
                return
        except (OSError, ValueError):
            pass
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)


def test_the_script_serves_the_production_configuration(transactional_db, settings, tmp_path: Path):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip(
            "bin/serve-websockets serves the production configuration only, which needs "
            "PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as CI sets them"
        )
    secret_key = secrets.token_urlsafe(48)
    settings.SECRET_KEY = secret_key  # the session made here must be valid for the server
    queue = QueueFactory(name="Billing", slug="billing")
    category = CategoryFactory(default_queue=queue)
    agent = UserFactory(username="serve-agent")
    agent.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", agent, queue)
    client = Client()
    client.force_login(agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    server = LiveServer("127.0.0.1", listener.getsockname()[1], tmp_path / "daphne.log")
    env = script_environment(
        DJANGO_ENV="production",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_postgresql_url(connection.settings_dict),
        DAPHNE_FD=str(listener.fileno()),  # several processes may share one socket this way
        DAPHNE_ACCESS_LOG="-",
        PYTHONUNBUFFERED="1",
    )
    with server.log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [str(SCRIPT)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
    listener.close()
    try:
        wait_until_healthy(server, process)
        origin = server.origin
        assert refusal(server.host, server.port, LIVE, origin=origin) == 4401
        assert refusal(server.host, server.port, LIVE, origin="https://evil.example") == 403
        with WebSocket(server.host, server.port, LIVE, origin=origin, cookie=cookie) as ws:
            snapshot = ws.receive_until(lambda message: message["type"] == "snapshot")
            seq = snapshot["queues"][str(queue.pk)]["seq"]
            # This process commits, as a gunicorn worker on another host would.
            case = make_case(category=category)
            event = ws.receive_until(lambda message: message["type"] == "event")
        assert (event["event"], event["case_id"], event["seq"]) == ("case.opened", case.pk, seq + 1)
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert "Traceback" not in server.log()

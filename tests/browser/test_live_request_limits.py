"""Chunked bodies and oversized headers on real servers, over a raw socket: gunicorn (WSGI, how
production serves the REST API) and daphne (ASGI, the demo and the live-queue host), each serving
the project on the test database (tests/browser/conftest.py sets that up).

* A chunked POST (``Transfer-Encoding: chunked``, no ``Content-Length``) is read like a sized
  one: the case is opened, a missing field is reported as that field only, the
  ``Idempotency-Key`` replays it, and a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413 in
  the API's format (patientcare/request_bodies.py).
* A header the application sees but the API does not accept is a 431 in the API's format; one
  beyond the server's own limit gets the server's answer, as docs/operations/serving.md says.
* bin/serve-production (PostgreSQL and Redis only, as in CI) reads a chunked intake and passes
  its header limits to gunicorn.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from accounts.roles import ensure_role_groups
from cases.models import Case
from tests.browser.conftest import (
    ROOT,
    LiveServer,
    _postgresql_url,
    _server_database_url,
    _server_environment,
    _wait_until_healthy,
)
from tests.browser.test_live_queue import partner_token
from tests.browser.test_serve_websockets import wait_until_healthy
from tests.factories import CategoryFactory, QueueFactory, patient_fields

BODY_LIMIT = 32_768  # DATA_UPLOAD_MAX_MEMORY_SIZE of the servers started here


def server_command(kind: str, fd: int) -> list[str]:
    if kind == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "patientcare.wsgi:application",
            "--bind",
            f"fd://{fd}",
            "--workers",
            "1",
            "--no-control-socket",
            "--error-logfile",
            "-",
        ]
    return [
        sys.executable,
        "-m",
        "daphne",
        "--fd",
        str(fd),
        "--application-close-timeout",
        "2",
        "patientcare.asgi:application",
    ]


@contextlib.contextmanager
def live_server(kind: str, tmp_path: Path) -> Iterator[LiveServer]:
    """``kind`` (gunicorn or daphne) serving the project on the test database, on a loopback
    socket opened here, until the block ends."""
    log_path = tmp_path / f"{kind}.log"
    with _server_database_url(tmp_path) as database_url, log_path.open("w") as log:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        env = _server_environment(database_url)
        env["DATA_UPLOAD_MAX_MEMORY_SIZE"] = str(BODY_LIMIT)
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            server_command(kind, listener.fileno()),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
        server = LiveServer("127.0.0.1", listener.getsockname()[1], log_path)
        listener.close()
        try:
            _wait_until_healthy(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert "Traceback" not in server.log(), server.log()


def raw_request(
    server: LiveServer,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: list[bytes] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request over a raw socket; with ``chunks``, a chunked body of them (the sizes in
    hex, a zero-length chunk last), never a Content-Length."""
    head = [f"{method} {path} HTTP/1.1", f"Host: {server.host}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    if chunks is not None:
        head.append("Transfer-Encoding: chunked")
    data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
    if chunks is not None:
        for chunk in chunks:
            data += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        data += b"0\r\n\r\n"
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, dict(response.getheaders()), response.read()


def split(body: bytes, parts: int = 3) -> list[bytes]:
    size = -(-len(body) // parts)
    return [body[start : start + size] for start in range(0, len(body), size)]


def intake_body(n: int, **overrides) -> dict:
    patient = patient_fields(n)
    patient["date_of_birth"] = patient["date_of_birth"].isoformat()
    body = {
        "patient": patient,
        "category": "statement",
        "subject": "Statement question",
        "description": "The caller asks about a charge on a statement.",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


@pytest.fixture
def token(transactional_db) -> str:
    queue = QueueFactory(name="Billing", slug="billing")
    category = CategoryFactory(name="Statement question", slug="statement", default_queue=queue)
    return partner_token(ensure_role_groups(), category)


def error_of(body: bytes) -> dict:
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


@pytest.mark.parametrize("kind", ["gunicorn", "daphne"])
def test_chunked_bodies_and_large_headers_on_a_real_server(kind, token, tmp_path):
    api = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with live_server(kind, tmp_path) as server:
        # A chunked intake opens the case, exactly as a sized one would.
        body = json.dumps(intake_body(7001)).encode()
        status, _, answer = raw_request(server, "POST", "/api/v1/cases/", api, split(body))
        assert status == 201, answer[:500]
        reference = json.loads(answer)["reference"]
        assert Case.objects.get(reference=reference).subject == "Statement question"

        # A chunked body missing one field is refused for that field only.
        body = json.dumps(intake_body(7002, subject=None)).encode()
        status, _, answer = raw_request(server, "POST", "/api/v1/cases/", api, split(body, 5))
        assert status == 400, answer[:500]
        assert list(error_of(answer)["fields"]) == ["subject"]

        # With an Idempotency-Key: made once, replayed the second time.
        keyed = {**api, "Idempotency-Key": f"chunked-{kind}"}
        body = json.dumps(intake_body(7003)).encode()
        first = raw_request(server, "POST", "/api/v1/cases/", keyed, split(body))
        second = raw_request(server, "POST", "/api/v1/cases/", keyed, split(body, 7))
        assert (first[0], second[0]) == (201, 201), second[2][:500]
        assert second[1].get("Idempotent-Replayed") == "true"
        assert json.loads(second[2])["reference"] == json.loads(first[2])["reference"]

        # Over the body limit: a 413 in the API's format, nothing opened.
        cases = Case.objects.count()
        body = json.dumps(intake_body(7004, description="d" * BODY_LIMIT)).encode()
        status, headers, answer = raw_request(server, "POST", "/api/v1/cases/", api, split(body))
        assert status == 413
        assert headers["Content-Type"] == "application/json"
        assert error_of(answer)["code"] == "too_large"
        assert Case.objects.count() == cases

        # A header the application sees but the API does not accept: 431 in its format.
        huge_token = {**api, "Authorization": "Bearer " + "x" * 2_000}
        status, headers, answer = raw_request(server, "GET", "/api/v1/cases/", huge_token)
        assert status == 431
        assert headers["Content-Type"] == "application/json"
        error = error_of(answer)
        assert error["code"] == "header_too_large" and "Authorization" in error["message"]
        assert "x" * 50 not in answer.decode()

        # Headers beyond the server's own limits never reach the application: the server's
        # own answer, as docs/operations/serving.md ("Request size limits") tells clients.
        one_long_line = {**api, "X-Trace": "t" * 20_000}
        many_lines = {**api, **{f"X-Trace-{n}": "t" * 3_000 for n in range(6)}}
        if kind == "gunicorn":
            # limit_request_field_size: 8,190 bytes a header line; 431 with an HTML page.
            status, headers, _ = server_answer(server, one_long_line)
            assert (status, headers["Content-Type"]) == (431, "text/html")
            # limit_request_fields: 100 header lines.
            status, headers, _ = server_answer(
                server, {**api, **{f"X-N-{n}": "1" for n in range(101)}}
            )
            assert (status, headers["Content-Type"]) == (431, "text/html")
        else:
            # Twisted: a line over 16,384 bytes closes the connection without an answer; all the
            # lines together over 16,384 bytes are a bare 400 without a body.
            assert server_answer(server, one_long_line) == (None, {}, b"")
            assert server_answer(server, many_lines) == (400, {}, b"")


def server_answer(server: LiveServer, headers: dict[str, str]) -> tuple[int | None, dict, bytes]:
    try:
        return raw_request(server, "GET", "/api/v1/cases/", headers)
    except http.client.RemoteDisconnected:
        return None, {}, b""


def test_bin_serve_production_reads_chunked_bodies_and_applies_its_header_limits(
    token, tmp_path, settings
):
    """The production REST API as bin/serve-production starts it (gunicorn, the production
    settings): a chunked intake is read, and the header limits the script passes to gunicorn
    (here a smaller GUNICORN_LIMIT_REQUEST_FIELD_SIZE) are the ones gunicorn applies."""
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip(
            "bin/serve-production serves the production configuration only, which needs "
            "PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as CI sets them"
        )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    server = LiveServer("127.0.0.1", listener.getsockname()[1], tmp_path / "production.log")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GUNICORN_", "DJANGO_ENV", "DATABASE_CONN_MAX_AGE"))
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_postgresql_url(connection.settings_dict),
        GUNICORN_BIND=f"fd://{listener.fileno()}",
        GUNICORN_WORKERS="1",
        GUNICORN_LIMIT_REQUEST_FIELD_SIZE="6000",
        DATA_UPLOAD_MAX_MEMORY_SIZE=str(BODY_LIMIT),
        CELERY_TASK_ALWAYS_EAGER="true",
        PYTHONUNBUFFERED="1",
    )
    with server.log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [str(ROOT / "bin" / "serve-production")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),),
        )
    listener.close()
    api = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",  # what the proxy sends (SECURE_SSL_REDIRECT)
    }
    try:
        wait_until_healthy(server, process)
        body = json.dumps(intake_body(7101)).encode()
        status, _, answer = raw_request(server, "POST", "/api/v1/cases/", api, split(body))
        assert status == 201, answer[:500]

        # 5,000 bytes: over the API's 4,096, under the script's 6,000: the API's 431.
        status, headers, answer = raw_request(
            server, "GET", "/api/v1/cases/", {**api, "X-Trace": "t" * 5_000}
        )
        assert (status, headers["Content-Type"]) == (431, "application/json")
        assert error_of(answer)["code"] == "header_too_large"
        # 7,000 bytes: over GUNICORN_LIMIT_REQUEST_FIELD_SIZE: gunicorn's own page.
        status, headers, _ = server_answer(server, {**api, "X-Trace": "t" * 7_000})
        assert (status, headers["Content-Type"]) == (431, "text/html")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Traceback" not in server.log(), server.log()

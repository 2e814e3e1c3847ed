"""patientcare/request_bodies.py: a chunked body (no Content-Length) is handed to Django as a
sized one, under WSGI and ASGI; too large → 413, a WSGI server that cannot end the stream → 411,
both in the API's error format under /api/. (On real servers: test_live_servers.py.)"""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from patientcare.request_bodies import ChunkedBodyASGI, ChunkedBodyWSGI

BODY = json.dumps({"subject": "Weekend hours", "description": "Open on Saturdays?"}).encode()


# --- WSGI --------------------------------------------------------------------------------------


class Recorder:
    """A WSGI application that records the environ it was called with."""

    def __init__(self) -> None:
        self.environ: dict | None = None
        self.body: bytes | None = None

    def __call__(self, environ, start_response):
        self.environ = environ
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def wsgi_environ(body: bytes, *, path="/api/v1/cases/", terminated=True, **extra) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": io.BytesIO(body),  # what gunicorn hands over: the decoded body
    }
    if terminated:
        environ["wsgi.input_terminated"] = True
    environ.update(extra)
    return environ


def call_wsgi(application, environ) -> tuple[str, dict, bytes]:
    started = {}

    def start_response(status, headers):
        started["status"], started["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return started["status"], started["headers"], body


def test_wsgi_a_chunked_body_reaches_the_application_with_its_length():
    inner = Recorder()
    status, _, _ = call_wsgi(ChunkedBodyWSGI(inner), wsgi_environ(BODY))
    assert status == "200 OK"
    assert inner.environ["CONTENT_LENGTH"] == str(len(BODY))
    assert "HTTP_TRANSFER_ENCODING" not in inner.environ
    assert inner.body == BODY


@pytest.mark.parametrize("coding", ["chunked", "Chunked", "gzip, chunked"])
def test_wsgi_every_spelling_of_chunked_is_recognised(coding):
    inner = Recorder()
    call_wsgi(ChunkedBodyWSGI(inner), wsgi_environ(BODY, HTTP_TRANSFER_ENCODING=coding))
    assert inner.environ["CONTENT_LENGTH"] == str(len(BODY))


def test_wsgi_a_sized_body_passes_untouched():
    inner = Recorder()
    environ = wsgi_environ(BODY, CONTENT_LENGTH=str(len(BODY)))
    del environ["HTTP_TRANSFER_ENCODING"]
    call_wsgi(ChunkedBodyWSGI(inner), environ)
    assert inner.environ is environ


def test_wsgi_an_empty_chunked_body_is_a_zero_length_one():
    inner = Recorder()
    call_wsgi(ChunkedBodyWSGI(inner), wsgi_environ(b""))
    assert inner.environ["CONTENT_LENGTH"] == "0"


@pytest.mark.parametrize(
    ("path", "content_type"), [("/api/v1/cases/", "application/json"), ("/console/", "text/plain")]
)
def test_wsgi_a_chunked_body_over_the_limit_is_a_413(settings, path, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    inner = Recorder()
    status, headers, body = call_wsgi(ChunkedBodyWSGI(inner), wsgi_environ(b"x" * 101, path=path))
    assert status.startswith("413 ")
    assert headers["Content-Type"].startswith(content_type)
    assert inner.environ is None
    if path.startswith("/api/"):
        assert json.loads(body)["error"]["code"] == "too_large"


def test_wsgi_a_body_at_the_limit_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    inner = Recorder()
    call_wsgi(ChunkedBodyWSGI(inner), wsgi_environ(b"x" * 100))
    assert inner.body == b"x" * 100


def test_wsgi_a_server_that_cannot_end_the_stream_gets_a_411():
    inner = Recorder()
    status, headers, body = call_wsgi(ChunkedBodyWSGI(inner), wsgi_environ(BODY, terminated=False))
    assert status == "411 Length Required"
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["code"] == "length_required"
    assert "Content-Length" in error["message"]
    assert inner.environ is None


def test_wsgi_a_server_that_sized_the_body_itself_is_trusted():
    inner = Recorder()
    environ = wsgi_environ(BODY, terminated=False, CONTENT_LENGTH=str(len(BODY)))
    call_wsgi(ChunkedBodyWSGI(inner), environ)
    assert inner.body == BODY


def test_the_project_wsgi_application_is_wrapped():
    from patientcare.wsgi import application

    assert isinstance(application, ChunkedBodyWSGI)


# --- ASGI --------------------------------------------------------------------------------------


class AsgiRecorder:
    def __init__(self) -> None:
        self.scope: dict | None = None
        self.messages: list[dict] = []

    async def __call__(self, scope, receive, send):
        self.scope = scope
        while True:
            message = await receive()
            self.messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def http_scope(path="/api/v1/cases/", headers=((b"transfer-encoding", b"chunked"),)) -> dict:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-type", b"application/json"), *headers],
    }


def call_asgi(application, scope, chunks: list[bytes]) -> list[dict]:
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive():
        if incoming:
            return incoming.pop(0)
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    return sent


def test_asgi_a_chunked_body_reaches_the_application_as_one_sized_message():
    inner = AsgiRecorder()
    sent = call_asgi(ChunkedBodyASGI(inner), http_scope(), [BODY[:10], BODY[10:30], BODY[30:]])
    assert sent[0]["status"] == 200
    headers = dict(inner.scope["headers"])
    assert headers[b"content-length"] == str(len(BODY)).encode()
    assert b"transfer-encoding" not in headers
    assert inner.messages == [{"type": "http.request", "body": BODY, "more_body": False}]


def test_asgi_a_sized_body_passes_untouched():
    inner = AsgiRecorder()
    scope = http_scope(headers=((b"content-length", str(len(BODY)).encode()),))
    call_asgi(ChunkedBodyASGI(inner), scope, [BODY])
    assert inner.scope is scope


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/console/"])
def test_asgi_a_chunked_body_over_the_limit_is_a_413_before_the_rest_is_read(settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    inner = AsgiRecorder()
    sent = call_asgi(ChunkedBodyASGI(inner), http_scope(path), [b"x" * 60, b"x" * 60, b"x"])
    assert sent[0]["status"] == 413
    assert inner.scope is None
    headers = dict(sent[0]["headers"])
    if path.startswith("/api/"):
        assert headers[b"content-type"] == b"application/json"
        assert json.loads(sent[1]["body"])["error"]["code"] == "too_large"
    else:
        assert headers[b"content-type"].startswith(b"text/plain")


def test_asgi_a_client_that_leaves_mid_body_gets_nothing():
    inner = AsgiRecorder()
    sent = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(ChunkedBodyASGI(inner)(http_scope(), receive, send))
    assert sent == [] and inner.scope is None


def test_asgi_websockets_pass_untouched():
    inner = AsgiRecorder()
    scope = {"type": "websocket", "path": "/ws/", "headers": [(b"transfer-encoding", b"chunked")]}

    async def run():
        seen = {}

        async def application(scope, receive, send):
            seen["scope"] = scope

        await ChunkedBodyASGI(application)(scope, None, None)
        return seen["scope"]

    assert asyncio.run(run()) is scope
    assert inner.scope is None

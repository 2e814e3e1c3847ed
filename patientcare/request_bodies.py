"""Request bodies sent with ``Transfer-Encoding: chunked`` and no ``Content-Length``.

Django and DRF size a body by ``CONTENT_LENGTH``: without it, a WSGI request's stream is empty
(``WSGIRequest`` limits ``wsgi.input`` to 0 bytes) and DRF parses no body under either server
(``rest_framework.request.Request`` treats a missing length as 0), so a chunked POST would be
reported as its required fields missing. Both servers decode the chunks themselves: gunicorn
hands the decoded body to WSGI as a stream that ends with it (``wsgi.input_terminated``), daphne
(and uvicorn) to ASGI as ``http.request`` messages. These two wrappers, one per interface,
read that decoded body up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` and hand the application a request
with a ``Content-Length``, so a chunked body is read exactly as a sized one:

* ``ChunkedBodyWSGI`` (patientcare/wsgi.py): with ``wsgi.input_terminated`` the body is read
  to its end; a WSGI server that does not promise that cannot say where the body ends, so the
  request is refused with 411 Length Required.
* ``ChunkedBodyASGI`` (patientcare/asgi.py, HTTP only).

A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with 413 as soon as the limit is passed,
without reading the rest. Refusals under ``/api/`` are in the API's error format
(``too_large``, ``length_required``), elsewhere plain text. Sized bodies pass untouched.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable

from django.conf import settings

API_PREFIX = "/api/"
READ_SIZE = 64 * 1024
LENGTH_REQUIRED_MESSAGE = (
    "This server cannot read a chunked request body; send the body with a Content-Length header."
)


def _is_chunked(transfer_encoding: str) -> bool:
    codings = [coding.strip().lower() for coding in transfer_encoding.split(",")]
    return "chunked" in codings


def _limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def refusal(status: int, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of a 411 or 413, in the API's error format under /api/."""
    from api.errors import STATUS_CODES, STATUS_MESSAGES, error_body, too_large_message

    limit = _limit()
    if status == 413:
        code, reason = STATUS_CODES[413], "Request Entity Too Large"
        message = too_large_message(limit) if limit is not None else STATUS_MESSAGES[413]
    else:
        code, reason, message = "length_required", "Length Required", LENGTH_REQUIRED_MESSAGE
    if path.startswith(API_PREFIX):
        body = json.dumps(error_body(code, message)).encode()
        content_type = "application/json"
    else:
        body = message.encode()
        content_type = "text/plain; charset=utf-8"
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
    ]
    return f"{status} {reason}", headers, body


def _read_to_end(stream, limit: int | None) -> bytes | None:
    """The whole stream, or None once it passes ``limit`` bytes."""
    buffer = io.BytesIO()
    while True:
        chunk = stream.read(READ_SIZE)
        if not chunk:
            return buffer.getvalue()
        buffer.write(chunk)
        if limit is not None and buffer.tell() > limit:
            return None


class ChunkedBodyWSGI:
    """Wraps a WSGI application (see the module docstring)."""

    def __init__(self, application: Callable) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not _is_chunked(environ.get("HTTP_TRANSFER_ENCODING", "")):
            return self.application(environ, start_response)
        path = environ.get("PATH_INFO", "")
        if not environ.get("wsgi.input_terminated"):
            if environ.get("CONTENT_LENGTH"):  # the server sized the decoded body itself
                return self.application(environ, start_response)
            return self._refuse(411, path, start_response)
        body = _read_to_end(environ["wsgi.input"], _limit())
        if body is None:
            return self._refuse(413, path, start_response)
        sized = {**environ, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
        del sized["HTTP_TRANSFER_ENCODING"]
        return self.application(sized, start_response)

    @staticmethod
    def _refuse(status: int, path: str, start_response: Callable) -> list[bytes]:
        status_line, headers, body = refusal(status, path)
        start_response(status_line, headers)
        return [body]


class ChunkedBodyASGI:
    """Wraps an ASGI HTTP application (see the module docstring)."""

    def __init__(self, application: Callable) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not any(
            name.lower() == b"transfer-encoding" and _is_chunked(value.decode("latin-1"))
            for name, value in scope.get("headers", ())
        ):
            await self.application(scope, receive, send)
            return
        limit = _limit()
        buffer = io.BytesIO()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away: nothing to answer
            buffer.write(message.get("body", b""))
            if limit is not None and buffer.tell() > limit:
                await self._refuse(413, scope, send)
                return
            if not message.get("more_body", False):
                break
        body = buffer.getvalue()
        headers = [
            (name, value)
            for name, value in scope.get("headers", ())
            if name.lower() not in (b"transfer-encoding", b"content-length")
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> dict:
            if pending:
                return pending.pop()
            return await receive()  # after the body: http.disconnect, when it comes

        await self.application({**scope, "headers": headers}, replay, send)

    @staticmethod
    async def _refuse(status: int, scope: dict, send: Callable) -> None:
        _status_line, headers, body = refusal(status, scope.get("path", ""))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})

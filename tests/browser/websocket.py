"""A minimal WebSocket client (RFC 6455) for tests that talk to a real server without a browser:
whether it accepts a handshake, how it closes, what JSON it sends. The project needs no client
library otherwise, and the few frames used here are simple.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import struct
import time
from collections.abc import Callable

CLOSE = 0x8
TEXT = 0x1
PING = 0x9
PONG = 0xA


class Closed(Exception):
    """The server closed the socket (``code``: its close code)."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"closed with {code}")
        self.code = code


class WebSocket:
    """One client socket. ``status`` is the handshake's HTTP status: 101 when accepted (daphne
    answers 403 to a handshake the application refused before accepting)."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        *,
        origin: str | None = None,
        cookie: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.close_code: int | None = None
        self._buffer = b""
        self._sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if origin is not None:
            lines.append(f"Origin: {origin}")
        if cookie is not None:
            lines.append(f"Cookie: {cookie}")
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while b"\r\n\r\n" not in self._buffer:
            chunk = self._sock.recv(4096)
            if not chunk:
                break
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        self.status = int(status_line.split()[1]) if status_line.startswith("HTTP/") else 0

    def __enter__(self) -> WebSocket:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _read(self, count: int, deadline: float) -> bytes:
        while len(self._buffer) < count:
            self._sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = self._sock.recv(65536)
            if not chunk:
                raise Closed(self.close_code)
            self._buffer += chunk
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def _frame(self, deadline: float) -> tuple[int, bytes]:
        first, second = self._read(2, deadline)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read(2, deadline))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read(8, deadline))
        mask = self._read(4, deadline) if second & 0x80 else b""
        payload = self._read(length, deadline)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return first & 0x0F, payload

    def _send(self, opcode: int, payload: bytes) -> None:
        """A masked frame, as every client frame must be."""
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self._sock.sendall(header + mask + masked)

    def send_json(self, message: dict) -> None:
        self._send(TEXT, json.dumps(message).encode())

    def receive_json(self, timeout: float = 5.0) -> dict:
        """The next JSON message; ``Closed`` when the server closes, ``TimeoutError`` when
        nothing comes within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            if self.close_code is not None:
                raise Closed(self.close_code)
            opcode, payload = self._frame(deadline)
            if opcode == TEXT:
                return json.loads(payload)
            if opcode == PING:
                self._send(PONG, payload)
            elif opcode == CLOSE:
                self.close_code = struct.unpack("!H", payload[:2])[0] if payload else 1005
                raise Closed(self.close_code)

    def receive_until(self, matches: Callable[[dict], bool], timeout: float = 5.0) -> dict:
        """The first message for which ``matches`` is true (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive_json(max(deadline - time.monotonic(), 0.001))
            if matches(message):
                return message

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.status == 101 and self.close_code is None:
                self._send(CLOSE, struct.pack("!H", 1000))
        self._sock.close()


def refusal(host: str, port: int, path: str, **kwargs) -> int | None:
    """How the server refused a socket: 403 for a handshake it answered with 403, the close code
    for one it accepted and closed before sending anything; ``None`` when it was not refused
    (a message arrived, or nothing happened for the timeout)."""
    with WebSocket(host, port, path, **kwargs) as ws:
        if ws.status == 403:
            return 403
        if ws.status != 101:
            return None
        try:
            ws.receive_json(timeout=kwargs.get("timeout", 10.0))
        except Closed as closed:
            return closed.code
        except TimeoutError:
            return None
        return None

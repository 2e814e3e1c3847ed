"""Tests of the agents' console. Shared helpers of the live-queue socket tests below: sockets are
opened against the full ASGI application (origin check, session cookie, auth middleware, router),
with the session cookie a real login makes."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import SyncToAsync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from tests.factories import UserFactory

LIVE_PATH = "/ws/console/live/"
OWN_ORIGIN = b"http://testserver"


def make_agent(username: str, *queues, roles=(Role.AGENT,), **fields):
    """A person with a support role and ``work_queue`` on ``queues`` (synchronous: database)."""
    groups = ensure_role_groups()
    user = UserFactory(username=username, first_name=username.title(), last_name="Agent", **fields)
    user.groups.add(*(groups[role] for role in roles))
    for queue in queues:
        assign_perm("cases.work_queue", user, queue)
    return user


def session_cookie(user) -> str:
    """The session id a browser holds after logging in (synchronous: database)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def live_socket(cookie: str | None = None, *, origin: bytes = OWN_ORIGIN):
    from patientcare.asgi import application

    headers = [(b"origin", origin), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, LIVE_PATH, headers=headers)


async def connect(cookie: str) -> tuple[WebsocketCommunicator, dict]:
    """An accepted socket and its first message (the snapshot)."""
    socket = live_socket(cookie)
    connected, _ = await socket.connect()
    assert connected
    snapshot = await next_message(socket, "snapshot")
    return socket, snapshot


async def next_message(socket, kind: str, timeout: float = 2.0, match=None) -> dict:
    """The next message of type ``kind`` (for which ``match(message)`` holds, if given), skipping
    the others: presence arrives at any time."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"no {kind!r} message within {timeout}s")
        message = await socket.receive_json_from(timeout=left)
        if message["type"] == kind and (match is None or match(message)):
            return message


async def drain(socket, timeout: float = 0.3) -> list[dict]:
    """Every message that arrives until the socket stays quiet for ``timeout`` seconds."""
    messages = []
    while not await socket.receive_nothing(timeout=timeout):
        output = await socket.receive_output(timeout=timeout)
        if output["type"] == "websocket.send":
            messages.append(json.loads(output["text"]))
        else:
            messages.append(output)
    return messages


async def closed_with(socket, timeout: float = 2.0) -> int:
    """Wait for the server to close the socket (skipping messages); its close code."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"the socket was not closed within {timeout}s")
        output = await socket.receive_output(timeout=left)
        if output["type"] == "websocket.close":
            return output.get("code", 1000)


def _close_worker_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            # SQLite ignores close() of an in-memory database (the tests' shared one); the main
            # thread's connection keeps that database alive, so this thread's may really close.
            BaseDatabaseWrapper.close(connection)


@pytest.fixture(autouse=True)
def _closed_worker_connections():
    """After each test: close the connection the sockets (and the test's own database_sync_to_async
    calls) left open in asgiref's single database thread. SQLite's in-memory test database is never
    closed there otherwise, and a later test without database access that reaches that thread
    (any consumer's connection clean-up) would be refused by pytest-django."""
    yield
    SyncToAsync.single_thread_executor.submit(_close_worker_connections).result(timeout=10)

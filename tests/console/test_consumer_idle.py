"""An idle live-queue socket on the real Redis channel layer stays open (issue 17): channels-redis
waits for the socket's next message with a blocking pop of 5 s, and redis-py's default read
timeout (``socket_timeout``) is 5 s too, so the read timed out ("Timeout reading from ..."), the
consumer raised and the server closed the socket with 1011 every ~6 s of quiet. Settings now give
the layer's connections a read timeout longer than the pop (patientcare/settings.py,
docs/architecture/live-queue.md). One test, one idle minute: only on channels-redis."""

from __future__ import annotations

import asyncio
import os

import pytest
from channels.db import database_sync_to_async

from cases.events import CaseEventName
from tests.console import (  # the autouse fixture closes the sockets' database connections
    _closed_worker_connections,  # noqa: F401
    connect,
    make_agent,
    next_message,
    session_cookie,
)
from tests.factories import CategoryFactory, QueueFactory, make_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs the real Redis channel layer (REDIS_URL), as CI sets it: the in-memory "
        "layer has no socket timeouts",
    ),
]

IDLE_SECONDS = 60


async def test_an_idle_socket_stays_open_for_a_minute_then_still_gets_events():
    def world():
        queue = QueueFactory(name="Billing", slug="billing")
        return make_agent("intake"), CategoryFactory(default_queue=queue), queue

    intake, category, queue = await database_sync_to_async(world)()
    cookie = await database_sync_to_async(lambda: session_cookie(make_agent("alice", queue)))()
    socket, _ = await connect(cookie)

    # A minute of quiet: heartbeats may arrive, a close must not, and the consumer must not fail
    # (the communicator holds the exception a server would answer with a 1011 close).
    loop = asyncio.get_running_loop()
    deadline = loop.time() + IDLE_SECONDS
    while (left := deadline - loop.time()) > 0:
        if await socket.receive_nothing(timeout=min(left, 1.0), interval=0.05):
            continue  # receive_nothing re-raises the consumer's exception, if any
        output = await socket.receive_output(timeout=1)
        assert output["type"] == "websocket.send", f"closed after {IDLE_SECONDS - left:.1f}s idle"
    assert not socket.future.done(), "the consumer ended while idle"

    case = await database_sync_to_async(make_case)(actor=intake, category=category)
    event = await next_message(socket, "event", timeout=5)
    assert (event["event"], event["case_id"]) == (CaseEventName.OPENED, case.pk)
    await socket.disconnect()

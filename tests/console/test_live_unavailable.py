"""Redis unreachable (issue 17, "live features degrade with a visible banner"): the console's pages
and its write path still answer — a change is committed, its live-queue announcement is logged
as not delivered —, and the live socket is closed with 4503 (the page's banner: live.js,
test_pages_live_js_banner.py) instead of crashing; when Redis goes away under an open socket,
the socket is closed with 4503 too, its presence rows deleted.

Redis is either a port nobody listens on (refused at once) or a ``redis-server`` this test
starts and stops (tests/redis_server.py) — never the shared one."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
import redis
from channels.db import database_sync_to_async
from django.contrib.messages import get_messages

# Imported now, not by the first socket: the ASGI application's django.setup() configures logging
# again, which would take pytest's log capture off the root logger in the middle of a test.
import patientcare.asgi  # noqa: F401
from cases.models import Case, CaseEvent
from console.models import Presence
from tests.console import (  # the autouse fixture closes the sockets' database connections
    _closed_worker_connections,  # noqa: F401
    closed_with,
    connect,
    live_socket,
    make_agent,
    session_cookie,
)
from tests.console.pages_world import OWN_PATIENT, case_url, login
from tests.console.pages_world import world_fixture as world  # noqa: F401
from tests.factories import QueueFactory
from tests.redis_server import REDIS_SERVER, OwnRedis, unreachable_redis_url

# A write waits at most this long for its announcement (cases.events._Sender.SEND_TIMEOUT).
SEND_TIMEOUT = 5.0


def point_redis_at(settings, url: str) -> None:
    """The channel layer and the cache on ``url``, as patientcare/settings.py configures them."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "socket_timeout": 15, "socket_connect_timeout": 1}],
                "prefix": "pc-unavailable-test",
            },
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


def undelivered(caplog) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "cases.events" and "not delivered" in record.getMessage()
    ]


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


# --- pages and the write path, Redis unreachable -------------------------------------------------


@pytest.mark.django_db
def test_pages_and_writes_answer_with_redis_unreachable(
    client,
    world,  # noqa: F811 - the fixture imported above
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    point_redis_at(settings, unreachable_redis_url())
    login(client, world.agent)

    for url in ("/console/", "/console/mine/", case_url(world.case)):
        response, seconds = timed(lambda url=url: client.get(url))
        assert response.status_code == 200, url
        assert b'id="live-unavailable"' in response.content  # the banner's place, empty
        assert seconds < SEND_TIMEOUT

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response, seconds = timed(lambda: client.post(case_url(world.case, "claim")))
    assert callbacks, "the announcement is an on-commit callback"
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"You claimed case {world.case.reference}."
    ]
    assert Case.objects.get(pk=world.case.pk).assigned_to == world.agent  # committed
    assert seconds < SEND_TIMEOUT
    assert len(undelivered(caplog)) == 1
    assert caplog.records[-1].levelno == logging.ERROR  # logged for the operators

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(case_url(world.case, "reply"), {"body": "We sent a statement."})
    assert response.status_code == 302
    assert CaseEvent.objects.filter(case=world.case, body="We sent a statement.").exists()
    assert len(undelivered(caplog)) == 2
    # No patient data in what was logged: ids and event names only.
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "We sent a statement." not in logged
    assert OWN_PATIENT[1] not in logged  # the case's patient


needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not on PATH: this test stops a Redis of its own"
)


@needs_redis_server
@pytest.mark.django_db
def test_a_redis_that_goes_away_does_not_fail_writes(
    client,
    world,  # noqa: F811 - the fixture imported above
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    server = OwnRedis()
    server.start()
    try:
        point_redis_at(settings, server.url)
        login(client, world.agent)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(case_url(world.case, "claim")).status_code == 302
        assert not undelivered(caplog)
        probe = redis.Redis.from_url(server.url)
        assert list(probe.scan_iter("*live-queue:seq:*")), "announced through this Redis"
        probe.close()

        server.stop()
        with django_capture_on_commit_callbacks(execute=True):
            response, seconds = timed(
                lambda: client.post(case_url(world.case, "note"), {"body": "Called back."})
            )
        assert response.status_code == 302
        assert seconds < SEND_TIMEOUT
        assert CaseEvent.objects.filter(case=world.case, body="Called back.").exists()
        assert len(undelivered(caplog)) == 1
        assert client.get("/console/").status_code == 200
    finally:
        server.stop()


# --- the socket ----------------------------------------------------------------------------------


@pytest.fixture
def agent_cookie(transactional_db):
    queue = QueueFactory(name="Billing", slug="billing")
    agent = make_agent("ursula", queue)
    return session_cookie(agent), agent


@pytest.mark.django_db(transaction=True)
async def test_the_socket_says_unavailable_when_redis_is_unreachable(
    agent_cookie, settings, caplog
):
    point_redis_at(settings, unreachable_redis_url())
    cookie, agent = agent_cookie
    socket = live_socket(cookie)
    connected, _ = await socket.connect()
    assert connected  # accepted, then closed with the code live.js shows its banner for
    assert await closed_with(socket, timeout=SEND_TIMEOUT) == 4503
    await socket.disconnect()
    assert not await database_sync_to_async(Presence.objects.filter(user=agent).exists)()
    warnings = [r for r in caplog.records if r.name == "console.consumers"]
    assert warnings and all(r.levelno == logging.WARNING and not r.exc_info for r in warnings)


@needs_redis_server
@pytest.mark.django_db(transaction=True)
async def test_an_open_socket_whose_redis_goes_away_is_closed_with_4503(
    agent_cookie, settings, caplog
):
    server = OwnRedis()
    await asyncio.to_thread(server.start)
    try:
        point_redis_at(settings, server.url)
        cookie, agent = agent_cookie
        socket, snapshot = await connect(cookie)
        assert snapshot["type"] == "snapshot"
        has_rows = database_sync_to_async(Presence.objects.filter(user=agent).exists)
        assert await has_rows()

        await asyncio.to_thread(server.stop)
        assert await closed_with(socket, timeout=10) == 4503
        await socket.wait(timeout=5)  # the application ended by itself, without raising
        assert not await has_rows()  # presence is in the database: cleaned up all the same
        assert any("channel layer lost" in r.getMessage() for r in caplog.records)
    finally:
        await asyncio.to_thread(server.stop)

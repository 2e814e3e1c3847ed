"""Presence on the live queue (console/presence.py, console.models.Presence): who is online per
queue, who else is viewing a case, and rows of sockets that are gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from cases.events import queue_group
from console import presence
from console.models import Presence
from tests.console import (  # the autouse fixture closes the sockets' database connections
    _closed_worker_connections,  # noqa: F401
    connect,
    drain,
    make_agent,
    next_message,
    session_cookie,
)
from tests.factories import CategoryFactory, QueueFactory, make_case


@pytest.fixture
def queue_a(db):
    return QueueFactory(name="Billing", slug="billing")


@pytest.fixture
def queue_b(db):
    return QueueFactory(name="Pharmacy", slug="pharmacy")


@pytest.fixture
def alice(queue_a):
    return make_agent("alice", queue_a)


@pytest.fixture
def bob(queue_a):
    return make_agent("bob", queue_a)


@pytest.fixture(autouse=True)
def _quick_presence(settings):
    settings.LIVE_QUEUE_PRESENCE_SECONDS = 0.05


def person(user) -> dict:
    return {"id": user.pk, "name": user.display_name}


def presence_of(messages: list[dict], key: str) -> list[dict]:
    return [message for message in messages if message["type"] == "presence" and key in message]


# --- through the socket ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_online_per_queue_follows_sockets(alice, bob, queue_a):
    cookie_a, cookie_b = await database_sync_to_async(
        lambda: (session_cookie(alice), session_cookie(bob))
    )()
    socket_a, _ = await connect(cookie_a)
    assert (await next_message(socket_a, "presence")) == {
        "type": "presence",
        "queue_id": queue_a.pk,
        "online": [person(alice)],
    }
    socket_b, _ = await connect(cookie_b)
    both = [person(alice), person(bob)]
    assert (await next_message(socket_a, "presence"))["online"] == both
    assert presence_of(await drain(socket_b), "queue_id")[-1]["online"] == both
    assert await database_sync_to_async(Presence.objects.count)() == 2

    await socket_b.disconnect()
    assert (await next_message(socket_a, "presence"))["online"] == [person(alice)]
    assert await database_sync_to_async(Presence.objects.count)() == 1
    await socket_a.disconnect()
    assert await database_sync_to_async(Presence.objects.count)() == 0


@pytest.mark.django_db(transaction=True)
async def test_viewers_of_a_case_and_the_collision_warning(alice, bob, queue_a, queue_b):
    def world():
        intake = make_agent("intake")
        here = make_case(actor=intake, category=CategoryFactory(default_queue=queue_a))
        elsewhere = make_case(actor=intake, category=CategoryFactory(default_queue=queue_b))
        return here, elsewhere, session_cookie(alice), session_cookie(bob)

    case, elsewhere, cookie_a, cookie_b = await database_sync_to_async(world)()
    socket_a, _ = await connect(cookie_a)
    socket_b, _ = await connect(cookie_b)

    await socket_a.send_json_to({"type": "watch", "case_id": case.pk})
    seen = await next_message(socket_a, "presence", match=lambda m: "case_id" in m)
    assert seen == {"type": "presence", "case_id": case.pk, "viewers": [person(alice)]}

    await socket_b.send_json_to({"type": "watch", "case_id": case.pk})
    both = [person(alice), person(bob)]
    assert (await next_message(socket_a, "presence", match=lambda m: "case_id" in m)) == {
        "type": "presence",
        "case_id": case.pk,
        "viewers": both,
    }
    assert (await next_message(socket_b, "presence", match=lambda m: "case_id" in m))[
        "viewers"
    ] == both

    await socket_b.send_json_to({"type": "unwatch"})
    assert (await next_message(socket_a, "presence", match=lambda m: "case_id" in m))[
        "viewers"
    ] == [person(alice)]
    assert presence_of(await drain(socket_b), "case_id") == []  # it left the case's group

    # A case one may not see does not exist: the same answer as for a case that does not.
    await socket_b.send_json_to({"type": "watch", "case_id": elsewhere.pk})
    refused = await next_message(socket_b, "error")
    assert refused == {"type": "error", "code": "not_found", "case_id": elsewhere.pk}
    await socket_b.send_json_to({"type": "watch", "case_id": 10**9})
    assert (await next_message(socket_b, "error"))["code"] == "not_found"
    assert await database_sync_to_async(Presence.objects.filter(case__isnull=False).count)() == 1

    await socket_a.disconnect()  # leaving removes the viewer too
    assert await database_sync_to_async(Presence.objects.filter(case__isnull=False).count)() == 0
    await socket_b.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_burst_of_presence_changes_reaches_the_browser_once(alice, queue_a, settings):
    """A whole team connecting at once: each socket forwards the latest list, once per
    ``LIVE_QUEUE_PRESENCE_SECONDS``, not one list per arrival."""
    settings.LIVE_QUEUE_PRESENCE_SECONDS = 0.3
    socket, _ = await connect(await database_sync_to_async(session_cookie)(alice))
    # Alice's own arrival first (it leaves after one coalescing interval, which a busy host can
    # stretch past a short drain), then silence.
    await next_message(socket, "presence", match=lambda m: m.get("queue_id") == queue_a.pk)
    await drain(socket)
    layer = get_channel_layer()
    lists = [[{"id": n, "name": f"Agent {n}"} for n in range(1, size + 1)] for size in (1, 2, 3)]
    for online in lists:
        message = {"type": "presence.update", "queue_id": queue_a.pk, "online": online}
        await layer.group_send(queue_group(queue_a.pk), message)
    received = presence_of(await drain(socket, timeout=0.6), "queue_id")
    assert received == [{"type": "presence", "queue_id": queue_a.pk, "online": lists[-1]}]
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_heartbeat_refreshes_rows_and_forgets_dead_sockets(alice, queue_a, settings):
    settings.LIVE_QUEUE_HEARTBEAT_SECONDS = 0.2
    cookie = await database_sync_to_async(session_cookie)(alice)
    socket, _ = await connect(cookie)

    def dead_socket():  # a row whose process died: never refreshed again
        ghost = make_agent("ghost", queue_a)
        Presence.objects.create(
            channel_name="dead!channel",
            user=ghost,
            queue=queue_a,
            last_seen=timezone.now() - timedelta(minutes=5),
        )
        return Presence.objects.get(channel_name=socket_name).last_seen

    socket_name = await database_sync_to_async(
        lambda: Presence.objects.exclude(channel_name="dead!channel").get().channel_name
    )()
    before = await database_sync_to_async(dead_socket)()
    beat = await next_message(socket, "heartbeat")
    assert beat["type"] == "heartbeat"
    after = await database_sync_to_async(
        lambda: Presence.objects.get(channel_name=socket_name).last_seen
    )()
    assert after > before
    online = await database_sync_to_async(presence.queues_online)([queue_a.pk])
    assert online == {queue_a.pk: [person(alice)]}  # the ghost is not online
    await socket.disconnect()


# --- the functions --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_stale_rows_expire(alice, bob, queue_a, django_assert_num_queries):
    presence.presence_join("live.a", alice.pk, [queue_a.pk])
    presence.presence_join("live.b", bob.pk, [queue_a.pk])
    Presence.objects.filter(channel_name="live.b").update(
        last_seen=timezone.now() - timedelta(seconds=3 * presence.heartbeat_seconds() + 1)
    )
    with django_assert_num_queries(1):
        online = presence.queues_online([queue_a.pk])
    assert online == {queue_a.pk: [person(alice)]}
    assert presence.expire_stale() == 1
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["live.a"]


@pytest.mark.django_db
def test_one_row_per_socket_and_queue_and_one_watched_case(alice, queue_a):
    case = make_case(actor=make_agent("intake"), category=CategoryFactory(default_queue=queue_a))
    other = make_case(actor=make_agent("intake"), category=CategoryFactory(default_queue=queue_a))
    presence.presence_join("live.a", alice.pk, [queue_a.pk])
    presence.presence_join("live.a", alice.pk, [queue_a.pk])  # again: no second row
    presence.presence_watch("live.a", alice.pk, case.pk)
    presence.presence_watch("live.a", alice.pk, other.pk)  # the page moved on
    assert Presence.objects.filter(queue__isnull=False).count() == 1
    assert list(Presence.objects.filter(case__isnull=False).values_list("case_id", flat=True)) == [
        other.pk
    ]
    assert presence.case_viewers(case.pk) == []
    assert presence.case_viewers(other.pk) == [person(alice)]
    presence.presence_leave("live.a")
    assert not Presence.objects.exists()


def test_names_fall_back_to_the_username(db, queue_a):
    nameless = make_agent("nameless", queue_a)
    type(nameless).objects.filter(pk=nameless.pk).update(first_name="", last_name="")
    presence.presence_join("live.n", nameless.pk, [queue_a.pk])
    assert presence.queues_online([queue_a.pk]) == {
        queue_a.pk: [{"id": nameless.pk, "name": "nameless"}]
    }

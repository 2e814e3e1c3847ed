"""The live queue's socket (console/consumers/, docs/architecture/live-queue.md): who may open
it, what it relays, sequence numbers and resync, and revocation.

Every socket goes through the full ASGI application (patientcare.asgi: origin check, session
cookie, auth middleware, router) with the cookie a real login makes. The tests commit for real
(``transaction=True``): the consumer reads the database from its own threads, and events are sent
only after a real commit. The tests' own database work goes through ``database_sync_to_async``
too, which closes its connection after each call. They run on the in-memory layer and LocMem
cache by default, and on channels-redis, the Redis cache and PostgreSQL when REDIS_URL /
DATABASE_URL are set."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from accounts.roles import Role
from cases import services
from cases.changes import case_set_sensitivity, patient_set_sensitivity
from cases.choices import Status
from cases.events import CaseEventName, next_sequence
from cases.models import Sensitivity
from console.consumers import build_snapshot, load_access
from tests.console import (  # the autouse fixture closes the sockets' database connections
    _closed_worker_connections,  # noqa: F401
    closed_with,
    connect,
    drain,
    live_socket,
    make_agent,
    next_message,
    session_cookie,
)
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case, make_patient

pytestmark = pytest.mark.django_db(transaction=True)

CASE_KEYS = {
    "case_id",
    "reference",
    "queue_id",
    "category_id",
    "status",
    "priority",
    "channel",
    "language",
    "assigned_to_id",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_at",
    "sla_paused_at",
    "sla",  # each target's state, decided on the server (cases.sla_state)
}


@pytest.fixture
def queue_a(db):
    return QueueFactory(name="Billing", slug="billing")


@pytest.fixture
def queue_b(db):
    return QueueFactory(name="Pharmacy", slug="pharmacy")


@pytest.fixture
def category_a(queue_a):
    return CategoryFactory(default_queue=queue_a)


@pytest.fixture
def category_b(queue_b):
    return CategoryFactory(default_queue=queue_b)


@pytest.fixture
def intake(db):
    return make_agent("intake")


@pytest.fixture
def agent_a(queue_a):
    return make_agent("alice", queue_a)


@pytest.fixture
def cookie_a(agent_a):
    return session_cookie(agent_a)


open_case = database_sync_to_async(make_case)


def events(messages: list[dict]) -> list[dict]:
    return [message for message in messages if message.get("type") == "event"]


# --- who may open the socket ----------------------------------------------------------------------


async def test_without_a_session_the_socket_is_closed_4401():
    socket = live_socket(None)
    connected, _ = await socket.connect()
    assert connected  # accepted, then closed with a code the page can read (not a bare 1006)
    assert await closed_with(socket) == 4401
    await socket.disconnect()


async def test_a_foreign_origin_is_refused_before_the_handshake(cookie_a):
    socket = live_socket(cookie_a, origin=b"https://attacker.example")
    connected, _ = await socket.connect()
    assert connected is False
    await socket.disconnect()


@pytest.mark.parametrize(
    "who",
    [
        "inactive",
        "service_account",
        "no_role",
        "no_queue",
        "forged_cookie",
        "second_factor_owed",
        "second_factor_not_enrolled",
    ],
)
async def test_refusals(who, queue_a):
    def prepare():
        if who == "inactive":
            user = make_agent("inactive", queue_a)
            cookie = session_cookie(user)
            User.objects.filter(pk=user.pk).update(is_active=False)
            return cookie, 4401
        if who == "service_account":
            user = UserFactory(username="svc", kind=User.Kind.SERVICE, is_staff=False)
            return session_cookie(user), 4401
        if who == "no_role":  # a queue grant without a support role reaches nothing
            return session_cookie(make_agent("norole", queue_a, roles=())), 4403
        if who == "no_queue":
            return session_cookie(make_agent("noqueue")), 4403
        if who.startswith("second_factor"):  # a supervisor works queues too (mfa/policy.py)
            user = make_agent("lead", queue_a, roles=(Role.AGENT, Role.SUPERVISOR))
            if who == "second_factor_owed":
                TOTPDevice.objects.create(user=user, name="Authenticator app")
            client = Client()
            client.force_login(user, verified=False)
            return client.cookies[settings.SESSION_COOKIE_NAME].value, 4401
        return "not-a-session-key", 4401

    cookie, code = await database_sync_to_async(prepare)()
    socket = live_socket(cookie)
    assert (await socket.connect())[0]
    assert await closed_with(socket) == code
    await socket.disconnect()


# --- the snapshot ---------------------------------------------------------------------------------


async def test_snapshot_has_the_open_cases_of_ones_queues_without_phi(
    agent_a, cookie_a, category_a, category_b, intake
):
    def world():
        patient = make_patient(intake, given_name="Zebulon", family_name="Quixotic")
        mine = make_case(actor=intake, category=category_a, patient=patient, subject="Zebulon")
        done = make_case(actor=intake, category=category_a)
        services.case_transition(actor=intake, case=done, to_status=Status.RESOLVED)
        other = make_case(actor=intake, category=category_b)
        return mine, other

    mine, _other = await database_sync_to_async(world)()
    socket, snapshot = await connect(cookie_a)
    queue_id = category_a.default_queue_id
    assert snapshot["user_id"] == agent_a.pk
    assert list(snapshot["queues"]) == [str(queue_id)]
    assert snapshot["queues"][str(queue_id)]["name"] == "Billing"
    assert isinstance(snapshot["queues"][str(queue_id)]["seq"], int)
    assert [case["case_id"] for case in snapshot["cases"]] == [mine.pk]
    assert set(snapshot["cases"][0]) == CASE_KEYS
    assert snapshot["truncated"] is False
    text = json.dumps(snapshot)
    assert "Zebulon" not in text and "Quixotic" not in text
    await socket.disconnect()


def test_snapshot_queries_are_pinned(
    agent_a, category_a, intake, django_assert_num_queries, settings
):
    settings.LIVE_QUEUE_SNAPSHOT_LIMIT = 2
    for _ in range(3):
        make_case(actor=intake, category=category_a)
    # The user, their permissions (user, groups), their access scope (issue 18), the queues.
    with django_assert_num_queries(5):
        access = load_access(agent_a.pk)
    # The access scope again (the socket keeps its user object between messages, so each message
    # reads it afresh), the cases (one restrict() query), the escalations.
    with django_assert_num_queries(3):
        snapshot = build_snapshot(access)
    assert len(snapshot["cases"]) == 2
    assert snapshot["truncated"] is True


# --- events ---------------------------------------------------------------------------------------


async def test_only_the_events_of_ones_own_queues(
    cookie_a, queue_b, category_a, category_b, intake
):
    cookie_b = await database_sync_to_async(lambda: session_cookie(make_agent("bob", queue_b)))()
    socket_a, _ = await connect(cookie_a)
    socket_b, _ = await connect(cookie_b)

    case = await open_case(actor=intake, category=category_b)
    event = await next_message(socket_b, "event")
    assert event["event"] == CaseEventName.OPENED
    assert event["case_id"] == case.pk
    assert set(event) == CASE_KEYS | {"type", "event", "seq", "seq_queue_id", "at"}
    assert events(await drain(socket_a)) == []

    case = await open_case(actor=intake, category=category_a)
    assert (await next_message(socket_a, "event"))["case_id"] == case.pk
    assert events(await drain(socket_b)) == []
    await socket_a.disconnect()
    await socket_b.disconnect()


async def test_events_only_after_commit(cookie_a, category_a, intake):
    socket, _ = await connect(cookie_a)

    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            make_case(actor=intake, category=category_a)
            raise RuntimeError("rolled back")

    await database_sync_to_async(rolled_back)()
    assert events(await drain(socket)) == []

    opened, release = threading.Event(), threading.Event()

    def held_open():  # its own thread and connection: the transaction stays open meanwhile
        try:
            with transaction.atomic():
                case = make_case(actor=intake, category=category_a)
                opened.set()
                release.wait(5)
            return case
        finally:
            connection.close()

    future = asyncio.ensure_future(database_sync_to_async(held_open, thread_sensitive=False)())
    await database_sync_to_async(opened.wait, thread_sensitive=False)(5)
    assert events(await drain(socket)) == []  # created, not committed: nothing
    release.set()
    case = await future
    event = await next_message(socket, "event")
    assert (event["event"], event["case_id"]) == (CaseEventName.OPENED, case.pk)
    await socket.disconnect()


async def test_sensitive_cases_reach_only_agents_who_may_see_them(
    queue_a, cookie_a, category_a, intake
):
    cleared = await database_sync_to_async(
        lambda: session_cookie(
            make_agent("carol", queue_a, roles=(Role.AGENT, Role.SENSITIVE_RECORDS))
        )
    )()
    socket_a, snapshot = await connect(cookie_a)
    socket_c, _ = await connect(cleared)
    seq = snapshot["queues"][str(queue_a.pk)]["seq"]

    def sensitive_case():
        patient = make_patient(intake)
        officer = make_agent("consumer-officer", roles=(Role.COMPLIANCE_OFFICER,))
        patient = patient_set_sensitivity(
            actor=officer,
            patient=patient,
            sensitivity=Sensitivity.BEHAVIORAL_HEALTH,
            reason="Behavioral-health treatment.",
        )
        return make_case(actor=intake, category=category_a, patient=patient)

    case = await database_sync_to_async(sensitive_case)()
    assert (await next_message(socket_c, "event"))["case_id"] == case.pk
    skip = await next_message(socket_a, "skip")
    assert skip == {"type": "skip", "queue_id": queue_a.pk, "seq": seq + 1}
    assert events(await drain(socket_a)) == []
    await socket_a.disconnect()
    await socket_c.disconnect()


async def test_a_case_marked_sensitive_leaves_the_uncleared_agents_list_at_once(
    queue_a, cookie_a, category_a, intake
):
    """Issue 15: marking a case sensitive (cases.changes) reaches cleared agents as an event and
    everybody else as a skip naming the case, so their browser drops its row; their next
    snapshot no longer has it."""
    cleared = await database_sync_to_async(
        lambda: session_cookie(
            make_agent("dana", queue_a, roles=(Role.AGENT, Role.SENSITIVE_RECORDS))
        )
    )()
    case = await open_case(actor=intake, category=category_a)
    socket_a, snapshot = await connect(cookie_a)
    socket_c, _ = await connect(cleared)
    assert case.pk in [item["case_id"] for item in snapshot["cases"]]
    seq = snapshot["queues"][str(queue_a.pk)]["seq"]

    def mark():
        officer = make_agent("consumer-officer", roles=(Role.COMPLIANCE_OFFICER,))
        case_set_sensitivity(
            actor=officer, case=case, sensitivity=Sensitivity.SUBSTANCE_USE, reason="Part 2"
        )

    await database_sync_to_async(mark)()
    event = await next_message(socket_c, "event")
    assert (event["event"], event["case_id"]) == (CaseEventName.SENSITIVITY_CHANGED, case.pk)
    assert "sensitive" not in event and "reason" not in event
    skip = await next_message(socket_a, "skip")
    assert skip == {
        "type": "skip",
        "queue_id": queue_a.pk,
        "seq": seq + 1,
        "hide_case_id": case.pk,
    }
    await socket_a.disconnect()
    socket_a, snapshot = await connect(cookie_a)
    assert case.pk not in [item["case_id"] for item in snapshot["cases"]]
    await socket_a.disconnect()
    await socket_c.disconnect()


# --- sequence numbers, gaps and resync ------------------------------------------------------------


async def test_sequence_numbers_count_per_queue_and_resync_sends_a_fresh_snapshot(
    agent_a, queue_a, queue_b, category_a, category_b, intake
):
    await database_sync_to_async(assign_perm)("cases.work_queue", agent_a, queue_b)
    cookie = await database_sync_to_async(session_cookie)(agent_a)
    socket, snapshot = await connect(cookie)
    seq_a = snapshot["queues"][str(queue_a.pk)]["seq"]
    seq_b = snapshot["queues"][str(queue_b.pk)]["seq"]

    case = await open_case(actor=intake, category=category_a)
    first = await next_message(socket, "event")
    await database_sync_to_async(services.case_assign)(actor=intake, case=case, assignee=agent_a)
    second = await next_message(socket, "event")
    await open_case(actor=intake, category=category_b)
    other = await next_message(socket, "event")
    assert [(e["seq_queue_id"], e["seq"]) for e in (first, second, other)] == [
        (queue_a.pk, seq_a + 1),
        (queue_a.pk, seq_a + 2),
        (queue_b.pk, seq_b + 1),
    ]
    assert second["event"] == CaseEventName.ASSIGNED
    assert second["assigned_to_id"] == agent_a.pk

    await socket.send_json_to({"type": "resync"})
    fresh = await next_message(socket, "snapshot")
    assert fresh["queues"][str(queue_a.pk)]["seq"] == seq_a + 2
    assert fresh["queues"][str(queue_b.pk)]["seq"] == seq_b + 1
    by_id = {c["case_id"]: c for c in fresh["cases"]}
    assert by_id[case.pk]["assigned_to_id"] == agent_a.pk
    await socket.disconnect()


async def test_the_heartbeat_reveals_a_lost_event(cookie_a, queue_a, settings):
    settings.LIVE_QUEUE_HEARTBEAT_SECONDS = 0.2
    socket, snapshot = await connect(cookie_a)
    seq = snapshot["queues"][str(queue_a.pk)]["seq"]
    beat = await next_message(socket, "heartbeat")
    assert beat["queues"] == {str(queue_a.pk): seq}

    await database_sync_to_async(next_sequence)(
        queue_a.pk
    )  # an event numbered, then lost on the way
    beat = await next_message(socket, "heartbeat")
    assert beat["queues"][str(queue_a.pk)] == seq + 1  # above the last seen: resync
    await socket.send_json_to({"type": "resync"})
    assert (await next_message(socket, "snapshot"))["queues"][str(queue_a.pk)]["seq"] == seq + 1
    await socket.disconnect()


# --- revocation -----------------------------------------------------------------------------------


async def test_removing_the_queue_grant_revokes_and_closes_at_once(
    agent_a, cookie_a, queue_a, category_a, intake
):
    socket, _ = await connect(cookie_a)
    await database_sync_to_async(remove_perm)("cases.work_queue", agent_a, queue_a)
    await next_message(socket, "revoked")
    assert await closed_with(socket) == 4403
    await open_case(actor=intake, category=category_a)
    assert events(await drain(socket)) == []
    await socket.disconnect()


async def test_deactivating_the_user_revokes_and_closes_at_once(agent_a, cookie_a):
    socket, _ = await connect(cookie_a)

    def deactivate():
        agent_a.is_active = False
        agent_a.save(update_fields=["is_active"])

    await database_sync_to_async(deactivate)()
    await next_message(socket, "revoked")
    assert await closed_with(socket) == 4403
    await socket.disconnect()


async def test_the_periodic_recheck_catches_what_no_signal_announced(agent_a, cookie_a, settings):
    settings.LIVE_QUEUE_ACCESS_CACHE_SECONDS = 0.3
    socket, _ = await connect(cookie_a)
    await database_sync_to_async(User.objects.filter(pk=agent_a.pk).update)(is_active=False)
    await next_message(socket, "revoked")
    assert await closed_with(socket) == 4403
    await socket.disconnect()


async def test_delivery_rechecks_a_stale_answer(agent_a, cookie_a, category_a, intake, settings):
    settings.LIVE_QUEUE_ACCESS_CACHE_SECONDS = 0  # every delivery re-reads access
    socket, _ = await connect(cookie_a)
    await database_sync_to_async(User.objects.filter(pk=agent_a.pk).update)(is_active=False)
    await open_case(actor=intake, category=category_a)
    messages = await drain(socket)
    assert events(messages) == []
    assert {"type": "revoked"} in messages
    assert messages[-1] == {"type": "websocket.close", "code": 4403}
    await socket.disconnect()


async def test_losing_one_of_two_queues_stops_only_its_events(
    agent_a, queue_a, queue_b, category_a, category_b, intake
):
    await database_sync_to_async(assign_perm)("cases.work_queue", agent_a, queue_b)
    socket, _ = await connect(await database_sync_to_async(session_cookie)(agent_a))
    await database_sync_to_async(remove_perm)("cases.work_queue", agent_a, queue_b)
    await drain(socket)
    await open_case(actor=intake, category=category_b)
    case = await open_case(actor=intake, category=category_a)
    received = events(await drain(socket))
    assert [event["case_id"] for event in received] == [case.pk]
    await socket.disconnect()


async def test_logging_out_closes_the_socket_4401(agent_a, cookie_a, settings):
    settings.LIVE_QUEUE_HEARTBEAT_SECONDS = 0.2
    socket, _ = await connect(cookie_a)
    await database_sync_to_async(Session.objects.filter(session_key=cookie_a).delete)()
    await next_message(socket, "revoked")
    assert await closed_with(socket) == 4401
    await socket.disconnect()


# --- the client's messages ------------------------------------------------------------------------


async def test_ping_and_malformed_messages(cookie_a):
    socket, _ = await connect(cookie_a)
    await socket.send_json_to({"type": "ping"})
    assert (await next_message(socket, "pong")) == {"type": "pong"}
    await socket.send_to(text_data="not json")
    assert (await next_message(socket, "error"))["code"] == "bad_message"
    await socket.send_to(text_data="[" * 100_000)  # too deep to decode: bad input, not a crash
    assert (await next_message(socket, "error"))["code"] == "bad_message"
    await socket.send_json_to({"type": "ping"})  # and the socket still works
    assert (await next_message(socket, "pong")) == {"type": "pong"}
    await socket.send_json_to({"type": "drop_tables"})
    assert (await next_message(socket, "error"))["code"] == "unknown_type"
    await socket.send_json_to({"type": "watch", "case_id": "1 OR 1=1"})
    assert (await next_message(socket, "error"))["code"] == "bad_message"
    await socket.disconnect()

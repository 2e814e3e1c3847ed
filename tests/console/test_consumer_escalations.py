"""Escalations on the live queue's socket (console/consumers/, docs/architecture/live-queue.md,
"The socket protocol"): the snapshot's ``escalations``, and the ``escalation`` messages a
pathway's recipient queue hears — numbered in that queue's sequence together with its case
events — only by the members of that queue, with ids and state only (no SBAR, no patient data).

Sockets go through the full ASGI application with a real login's cookie, and the tests commit
for real, as in test_consumer.py (whose helpers these share)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from guardian.shortcuts import assign_perm, remove_perm

from cases import services as case_services
from cases.events import CaseEventName
from console.consumers import build_snapshot, load_access
from escalations import services
from escalations.choices import EscalationStatus, Outcome, PathwayKind, Source, Urgency
from escalations.events import EscalationEventName
from escalations.models import Escalation, EscalationPathway
from tests.console import (  # the autouse fixture closes the sockets' database connections
    _closed_worker_connections,  # noqa: F401
    connect,
    drain,
    make_agent,
    next_message,
    session_cookie,
)
from tests.factories import CategoryFactory, QueueFactory, make_case, make_patient

pytestmark = pytest.mark.django_db(transaction=True)

ESCALATION_KEYS = {
    "escalation_id",
    "case_id",
    "reference",
    "case_queue_id",
    "pathway_id",
    "pathway",
    "pathway_kind",
    "queue_id",
    "urgency",
    "status",
    "source",
    "requested_at",
    "acknowledgement_due_at",
    "acknowledged_by_id",
    "acknowledged_at",
    "overdue_at",
}
MESSAGE_KEYS = ESCALATION_KEYS | {"type", "event", "at", "seq", "seq_queue_id"}
# Synthetic words that must never travel on the socket (they are in the SBAR and the reason).
SECRET_SITUATION = "Xylophonic situation"
SECRET_REASON = "Quetzalcoatl reason"
RED_FLAG_MESSAGE = "tengo dolor de pecho y no puedo respirar"


@pytest.fixture
def billing(db):
    return QueueFactory(name="Billing", slug="billing")


@pytest.fixture
def triage_queue(db):
    return QueueFactory(name="Nurse triage", slug="nurse-triage")


@pytest.fixture
def category(billing):
    return CategoryFactory(name="Statement question", default_queue=billing)


@pytest.fixture
def pathway(triage_queue):
    return EscalationPathway.objects.create(
        name="Nurse triage",
        kind=PathwayKind.NURSE_TRIAGE,
        recipient_queue=triage_queue,
        acknowledgement_minutes=15,
    )


@pytest.fixture
def intake(db):
    return make_agent("intake")


@pytest.fixture
def agent(billing):
    return make_agent("alice", billing)


@pytest.fixture
def nurse(triage_queue):
    return make_agent("nora", triage_queue)


def escalate(agent, case, pathway, urgency=Urgency.URGENT):
    return services.escalation_open(
        actor=agent,
        case=case,
        pathway=pathway,
        urgency=urgency,
        reason=SECRET_REASON,
        situation=SECRET_SITUATION,
        assessment="Needs a nurse.",
        recommendation="Call back today.",
    )


open_case = database_sync_to_async(make_case)
escalate_async = database_sync_to_async(escalate)
cookie_of = database_sync_to_async(session_cookie)


def escalation_messages(messages: list[dict]) -> list[dict]:
    return [message for message in messages if message.get("type") == "escalation"]


def numbered(messages: list[dict], queue_id: int) -> list[tuple[str, int]]:
    """(type, seq) of each numbered message of ``queue_id``'s sequence, in arrival order."""
    return [
        (message["type"], message["seq"])
        for message in messages
        if message.get("seq_queue_id") == queue_id
    ]


# --- the snapshot ---------------------------------------------------------------------------------


async def test_the_snapshot_lists_the_escalations_addressed_to_ones_queues(
    agent, nurse, intake, category, pathway, triage_queue
):
    def world():
        routine = make_case(actor=intake, category=category)
        emergent = make_case(actor=intake, category=category)
        resolved = make_case(actor=intake, category=category)
        first = escalate(agent, routine, pathway, Urgency.ROUTINE)
        second = escalate(agent, emergent, pathway, Urgency.EMERGENT)
        done = escalate(agent, resolved, pathway)
        services.escalation_resolve(
            actor=nurse, escalation=done, outcome=Outcome.ADVICE_GIVEN, notes=""
        )
        return first, second

    routine, emergent = await database_sync_to_async(world)()
    socket, snapshot = await connect(await cookie_of(nurse))
    # Most urgent first; the resolved one is gone.
    assert [e["escalation_id"] for e in snapshot["escalations"]] == [emergent.pk, routine.pk]
    assert set(snapshot["escalations"][0]) == ESCALATION_KEYS
    first = snapshot["escalations"][0]
    assert (first["urgency"], first["status"], first["queue_id"]) == (
        Urgency.EMERGENT,
        EscalationStatus.OPEN,
        triage_queue.pk,
    )
    assert first["pathway"] == "Nurse triage"
    assert snapshot["escalations_truncated"] is False
    text = json.dumps(snapshot)
    assert SECRET_SITUATION not in text and SECRET_REASON not in text
    # The nurse works no Billing case: the cases list is about the nurse's own queues.
    assert snapshot["cases"] == []
    await socket.disconnect()

    # The agent who escalated is no recipient: their snapshot lists no escalation.
    socket, snapshot = await connect(await cookie_of(agent))
    assert snapshot["escalations"] == []
    assert {case["case_id"] for case in snapshot["cases"]} >= {routine.case_id, emergent.case_id}
    await socket.disconnect()


def test_the_snapshots_escalations_are_one_query_and_capped(
    agent, nurse, intake, category, pathway, django_assert_num_queries, settings
):
    settings.LIVE_QUEUE_SNAPSHOT_LIMIT = 2
    for urgency in (Urgency.ROUTINE, Urgency.URGENT, Urgency.EMERGENT):
        escalate(agent, make_case(actor=intake, category=category), pathway, urgency)
    access = load_access(nurse.pk)
    with django_assert_num_queries(3):  # the access scope (once per message), cases, escalations
        snapshot = build_snapshot(access)
    assert [e["urgency"] for e in snapshot["escalations"]] == [Urgency.EMERGENT, Urgency.URGENT]
    assert snapshot["escalations_truncated"] is True


# --- messages -------------------------------------------------------------------------------------


async def test_an_opened_escalation_reaches_the_recipients_at_once_numbered_in_their_queue(
    agent, nurse, intake, category, pathway, triage_queue
):
    case = await open_case(actor=intake, category=category)
    outsider = await database_sync_to_async(make_agent)("otto", await _other_queue())
    nurse_socket, snapshot = await connect(await cookie_of(nurse))
    agent_socket, _ = await connect(await cookie_of(agent))
    outsider_socket, _ = await connect(await cookie_of(outsider))
    seq = snapshot["queues"][str(triage_queue.pk)]["seq"]

    escalation = await escalate_async(agent, case, pathway, Urgency.EMERGENT)
    message = await next_message(nurse_socket, "escalation")
    assert set(message) == MESSAGE_KEYS
    assert message["type"] == "escalation"
    assert message["event"] == EscalationEventName.OPENED
    assert (message["seq_queue_id"], message["seq"]) == (triage_queue.pk, seq + 1)
    assert message["escalation_id"] == escalation.pk
    assert (message["case_id"], message["reference"]) == (case.pk, case.reference)
    assert (message["urgency"], message["status"], message["source"]) == (
        Urgency.EMERGENT,
        EscalationStatus.OPEN,
        Source.MANUAL,
    )
    assert message["queue_id"] == triage_queue.pk
    assert message["case_queue_id"] == case.queue_id
    assert "sensitive" not in message
    assert SECRET_SITUATION not in json.dumps(message)

    # The escalating agent hears the case change (its queue), not the escalation message.
    agent_messages = await drain(agent_socket)
    assert escalation_messages(agent_messages) == []
    escalated = [m for m in agent_messages if m.get("type") == "event"]
    assert [m["event"] for m in escalated] == [CaseEventName.ESCALATED]
    assert escalated[0]["priority"] > case.priority  # emergent raised the case
    # Someone who works neither queue hears nothing numbered at all.
    assert numbered(await drain(outsider_socket), triage_queue.pk) == []
    assert escalation_messages(await drain(nurse_socket)) == []  # exactly one
    for socket in (nurse_socket, agent_socket, outsider_socket):
        await socket.disconnect()


async def _other_queue():
    return await database_sync_to_async(QueueFactory)(name="Pharmacy", slug="pharmacy")


async def test_acknowledged_and_resolved_follow_in_sequence_and_resync_forgets_it(
    agent, nurse, intake, category, pathway, triage_queue
):
    case = await open_case(actor=intake, category=category)
    escalation = await escalate_async(agent, case, pathway)
    socket, snapshot = await connect(await cookie_of(nurse))
    assert [e["escalation_id"] for e in snapshot["escalations"]] == [escalation.pk]
    seq = snapshot["queues"][str(triage_queue.pk)]["seq"]

    await database_sync_to_async(services.escalation_acknowledge)(
        actor=nurse, escalation=escalation
    )
    acknowledged = await next_message(socket, "escalation")
    assert acknowledged["event"] == EscalationEventName.ACKNOWLEDGED
    assert acknowledged["status"] == EscalationStatus.ACKNOWLEDGED
    assert acknowledged["acknowledged_by_id"] == nurse.pk
    assert acknowledged["acknowledged_at"]
    assert acknowledged["seq"] == seq + 1

    await database_sync_to_async(services.escalation_resolve)(
        actor=nurse, escalation=escalation, outcome=Outcome.APPOINTMENT
    )
    resolved = await next_message(socket, "escalation")
    assert resolved["event"] == EscalationEventName.RESOLVED
    assert resolved["status"] == EscalationStatus.RESOLVED
    assert resolved["seq"] == seq + 2

    await socket.send_json_to({"type": "resync"})
    fresh = await next_message(socket, "snapshot")
    assert fresh["escalations"] == []
    assert fresh["queues"][str(triage_queue.pk)]["seq"] == seq + 2
    await socket.disconnect()


async def test_a_member_who_lost_the_queue_hears_no_more_escalations(
    agent, nurse, intake, category, pathway, triage_queue
):
    second = await _other_queue()
    await database_sync_to_async(assign_perm)("cases.work_queue", nurse, second)
    socket, _ = await connect(await cookie_of(nurse))
    await database_sync_to_async(remove_perm)("cases.work_queue", nurse, triage_queue)
    await drain(socket)  # the access change is applied
    case = await open_case(actor=intake, category=category)
    await escalate_async(agent, case, pathway)
    assert escalation_messages(await drain(socket)) == []
    await socket.disconnect()


async def test_case_events_and_escalations_share_one_sequence_without_gaps(
    intake, billing, category, triage_queue
):
    """A pathway whose recipients are the case's own queue: the case events and the escalation
    messages of that group are numbered in one sequence, in the order they are sent — the
    browser must count both to see no gap. A patient's red-flag message through the service
    opens an emergent escalation by itself."""

    def world():
        pathway = EscalationPathway.objects.create(
            name="Billing nurse line",
            kind=PathwayKind.NURSE_TRIAGE,
            recipient_queue=billing,
            acknowledgement_minutes=15,
        )
        member = make_agent("bea", billing)
        return pathway, member, session_cookie(member)

    pathway, member, cookie = await database_sync_to_async(world)()
    socket, snapshot = await connect(cookie)
    seq = snapshot["queues"][str(billing.pk)]["seq"]

    case = await open_case(actor=intake, category=category)
    first = await escalate_async(member, case, pathway, Urgency.ROUTINE)
    await database_sync_to_async(case_services.case_receive_message)(
        actor=intake, case=case, body=RED_FLAG_MESSAGE
    )
    await database_sync_to_async(services.escalation_acknowledge)(actor=member, escalation=first)
    messages = await drain(socket, timeout=0.5)

    sequence = numbered(messages, billing.pk)
    assert [number for _, number in sequence] == list(range(seq + 1, seq + 1 + len(sequence)))
    kinds = [kind for kind, _ in sequence]
    assert kinds.count("escalation") == 3  # opened (manual), opened (red flag), acknowledged
    assert kinds.count("event") >= 4  # opened, escalated (3 times), message added
    red_flag = [m for m in escalation_messages(messages) if m.get("source") == Source.RED_FLAG]
    assert len(red_flag) == 1
    assert red_flag[0]["urgency"] == Urgency.EMERGENT
    assert red_flag[0]["event"] == EscalationEventName.OPENED
    assert RED_FLAG_MESSAGE not in json.dumps(messages)
    assert (
        await database_sync_to_async(
            Escalation.objects.filter(case=case, source=Source.RED_FLAG).count
        )()
        == 1
    )
    await socket.disconnect()


async def test_a_red_flag_reaches_the_nurse_with_an_emergent_escalation(
    nurse, intake, category, pathway, triage_queue
):
    socket, snapshot = await connect(await cookie_of(nurse))
    seq = snapshot["queues"][str(triage_queue.pk)]["seq"]

    def patient_writes():
        case = make_case(actor=intake, category=category, patient=make_patient(intake))
        case_services.case_receive_message(actor=intake, case=case, body=RED_FLAG_MESSAGE)
        return case

    case = await database_sync_to_async(patient_writes)()
    message = await next_message(socket, "escalation")
    assert (message["case_id"], message["urgency"], message["source"]) == (
        case.pk,
        Urgency.EMERGENT,
        Source.RED_FLAG,
    )
    assert message["seq"] == seq + 1
    await socket.disconnect()

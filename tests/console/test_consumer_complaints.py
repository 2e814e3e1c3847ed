"""Grievance deadline messages on the live queue's socket (console/consumers/,
complaints.events): the ``complaint`` messages reach who works the case's queue, numbered in its
sequence; never who works another queue; ids, due times and the state only.

Sockets go through the full ASGI application with a real login's cookie, and the tests commit
for real, as in test_consumer.py (whose helpers these share)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from complaints.services import complaint_acknowledge
from tests.console import (  # the autouse fixture closes the sockets' database connections
    _closed_worker_connections,  # noqa: F401
    connect,
    drain,
    make_agent,
    next_message,
    session_cookie,
)
from tests.factories import CategoryFactory, QueueFactory, make_case

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_SUBJECT = "Zanzibarian complaint subject"


@pytest.fixture
def relations(db):
    return QueueFactory(name="Patient relations", slug="patient-relations")


@pytest.fixture
def category(relations):
    return CategoryFactory(name="Complaint", kind="complaints", default_queue=relations)


def _open(actor, category):
    return make_case(
        actor=actor,
        category=category,
        subject=SECRET_SUBJECT,
        details={"complaint_type": "care", "severity": "moderate"},
    )


async def test_an_acknowledgement_reaches_the_queue_numbered_without_phi(relations, category):
    agent = await database_sync_to_async(make_agent)("rita", relations)
    other_queue = await database_sync_to_async(QueueFactory)(name="Other", slug="other")
    outsider = await database_sync_to_async(make_agent)("otis", other_queue)
    case = await database_sync_to_async(_open)(agent, category)
    socket, snapshot = await connect(await database_sync_to_async(session_cookie)(agent))
    outsider_socket, _ = await connect(await database_sync_to_async(session_cookie)(outsider))
    seq = snapshot["queues"][str(relations.pk)]["seq"]

    await database_sync_to_async(complaint_acknowledge)(actor=agent, case=case)

    message = await next_message(socket, "complaint")
    assert message["event"] == "complaint.acknowledged"
    assert (message["case_id"], message["reference"]) == (case.pk, case.reference)
    assert message["queue_id"] == relations.pk and message["seq_queue_id"] == relations.pk
    assert message["state"] == "response_due" and message["overdue"] is False
    assert "sensitive" not in message
    assert SECRET_SUBJECT not in json.dumps(message)
    # Numbered in the queue's sequence after the case event of the same change (case.updated).
    assert message["seq"] == seq + 2
    assert [m for m in await drain(outsider_socket) if m.get("type") == "complaint"] == []
    await socket.disconnect()
    await outsider_socket.disconnect()


async def test_a_privacy_complaints_overdue_alert_reaches_the_privacy_office(relations, category):
    """complaints.timers → complaints.events → the privacy officer pathway's queue group (the
    route escalations registers), as well as the complaints queue."""
    import time_machine

    from accounts.roles import Role
    from complaints import timers
    from escalations.choices import PathwayKind
    from escalations.models import EscalationPathway
    from tests.complaints.helpers import local

    def world():
        office = QueueFactory(name="Privacy office", slug="privacy-office")
        EscalationPathway.objects.create(
            name="Privacy officer",
            kind=PathwayKind.PRIVACY_OFFICER,
            recipient_queue=office,
            acknowledgement_minutes=24 * 60,
        )
        officer = make_agent("pia", office, roles=(Role.CLINICIAN,))
        agent = make_agent("rita", relations)
        with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
            case = make_case(
                actor=agent,
                category=category,
                subject=SECRET_SUBJECT,
                details={"complaint_type": "privacy", "severity": "moderate"},
            )
        return office, officer, agent, case

    office, officer, agent, case = await database_sync_to_async(world)()
    officer_socket, _ = await connect(await database_sync_to_async(session_cookie)(officer))
    agent_socket, _ = await connect(await database_sync_to_async(session_cookie)(agent))

    await database_sync_to_async(timers.sweep)(local(2026, 3, 20, 9, 0))

    for socket, queue in ((officer_socket, office), (agent_socket, relations)):
        message = await next_message(
            socket, "complaint", match=lambda m: m.get("event") == "complaint.overdue"
        )
        assert message["queue_id"] == queue.pk and message["case_id"] == case.pk
        assert message["overdue"] is True
        assert SECRET_SUBJECT not in json.dumps(message)
    await officer_socket.disconnect()
    await agent_socket.disconnect()

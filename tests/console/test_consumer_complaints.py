"""Grievance deadline messages on the live queue's socket (console/consumers.py,
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

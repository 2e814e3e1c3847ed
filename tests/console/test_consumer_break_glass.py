"""The real-time alert of a break-the-glass access on the live queue's socket (issue 17;
oversight/alerts.py, docs/architecture/live-queue.md "Events"): a ``break_glass`` message reaches
the members of the privacy office's queue at once, numbered in that queue's sequence, with ids, the
reference, the staff member's name and the window — never the reason; nobody else hears it.

Sockets go through the full ASGI application with a real login's cookie, and the tests commit
for real, as in test_consumer.py."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from accounts.roles import Role
from console.consumers import live
from escalations.choices import PathwayKind
from escalations.models import EscalationPathway
from oversight import alerts
from oversight.services import break_glass_open
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
SECRET_REASON = "Quetzalcoatl emergency reason for the overnight medication question."
KEYS = {
    "type",
    "event",
    "queue_id",
    "seq",
    "seq_queue_id",
    "access_id",
    "case_id",
    "reference",
    "user_id",
    "user_name",
    "granted_at",
    "expires_at",
    "at",
}


def test_the_consumer_and_the_alert_name_the_same_message_type():
    assert live.BREAK_GLASS_MESSAGE_TYPE == alerts.MESSAGE_TYPE
    assert hasattr(live.LiveQueueConsumer, "break_glass_event")


def _world():
    privacy = QueueFactory(name="Privacy Office", slug="privacy-office")
    EscalationPathway.objects.create(
        name="Privacy officer",
        kind=PathwayKind.PRIVACY_OFFICER,
        recipient_queue=privacy,
        acknowledgement_minutes=24 * 60,
    )
    billing = QueueFactory(name="Billing", slug="billing")
    officer = make_agent("piper", privacy, roles=(Role.CLINICIAN,))
    agent = make_agent("alex", billing)
    nurse = make_agent(
        "noor", QueueFactory(name="Nurse line", slug="nurse-line"), roles=(Role.CLINICIAN,)
    )
    case = make_case(actor=agent, category=CategoryFactory(default_queue=billing))
    return privacy, officer, agent, nurse, case


async def test_an_access_reaches_the_privacy_office_at_once_and_no_one_else():
    privacy, officer, agent, nurse, case = await database_sync_to_async(_world)()
    officer_socket, snapshot = await connect(await database_sync_to_async(session_cookie)(officer))
    agent_socket, _ = await connect(await database_sync_to_async(session_cookie)(agent))
    seq = snapshot["queues"][str(privacy.pk)]["seq"]

    access = await database_sync_to_async(break_glass_open)(
        actor=nurse, reference=case.reference, reason=SECRET_REASON
    )

    message = await next_message(officer_socket, "break_glass")
    assert set(message) == KEYS
    assert message["event"] == alerts.OPENED
    assert (message["seq_queue_id"], message["seq"]) == (privacy.pk, seq + 1)
    assert (message["access_id"], message["case_id"]) == (access.pk, case.pk)
    assert (message["user_id"], message["user_name"]) == (nurse.pk, "Noor Agent")
    assert SECRET_REASON not in json.dumps(message)
    # The agent of the case's queue hears no alert (the case did not change for them).
    assert [m for m in await drain(agent_socket) if m.get("type") == "break_glass"] == []
    for socket in (officer_socket, agent_socket):
        await socket.disconnect()

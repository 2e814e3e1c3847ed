"""Real transactions: a real COMMIT hands the message over and it is delivered, a real ROLLBACK
leaves nothing; two workers racing for one message deliver it once (PostgreSQL: SKIP LOCKED and
the lease)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from werkzeug import Response

from cases import services
from cases.choices import Status, Visibility
from tests.webhooks.conftest import HOOK_PATH, messages_of
from webhooks import delivery, outbox
from webhooks.models import OutboxMessage, WebhookDelivery


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_delivers_and_a_real_rollback_does_not(
    actor, partner_case, endpoint, httpserver
):
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_transition(actor=actor, case=partner_case, to_status=Status.RESOLVED)
        raise RuntimeError("rolled back")
    assert messages_of() == []
    assert httpserver.log == []

    # committed: handed to Celery after the COMMIT (eager here: delivered inline)
    services.case_add_note(
        actor=actor, case=partner_case, body="Real reply", visibility=Visibility.PATIENT
    )
    (message,) = messages_of()
    assert message.state == OutboxMessage.State.DELIVERED
    assert len(httpserver.log) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_one_message_once(
    actor, partner_case, endpoint, httpserver, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED: PostgreSQL (SQLite serialises all writers)")

    def slow_ok(request):
        time.sleep(0.5)  # the first worker is still posting when the second one looks
        return Response("ok")

    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_handler(slow_ok)
    with monkeypatch.context() as patch:  # the outbox row, without its after-commit hand-over
        patch.setattr(outbox, "enqueue_on_commit", lambda ids: None)
        services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    (message,) = messages_of()

    start = threading.Barrier(4)
    outcomes: list[str] = []

    def worker():
        try:
            start.wait()
            outcomes.append(delivery.deliver_message(message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes).count("delivered") == 1, outcomes
    assert set(outcomes) <= {"delivered", "locked or missing", "not due", "already delivered"}
    assert len(httpserver.log) == 1
    assert WebhookDelivery.objects.count() == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxMessage.State.DELIVERED, 1)


@pytest.mark.django_db(transaction=True)
def test_a_claim_skips_a_row_another_worker_holds(
    actor, partner_case, endpoint, httpserver, monkeypatch
):
    """The lock itself: while one transaction holds the message row, a worker skips it rather
    than wait (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's")
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    with monkeypatch.context() as patch:  # the outbox row, without its after-commit hand-over
        patch.setattr(outbox, "enqueue_on_commit", lambda ids: None)
        services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    (message,) = messages_of()

    held, done = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=message.pk)
                held.set()
                done.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        assert delivery.deliver_message(message.pk) == "locked or missing"
    finally:
        done.set()
        thread.join(10)
    assert httpserver.log == []
    assert delivery.deliver_message(message.pk) == "delivered"

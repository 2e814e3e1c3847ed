"""Complaints on the live pages: live.js, on a ``complaint`` message (complaints.events), fetches
the Overdue complaints list and the case's row again — the states are the server's — counts the
message in the queue's sequence, keeps a row's overdue flag when it redraws the row from a case
event, and announces the overdue complaint (the pattern of test_pages_live_js.py).

Without /usr/bin/chromium these tests are skipped."""

from __future__ import annotations

import shutil

import pytest
from django.utils import timezone

from complaints import timers
from complaints.events import complaint_fields
from complaints.models import Complaint
from tests.complaints.helpers import local
from tests.console import test_pages_live_js as live
from tests.factories import CategoryFactory, make_case

browser = live.browser
open_page = live.open_page
world = live.world
event, snapshot, wait_until = live.event, live.snapshot, live.wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


def _complaint(world):
    category = CategoryFactory(name="Complaint", kind="complaints", default_queue=world.queue)
    return make_case(
        actor=world.intake,
        category=category,
        details={"complaint_type": "care", "severity": "moderate"},
    )


def _message(world, seq, case, name="complaint.overdue"):
    complaint = Complaint.objects.get(pk=case.pk)
    return {
        "type": "complaint",
        "event": name,
        "seq": seq,
        "seq_queue_id": world.queue.pk,
        "queue_id": world.queue.pk,
        "at": timezone.now().isoformat(),
        **complaint_fields(case, complaint),
        "deadlines": ["acknowledgement"],
    }


def _alerts(page) -> str:
    return page.text_content("#complaint-alerts") or ""


def test_an_overdue_message_refreshes_the_alerts_and_the_row(world, open_page):
    case = _complaint(world)
    page, server = open_page(world.agent)
    server.send(snapshot(world, 20, world.case, case))
    wait_until(page, lambda: case.reference in live.references(page))
    assert page.is_hidden("#complaint-alerts")
    assert page.locator(f'tr[data-case-id="{case.pk}"] .complaint-flag').count() == 0

    # The sweep marks it (the deadline moved into the past for the test), then the message.
    Complaint.objects.filter(pk=case.pk).update(
        acknowledgement_due_at=local(2026, 1, 5, 23, 59), response_due_at=local(2036, 1, 1, 0, 0)
    )
    timers.sweep()
    server.send(_message(world, 21, case))

    wait_until(page, lambda: case.reference in _alerts(page))
    assert "Acknowledgement overdue" in _alerts(page)
    flag = f'tr[data-case-id="{case.pk}"] .complaint-flag'
    wait_until(page, lambda: page.locator(flag).count() == 1)
    assert f"Complaint {case.reference}: Acknowledgement overdue" in live.announced(page)

    # A case event redraws the row from its fields: the flag stays.
    server.send(event(world, 22, case, "case.updated"))
    page.wait_for_timeout(300)
    assert page.locator(flag).count() == 1
    assert "resync" not in server.sent_types()


def test_a_complaint_message_counts_in_the_queues_sequence(world, open_page):
    case = _complaint(world)
    page, server = open_page(world.agent)
    server.send(snapshot(world, 30, world.case, case))
    wait_until(page, lambda: case.reference in live.references(page))
    server.send(_message(world, 31, case, "complaint.acknowledged"))
    server.send(event(world, 32, case, "case.updated"))
    page.wait_for_timeout(500)
    assert "resync" not in server.sent_types()
    server.send(_message(world, 34, case, "complaint.acknowledged"))  # 33 was lost
    wait_until(page, lambda: "resync" in server.sent_types())

"""The grievance deadline sweep: complaints.timers.sweep, complaint_mark_overdue, the beat entry
and ``manage.py run_timers``."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import SYSTEM_USERNAME
from cases.choices import EventKind
from complaints import timers
from complaints.models import Complaint
from complaints.services import complaint_acknowledge, complaint_mark_overdue, complaint_respond
from tests.complaints.helpers import local, open_complaint

pytestmark = pytest.mark.django_db

# Opened 2026-03-06 10:00 New York; formal: acknowledge by the end of the 11th, respond by the
# end of the 13th (5 and 7 days).
OPENED = local(2026, 3, 6, 10, 0)
BEFORE_ACK_DUE = local(2026, 3, 11, 23, 59)
AFTER_ACK_DUE = local(2026, 3, 12, 0, 1)
AFTER_RESPONSE_DUE = local(2026, 3, 14, 0, 1)


@pytest.fixture
def case(actor, complaints_category):
    return open_complaint(actor, complaints_category, at=OPENED, formal_grievance=True)


@pytest.fixture
def sent(monkeypatch):
    messages: list[tuple[list[int], dict]] = []
    monkeypatch.setattr(
        "cases.events._send", lambda queue_ids, payload: messages.append((queue_ids, payload))
    )
    return messages


def _complaint(case) -> Complaint:
    return Complaint.objects.get(pk=case.pk)


def _overdue_events(case):
    return list(
        case.events.filter(kind=EventKind.COMPLAINT_OVERDUE).values_list("new_value", "body")
    )


def test_nothing_is_marked_before_the_deadline(case, time_machine):
    time_machine.move_to(BEFORE_ACK_DUE, tick=False)
    assert timers.sweep()["found"] == 0
    assert _complaint(case).acknowledgement_overdue_at is None
    assert _overdue_events(case) == []


def test_a_missed_acknowledgement_is_marked_once_on_the_timeline_and_alerted(
    case, time_machine, sent, django_capture_on_commit_callbacks
):
    time_machine.move_to(AFTER_ACK_DUE, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        counts = timers.sweep()
    assert counts == {
        "found": 1,
        "acknowledgement": 1,
        "response": 0,
        "unchanged": 0,
        "failed": 0,
    }
    complaint = _complaint(case)
    assert complaint.acknowledgement_overdue_at == AFTER_ACK_DUE
    assert complaint.response_overdue_at is None
    [(kind, body)] = _overdue_events(case)
    assert kind == "acknowledgement"
    assert "2026-03-11 23:59" in body
    event = case.events.get(kind=EventKind.COMPLAINT_OVERDUE)
    assert event.actor.username == SYSTEM_USERNAME
    # Live: the case's row changes (case.updated) and the complaints queue is alerted.
    names = [(payload["type"], payload["event"]) for _, payload in sent]
    assert ("case.event", "case.updated") in names
    assert ("complaint.event", "complaint.overdue") in names
    alert = next(payload for _, payload in sent if payload["type"] == "complaint.event")
    assert alert["queue_id"] == case.queue_id
    assert alert["state"] == "acknowledgement_overdue"
    assert alert["overdue"] is True
    assert alert["deadlines"] == ["acknowledgement"]
    assert case.subject not in repr(alert) and case.description not in repr(alert)

    # Idempotent: the next sweeps find nothing more to mark.
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert timers.sweep()["found"] == 0
    assert len(_overdue_events(case)) == 1
    assert sent == []


def test_the_response_is_marked_separately(case, actor, time_machine):
    time_machine.move_to(local(2026, 3, 9, 9, 0), tick=False)
    complaint_acknowledge(actor=actor, case=case)
    time_machine.move_to(AFTER_ACK_DUE, tick=False)
    assert timers.sweep()["found"] == 0  # acknowledged in time
    time_machine.move_to(AFTER_RESPONSE_DUE, tick=False)
    assert timers.sweep()["response"] == 1
    assert [kind for kind, _ in _overdue_events(case)] == ["response"]
    assert _complaint(case).acknowledgement_overdue_at is None


def test_both_deadlines_missed_at_once_are_two_events(case, time_machine):
    time_machine.move_to(AFTER_RESPONSE_DUE, tick=False)
    assert timers.sweep()["found"] == 1
    assert sorted(kind for kind, _ in _overdue_events(case)) == ["acknowledgement", "response"]
    assert timers.sweep()["found"] == 0


def test_a_responded_complaint_is_never_marked(case, actor, time_machine):
    time_machine.move_to(local(2026, 3, 7, 9, 0), tick=False)
    complaint_acknowledge(actor=actor, case=case)
    complaint_respond(actor=actor, case=case, outcome="not_upheld", summary="Explained.")
    time_machine.move_to(local(2026, 4, 1, 9, 0), tick=False)
    assert timers.sweep()["found"] == 0
    assert _overdue_events(case) == []


def test_a_late_acknowledgement_stays_late(case, actor, time_machine):
    from complaints.states import deadline_state

    time_machine.move_to(AFTER_ACK_DUE, tick=False)
    timers.sweep()
    complaint = complaint_acknowledge(actor=actor, case=case)
    assert case.events.order_by("-id").first().new_value == "late"
    state = deadline_state(complaint)
    assert (state.code, state.overdue, state.late) == ("response_due", False, True)
    assert state.label.startswith("Acknowledged late")


def test_mark_overdue_is_idempotent_and_a_no_op_when_not_due(case, actor, time_machine):
    time_machine.move_to(BEFORE_ACK_DUE, tick=False)
    assert complaint_mark_overdue(actor=actor, case=case) == []
    time_machine.move_to(AFTER_ACK_DUE, tick=False)
    assert complaint_mark_overdue(actor=actor, case=case) == ["acknowledgement"]
    assert complaint_mark_overdue(actor=actor, case=case) == []


def test_a_case_without_a_complaint_is_left_alone(actor):
    from tests.factories import make_case

    other = make_case(actor=actor)
    assert complaint_mark_overdue(actor=actor, case=other) == []


def test_one_run_is_bounded_and_takes_the_longest_overdue_first(
    actor, complaints_category, time_machine
):
    first = open_complaint(actor, complaints_category, at=local(2026, 3, 1, 10, 0))
    second = open_complaint(actor, complaints_category, at=local(2026, 3, 2, 10, 0))
    time_machine.move_to(local(2026, 3, 20, 9, 0), tick=False)
    assert timers.sweep(limit=1)["found"] == 1
    assert _complaint(first).acknowledgement_overdue_at is not None
    assert _complaint(second).acknowledgement_overdue_at is None
    assert timers.sweep(limit=1)["found"] == 1
    assert _complaint(second).acknowledgement_overdue_at is not None


def test_one_failing_complaint_does_not_stop_the_others(
    actor, complaints_category, time_machine, monkeypatch
):
    first = open_complaint(actor, complaints_category, at=local(2026, 3, 1, 10, 0))
    second = open_complaint(actor, complaints_category, at=local(2026, 3, 2, 10, 0))
    time_machine.move_to(local(2026, 3, 20, 9, 0), tick=False)
    real = timers.services.complaint_mark_overdue

    def flaky(*, actor, case, now=None):
        if case.pk == first.pk:
            raise RuntimeError("boom")
        return real(actor=actor, case=case, now=now)

    monkeypatch.setattr(timers.services, "complaint_mark_overdue", flaky)
    counts = timers.sweep()
    assert counts["failed"] == 1 and counts["acknowledgement"] == 1
    assert _complaint(first).acknowledgement_overdue_at is None  # taken again next time
    assert _complaint(second).acknowledgement_overdue_at is not None


def test_nothing_to_do_costs_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert timers.sweep()["found"] == 0


def test_the_beat_schedule_runs_it_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["complaints-sweep-overdue"]
    assert entry["task"] == "complaints.sweep_overdue"
    assert entry["schedule"] == 60.0


def test_run_timers_runs_the_sweep(case, time_machine, capsys):
    time_machine.move_to(AFTER_ACK_DUE, tick=False)
    call_command("run_timers", "--once")
    assert "complaints-sweep-overdue" in capsys.readouterr().out
    assert _complaint(case).acknowledgement_overdue_at is not None


def test_the_task_runs_the_sweep(case, time_machine):
    from complaints.tasks import sweep_overdue

    time_machine.move_to(AFTER_ACK_DUE, tick=False)
    assert sweep_overdue.apply().get()["acknowledgement"] == 1

"""The escalation timer (``escalations.timers.sweep``) under a frozen clock: an unacknowledged
escalation past its target is re-escalated to the fallback pathway once, never before the target
and never once acknowledged; a fallback loop stops; no fallback marks it overdue on the timeline;
one failure does not stop the sweep.

The world is ``esc_world`` (tests/escalations/conftest.py): nurse triage (30 minutes, fallback
care management, 60 minutes, no fallback of its own) and behavioral health (15 minutes, none).
"""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine

from cases.choices import EventKind, Priority
from cases.events import queue_group
from cases.models import Case
from escalations import services
from escalations.choices import EscalationStatus, PathwayKind, Source, Urgency
from escalations.events import EscalationEventName
from escalations.models import Escalation, EscalationPathway
from escalations.tasks import sweep_timers
from escalations.timers import sweep
from tests.escalations.conftest import SBAR

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)


def minutes(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=n)


def escalate(w, case=None, *, pathway=None, urgency=Urgency.URGENT, when=T0) -> Escalation:
    with time_machine.travel(when, tick=False):
        return services.escalation_open(
            actor=w.agent,
            case=case or w.case(),
            pathway=pathway or w.nurse_triage,
            urgency=urgency,
            **SBAR,
        )


def sweep_at(when) -> dict:
    with time_machine.travel(when, tick=False):
        return sweep()


def counts(overdue=0, re_escalated=0, unchanged=0, failed=0) -> dict:
    return {
        "overdue": overdue,
        "re_escalated": re_escalated,
        "unchanged": unchanged,
        "failed": failed,
    }


def chain(case) -> list[tuple[str, str, bool]]:
    """(pathway, source, overdue?) of the case's escalations, oldest first."""
    return [
        (e.pathway.name, e.source, e.overdue_at is not None)
        for e in Escalation.objects.filter(case=case).order_by("requested_at", "pk")
    ]


def timeline(case) -> list[str]:
    return list(
        case.events.filter(kind=EventKind.ESCALATED).order_by("pk").values_list("body", flat=True)
    )


# --- re-escalation after the target --------------------------------------------------------------


def test_not_before_the_acknowledgement_target(esc_world):
    first = escalate(esc_world)
    assert first.acknowledgement_due_at == minutes(30)
    assert sweep_at(minutes(29)) == counts()
    assert sweep_at(minutes(29.99)) == counts()
    first.refresh_from_db()
    assert first.overdue_at is None
    assert chain(first.case) == [("Nurse triage", Source.MANUAL, False)]


def test_re_escalated_to_the_fallback_once_at_the_target(esc_world):
    w = esc_world
    first = escalate(w)
    assert sweep_at(minutes(30)) == counts(overdue=1, re_escalated=1)
    first.refresh_from_db()
    assert first.overdue_at == minutes(30)
    assert first.status == EscalationStatus.OPEN  # still open: its recipients may take it
    second = Escalation.objects.get(escalated_from=first)
    assert (second.pathway, second.source, second.urgency) == (
        w.care_manager,
        Source.FALLBACK,
        Urgency.URGENT,
    )
    assert (second.situation, second.recommendation) == (SBAR["situation"], SBAR["recommendation"])
    assert second.requested_at == minutes(30)
    assert second.acknowledgement_due_at == minutes(90)
    assert second.requested_by.username == "system"
    assert "Care management" in timeline(first.case)[-1]
    # The fallback's recipients may now work the case.
    with time_machine.travel(minutes(31), tick=False):
        assert Case.objects.restrict(w.manager, "work").filter(pk=first.case_id).exists()

    # Idempotent: the next sweeps change nothing until the fallback's own target.
    assert sweep_at(minutes(30)) == counts()
    assert sweep_at(minutes(31)) == counts()
    assert sweep_at(minutes(89)) == counts()
    assert Escalation.objects.filter(case=first.case).count() == 2


def test_an_emergent_escalation_has_a_third_of_the_minutes(esc_world):
    first = escalate(esc_world, urgency=Urgency.EMERGENT)
    assert first.acknowledgement_due_at == minutes(10)
    assert first.case.priority == Priority.URGENT
    assert (
        sweep_at(
            minutes(
                9,
            )
        )
        == counts()
    )
    assert sweep_at(minutes(10)) == counts(overdue=1, re_escalated=1)
    second = Escalation.objects.get(escalated_from=first)
    assert second.urgency == Urgency.EMERGENT
    assert second.acknowledgement_due_at == minutes(10 + 20)  # 60 // 3


def test_an_acknowledged_escalation_is_never_re_escalated(esc_world):
    w = esc_world
    first = escalate(w)
    with time_machine.travel(minutes(12), tick=False):
        services.escalation_acknowledge(actor=w.nurse, escalation=first)
    for moment in (minutes(30), minutes(90), minutes(24 * 60)):
        assert sweep_at(moment) == counts()
    first.refresh_from_db()
    assert first.overdue_at is None
    assert chain(first.case) == [("Nurse triage", Source.MANUAL, False)]


def test_a_resolved_escalation_is_never_re_escalated(esc_world):
    w = esc_world
    first = escalate(w)
    with time_machine.travel(minutes(5), tick=False):
        services.escalation_resolve(actor=w.nurse, escalation=first, outcome="advice_given")
    assert sweep_at(minutes(60)) == counts()


def test_no_fallback_marks_it_overdue_and_says_so_on_the_timeline(esc_world, caplog):
    w = esc_world
    first = escalate(w, pathway=w.behavioral)
    assert sweep_at(minutes(15)) == counts(overdue=1, unchanged=1)
    first.refresh_from_db()
    assert first.overdue_at == minutes(15)
    assert chain(first.case) == [("Behavioral health", Source.MANUAL, True)]
    assert timeline(first.case)[-1] == (
        "Escalation to Behavioral health not acknowledged in time; "
        "no fallback pathway to re-escalate to."
    )
    assert f"escalation {first.pk} of case {first.case_id} overdue with no fallback" in caplog.text
    assert sweep_at(minutes(16)) == counts()
    assert len(timeline(first.case)) == 2  # opened, overdue: once


def test_the_chain_ends_where_the_fallback_has_none(esc_world):
    w = esc_world
    first = escalate(w)
    sweep_at(minutes(30))  # -> care management, due at 90
    assert sweep_at(minutes(90)) == counts(overdue=1, unchanged=1)
    assert chain(first.case) == [
        ("Nurse triage", Source.MANUAL, True),
        ("Care management", Source.FALLBACK, True),
    ]


def test_a_fallback_loop_stops(esc_world):
    w = esc_world
    a = EscalationPathway.objects.create(
        name="Day nurses",
        kind=PathwayKind.NURSE_TRIAGE,
        recipient_queue=w.nurse_queue,
        acknowledgement_minutes=15,
    )
    b = EscalationPathway.objects.create(
        name="Night nurses",
        kind=PathwayKind.NURSE_TRIAGE,
        recipient_queue=w.manager_queue,
        acknowledgement_minutes=15,
        fallback=a,
    )
    a.fallback = b
    a.save(update_fields=["fallback"])
    first = escalate(w, pathway=a)
    assert sweep_at(minutes(15)) == counts(overdue=1, re_escalated=1)
    assert sweep_at(minutes(30)) == counts(overdue=1, unchanged=1)  # B -> A: A is in the chain
    for moment in (minutes(45), minutes(60), minutes(24 * 60)):
        assert sweep_at(moment) == counts()
    assert chain(first.case) == [
        ("Day nurses", Source.MANUAL, True),
        ("Night nurses", Source.FALLBACK, True),
    ]


def test_an_inactive_fallback_is_not_used(esc_world):
    w = esc_world
    w.care_manager.active = False
    w.care_manager.save(update_fields=["active"])
    first = escalate(w)
    assert sweep_at(minutes(30)) == counts(overdue=1, unchanged=1)
    assert chain(first.case) == [("Nurse triage", Source.MANUAL, True)]


# --- announcements -------------------------------------------------------------------------------


def test_the_re_escalation_reaches_both_queues_live(
    esc_world, listener, django_capture_on_commit_callbacks
):
    w = esc_world
    first = escalate(w)
    for queue in (w.nurse_queue, w.manager_queue, w.intake):
        listener.join(queue_group(queue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at(minutes(30))
    messages = listener.receive_all()
    seen = {(m["event"], m["queue_id"]) for m in messages}
    assert (EscalationEventName.OVERDUE, w.nurse_queue.pk) in seen
    assert (EscalationEventName.OPENED, w.manager_queue.pk) in seen
    assert ("case.escalated", w.intake.pk) in seen
    overdue = next(m for m in messages if m["event"] == EscalationEventName.OVERDUE)
    assert overdue["escalation_id"] == first.pk
    assert overdue["overdue_at"] == minutes(30).isoformat()
    text = json.dumps(messages)
    for value in (SBAR["situation"], SBAR["reason"], first.case.patient.family_name):
        assert value not in text


# --- bounded, robust, cheap ----------------------------------------------------------------------


def test_nothing_to_do_costs_one_query(esc_world, django_assert_num_queries):
    escalate(esc_world)
    with time_machine.travel(minutes(20), tick=False), django_assert_num_queries(1):
        assert sweep() == counts()


def test_one_failing_escalation_does_not_stop_the_others(esc_world, monkeypatch, caplog):
    w = esc_world
    failing = escalate(w, when=minutes(-1))
    other = escalate(w)
    real = services.escalation_fallback

    def fallback(*, escalation, **kwargs):
        if escalation.pk == failing.pk:
            raise RuntimeError("boom")
        return real(escalation=escalation, **kwargs)

    monkeypatch.setattr(services, "escalation_fallback", fallback)
    assert sweep_at(minutes(30)) == counts(overdue=2, re_escalated=1, failed=1)
    assert f"escalation timer: escalation {failing.pk} failed" in caplog.text
    assert SBAR["situation"] not in caplog.text
    failing.refresh_from_db()
    other.refresh_from_db()
    assert failing.overdue_at is None  # nothing of it was written
    assert other.overdue_at == minutes(30)

    monkeypatch.setattr(services, "escalation_fallback", real)
    assert sweep_at(minutes(31)) == counts(overdue=1, re_escalated=1)  # the next sweep takes it
    failing.refresh_from_db()
    assert failing.overdue_at == minutes(31)


def test_one_run_is_bounded_and_takes_the_longest_overdue_first(esc_world):
    w = esc_world
    older = escalate(w, when=minutes(-5))
    newer = escalate(w)
    with time_machine.travel(minutes(40), tick=False):
        assert sweep(limit=1) == counts(overdue=1, re_escalated=1)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.overdue_at, newer.overdue_at) == (minutes(40), None)


def test_the_celery_task_runs_the_sweep(esc_world):
    first = escalate(esc_world)
    with time_machine.travel(minutes(30), tick=False):
        sweep_timers.delay()
    first.refresh_from_db()
    assert first.overdue_at == minutes(30)

"""Closing a case cancels its unresolved escalations (escalations.closing): status, reason,
grants revoked, timeline, live message, timers stopped; resolving does not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases.choices import EventKind, Status
from cases.models import Case, CaseGrantKind, CaseUserObjectPermission
from cases.services import case_transition
from escalations import services, timers
from escalations.choices import EscalationStatus, Outcome, Urgency
from escalations.closing import escalation_cancel
from escalations.models import Escalation
from tests.escalations.conftest import SBAR

pytestmark = pytest.mark.django_db


def _open(w, case, *, pathway=None, urgency=Urgency.URGENT):
    return services.escalation_open(
        actor=w.agent, case=case, pathway=pathway or w.nurse_triage, urgency=urgency, **SBAR
    )


def _sees(user, case) -> bool:
    return Case.objects.restrict(user, "view").filter(pk=case.pk).exists()


def _close(w, case, reason="Patient called back; nothing more to do."):
    case = case_transition(actor=w.agent, case=case, to_status=Status.RESOLVED)
    return case_transition(actor=w.agent, case=case, to_status=Status.CLOSED, reason=reason)


def test_closing_cancels_open_and_acknowledged_escalations(
    esc_world, monkeypatch, django_capture_on_commit_callbacks
):
    w = esc_world
    case = w.case()
    waiting = _open(w, case)
    taken = _open(w, case, pathway=w.behavioral)
    services.escalation_acknowledge(actor=w.counsellor, escalation=taken)
    assert _sees(w.nurse, case) and _sees(w.counsellor, case)
    sent = []
    monkeypatch.setattr("cases.events._send", lambda queue_ids, payload: sent.append(payload))

    with django_capture_on_commit_callbacks(execute=True):
        _close(w, case)

    for escalation in (waiting, taken):
        escalation.refresh_from_db()
        assert escalation.status == EscalationStatus.CANCELLED
        assert escalation.cancelled_by == w.agent
        assert escalation.cancelled_at is not None
        assert escalation.cancel_reason == (
            "No longer needed: the case was closed (Patient called back; nothing more to do.)."
        )
        assert escalation.outcome == "" and escalation.resolved_at is None
    assert not Escalation.objects.filter(case=case).unresolved().exists()
    # The recipients' grants are gone: they no longer see the case.
    assert not CaseUserObjectPermission.objects.filter(
        content_object_id=case.pk, kind=CaseGrantKind.ESCALATION
    ).exists()
    assert not _sees(w.nurse, case) and not _sees(w.counsellor, case)
    cancelled = case.events.filter(kind=EventKind.ESCALATION_CANCELLED).order_by("id")
    assert [event.new_value for event in cancelled] == ["Nurse triage", "Behavioral health"]
    assert all(event.actor == w.agent for event in cancelled)
    assert "cancelled: No longer needed" in cancelled[0].body
    names = [(payload["type"], payload["event"]) for payload in sent]
    assert names.count(("escalation.event", "escalation.cancelled")) == 2
    message = next(p for p in sent if p.get("event") == "escalation.cancelled")
    assert message["status"] == "cancelled" and message["queue_id"] == w.nurse_queue.pk
    assert SBAR["situation"] not in repr(message)


def test_resolving_the_case_keeps_its_escalations(esc_world):
    w = esc_world
    case = w.case()
    escalation = _open(w, case)
    case_transition(actor=w.agent, case=case, to_status=Status.RESOLVED)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN
    assert _sees(w.nurse, case)


def test_a_resolved_escalation_is_left_as_it_was(esc_world):
    w = esc_world
    case = w.case()
    escalation = _open(w, case)
    services.escalation_resolve(
        actor=w.nurse, escalation=escalation, outcome=Outcome.ADVICE_GIVEN, notes="Advised."
    )
    _close(w, case)
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED
    assert not case.events.filter(kind=EventKind.ESCALATION_CANCELLED).exists()


def test_the_timers_stop_for_a_cancelled_escalation(esc_world, time_machine):
    w = esc_world
    case = w.case()
    escalation = _open(w, case)
    _close(w, case)
    time_machine.move_to(escalation.requested_at + timedelta(days=30), tick=False)
    assert timers.sweep()["overdue"] == 0
    assert timers.renew()["escalations"] == 0
    escalation.refresh_from_db()
    assert escalation.overdue_at is None
    assert not Escalation.objects.filter(escalated_from=escalation).exists()


def test_cancel_is_idempotent_and_needs_a_reason(esc_world):
    w = esc_world
    case = w.case()
    escalation = _open(w, case)
    with pytest.raises(ValueError):
        escalation_cancel(actor=w.agent, escalation=escalation, reason="   ")
    assert escalation_cancel(actor=w.agent, escalation=escalation, reason="Duplicate.")
    assert escalation_cancel(actor=w.agent, escalation=escalation, reason="Again.") is None
    assert case.events.filter(kind=EventKind.ESCALATION_CANCELLED).count() == 1


def test_a_cancelled_escalation_cannot_be_acknowledged_or_resolved(esc_world):
    from django.core.exceptions import ValidationError

    w = esc_world
    case = w.case()
    escalation = _open(w, case)
    escalation_cancel(actor=w.agent, escalation=escalation, reason="Duplicate.")
    with pytest.raises(ValidationError) as caught:
        services.escalation_acknowledge(actor=w.nurse, escalation=escalation)
    assert caught.value.error_dict["escalation"][0].code == "already_cancelled"
    with pytest.raises(ValidationError) as caught:
        services.escalation_resolve(
            actor=w.nurse, escalation=escalation, outcome=Outcome.ADVICE_GIVEN, notes="x"
        )
    assert caught.value.error_dict["escalation"][0].code == "already_cancelled"

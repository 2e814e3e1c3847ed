"""An escalation's automatic priority raise follows the SLA policy of the new priority, by the
rule of a manual change (``cases.changes.apply_priority``, ``cases.sla_changes``), and the case
instance that is announced next carries the new due times (issue 15)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from cases.choices import EventKind, Priority
from cases.events import CaseEventName, queue_group
from cases.models import BusinessCalendar, Case, CaseEvent, SlaPolicy
from escalations.detection import _compiled

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")
MONDAY_10 = datetime.datetime(2026, 1, 12, 10, tzinfo=NY)


@pytest.fixture(autouse=True)
def _fresh_matcher():
    _compiled.cache_clear()
    yield
    _compiled.cache_clear()


@pytest.fixture
def policies(db):
    calendar = BusinessCalendar.objects.create(name="Always", always_open=True)
    standard = SlaPolicy.objects.create(
        name="Standard", calendar=calendar, first_response_minutes=240, resolution_minutes=2880
    )
    urgent = SlaPolicy.objects.create(
        name="Urgent",
        calendar=calendar,
        priority=Priority.URGENT,
        first_response_minutes=15,
        resolution_minutes=240,
    )
    return standard, urgent


def test_a_red_flag_case_opens_with_the_urgent_targets(
    esc_world, policies, listener, django_capture_on_commit_callbacks
):
    _standard, urgent = policies
    listener.join(queue_group(esc_world.intake.pk))
    # The announcement is sent at the real time (the in-memory layer expires messages by it).
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(MONDAY_10, tick=False),
    ):
        case = esc_world.case(description="Since this morning I have chest pain.")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.priority, stored.sla_policy) == (Priority.URGENT, urgent)
    assert stored.first_response_due_at == MONDAY_10 + datetime.timedelta(minutes=15)
    assert stored.resolution_due_at == MONDAY_10 + datetime.timedelta(minutes=240)
    # the instance case_open returns, which was announced, carries them too
    assert case.first_response_due_at == stored.first_response_due_at
    opened = next(m for m in listener.receive_all() if m["event"] == CaseEventName.OPENED)
    assert opened["priority"] == Priority.URGENT
    assert opened["first_response_due_at"] == stored.first_response_due_at.isoformat()
    raised = CaseEvent.objects.get(case=case, kind=EventKind.PRIORITY_CHANGED)
    assert "SLA policy “Urgent”" in raised.body


def test_a_manual_escalation_raises_and_recomputes(esc_world, policies):
    from escalations.services import escalation_open
    from tests.escalations.conftest import SBAR

    with time_machine.travel(MONDAY_10, tick=False):
        case = esc_world.case(description="A question about my bill.")
    assert Case.objects.get(pk=case.pk).priority == Priority.NORMAL
    with time_machine.travel(MONDAY_10 + datetime.timedelta(minutes=5), tick=False):
        escalation_open(
            actor=esc_world.agent,
            case=case,
            pathway=esc_world.nurse_triage,
            urgency="emergent",
            **SBAR,
        )
    stored = Case.objects.get(pk=case.pk)
    assert stored.priority == Priority.URGENT
    # 5 minutes were used: 10 of the urgent 15 are left
    assert stored.first_response_due_at == MONDAY_10 + datetime.timedelta(minutes=15)

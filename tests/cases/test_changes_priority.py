"""``cases.changes.case_change_priority`` and the SLA recomputation it shares with the category
change and the escalations' automatic raise (``cases.sla_changes``).

Frozen clock; the calendar is Mon-Fri 09:00-17:00 in New York (EST in January). The standard
policy (every priority) gives 120 business minutes for the first response and 960 for the
resolution; the urgent policy 30 and 240. A case opens on Monday 12 January 2026 at 10:00."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from cases import services
from cases.changes import case_change_priority
from cases.choices import EventKind, Priority, Status, Visibility
from cases.events import CaseEventName, queue_group
from cases.models import BusinessCalendar, BusinessHours, Case, CaseEvent, SlaPolicy
from cases.timers import sweep
from compliance.models import AuditEntry
from tests.cases.changes_world import ChangesWorld

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")


def ny(day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(2026, 1, day, hour, minute, tzinfo=NY)


@pytest.fixture
def world():
    return ChangesWorld()


@pytest.fixture
def policies(db):
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHours.objects.create(
            calendar=calendar, weekday=weekday, opens=datetime.time(9), closes=datetime.time(17)
        )
    standard = SlaPolicy.objects.create(
        name="Standard", calendar=calendar, first_response_minutes=120, resolution_minutes=960
    )
    urgent = SlaPolicy.objects.create(
        name="Urgent",
        calendar=calendar,
        priority=Priority.URGENT,
        first_response_minutes=30,
        resolution_minutes=240,
    )
    return standard, urgent


def _open(world, **overrides) -> Case:
    with time_machine.travel(ny(12, 10), tick=False):
        return world.case(**overrides)


def _change(actor, case, priority, at, reason="") -> Case:
    with time_machine.travel(at, tick=False):
        case_change_priority(actor=actor, case=case, priority=priority, reason=reason)
    return Case.objects.get(pk=case.pk)


def test_raising_to_urgent_counts_the_time_used_under_the_urgent_policy(world, policies):
    standard, urgent = policies
    case = _open(world)
    assert case.sla_policy == standard and case.first_response_due_at == ny(12, 12)
    case = _change(world.agent, case, Priority.URGENT, ny(12, 10, 20), reason="Chest pain")
    assert case.priority == Priority.URGENT
    assert case.sla_policy == urgent
    assert case.first_response_due_at == ny(12, 10, 30)  # 30 - 20 used
    assert case.resolution_due_at == ny(12, 14)  # 240 - 20 used: 10:20 + 3 h 40
    event = CaseEvent.objects.get(case=case, kind=EventKind.PRIORITY_CHANGED)
    assert (event.old_value, event.new_value, event.actor) == ("Normal", "Urgent", world.agent)
    assert event.body.startswith("Chest pain\nSLA policy “Urgent”")


def test_lowering_it_back_gives_the_longer_targets_again(world, policies):
    case = _open(world, priority=Priority.URGENT)
    assert case.first_response_due_at == ny(12, 10, 30)
    case = _change(world.agent, case, Priority.NORMAL, ny(12, 10, 20))
    assert case.first_response_due_at == ny(12, 12)
    assert case.resolution_due_at == ny(14, 10)


def test_a_target_already_used_up_is_due_at_once_and_the_sweep_breaches_it(world, policies):
    case = _open(world)
    case = _change(world.agent, case, Priority.URGENT, ny(12, 10, 45))
    assert case.first_response_due_at == ny(12, 10, 45)
    with time_machine.travel(ny(12, 10, 46), tick=False):
        sweep()
    case.refresh_from_db()
    assert case.first_response_breached_at is not None


def test_met_and_passed_targets_keep_their_due_times(world, policies):
    case = _open(world)
    with time_machine.travel(ny(12, 10, 5), tick=False):
        services.case_add_note(
            actor=world.agent, case=case, body="We are on it.", visibility=Visibility.PATIENT
        )
    case = _change(world.agent, case, Priority.URGENT, ny(12, 10, 20))
    assert case.first_response_due_at == ny(12, 12)  # met: history stays
    assert case.resolution_due_at == ny(12, 14)
    # a passed target is not undone by lowering the priority
    late = _open(world, priority=Priority.URGENT)
    late = _change(world.agent, late, Priority.NORMAL, ny(12, 11))
    assert late.first_response_due_at == ny(12, 10, 30)
    assert late.resolution_due_at == ny(14, 10)


def test_while_waiting_the_used_time_is_counted_at_the_pause(world, policies):
    case = _open(world)
    with time_machine.travel(ny(12, 10, 20), tick=False):
        services.case_transition(actor=world.agent, case=case, to_status=Status.IN_PROGRESS)
        services.case_transition(actor=world.agent, case=case, to_status=Status.WAITING_ON_PATIENT)
    case = _change(world.agent, case, Priority.URGENT, ny(12, 15))
    assert case.first_response_due_at == ny(12, 10, 30)
    with time_machine.travel(ny(12, 16), tick=False):
        services.case_transition(actor=world.agent, case=case, to_status=Status.IN_PROGRESS)
    case.refresh_from_db()
    assert case.first_response_due_at == ny(12, 16, 10)  # 10 minutes were left at the pause


def test_a_priority_with_the_same_policy_keeps_the_due_times(world, policies):
    case = _open(world)
    before = (case.first_response_due_at, case.resolution_due_at)
    case = _change(world.agent, case, Priority.HIGH, ny(12, 10, 20))
    assert case.priority == Priority.HIGH
    assert (case.first_response_due_at, case.resolution_due_at) == before
    event = CaseEvent.objects.get(case=case, kind=EventKind.PRIORITY_CHANGED)
    assert "SLA" not in event.body


def test_without_a_policy_the_case_simply_changes_priority(world):
    case = world.case()
    case = _change(world.agent, case, Priority.LOW, ny(12, 10))
    assert case.priority == Priority.LOW and case.first_response_due_at is None


@pytest.mark.parametrize("value", [0, 25, "40", None, True])
def test_an_unknown_priority_is_refused(world, value):
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_change_priority(actor=world.agent, case=case, priority=value)
    assert raised.value.error_dict["priority"][0].code == "invalid_choice"


def test_access_and_closed_cases(world):
    case = world.case()
    for user in (world.outsider, world.agent_b, world.compliance):
        with pytest.raises(Http404):
            case_change_priority(actor=user, case=case, priority=Priority.HIGH)
    for status in (Status.RESOLVED, Status.CLOSED):
        case = services.case_transition(actor=world.agent, case=case, to_status=status)
    with pytest.raises(ValidationError) as raised:
        case_change_priority(actor=world.agent, case=case, priority=Priority.HIGH)
    assert raised.value.error_dict["case"][0].code == "case_closed"


def test_announced_audited_and_idempotent(world, listener, django_capture_on_commit_callbacks):
    case = world.case()
    listener.join(queue_group(world.queue_a.pk))
    head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]
    with django_capture_on_commit_callbacks(execute=True):
        case_change_priority(actor=world.agent, case=case, priority=Priority.HIGH)
        case_change_priority(actor=world.agent, case=case, priority=Priority.HIGH)
    (message,) = listener.receive_all()
    assert message["event"] == CaseEventName.UPDATED
    assert message["priority"] == Priority.HIGH
    entry = AuditEntry.objects.get(
        id__gt=head, content_type__model="case", action=AuditEntry.Action.UPDATE
    )
    assert entry.actor_id == world.agent.pk and "priority" in entry.changes_dict
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PRIORITY_CHANGED).count() == 1
